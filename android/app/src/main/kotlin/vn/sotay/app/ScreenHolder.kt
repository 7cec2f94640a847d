package vn.sotay.app

import androidx.compose.runtime.Composable
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import kotlinx.coroutines.CoroutineScope

/**
 * Keeps one of the library's plain view models across configuration changes: it runs in
 * `viewModelScope` and is closed when the screen leaves for good. The only AndroidX glue the
 * view models need.
 */
class ScreenHolder<T : AutoCloseable>(create: (CoroutineScope) -> T) : ViewModel() {
    val model: T = create(viewModelScope)

    override fun onCleared() = model.close()
}

/** The view model for [key] (one per screen instance), created by [create] on first use. */
@Composable
inline fun <reified T : AutoCloseable> rememberScreenModel(key: String, noinline create: (CoroutineScope) -> T): T =
    viewModel<ScreenHolder<T>>(key = key) { ScreenHolder(create) }.model
