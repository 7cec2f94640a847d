package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import vn.sotay.ApiException

/**
 * The base of SoTay's view models: plain Kotlin (no AndroidX), so they run and are tested on
 * the JVM. Each exposes one [StateFlow] of an immutable state; its work runs in a child scope
 * of the one given (on Android, `viewModelScope` of a thin AndroidX wrapper, or a
 * `rememberCoroutineScope` in Compose), and [close] cancels it.
 *
 * Actions return the [Job] doing them (screens ignore it; tests join it). A failed action
 * leaves its [ApiException] in the state's `error` for the screen to show until dismissed
 * ([clearError]) or a later action succeeds; the store's listeners bring every change —
 * local or synced — back as a reload.
 */
abstract class ScreenModel<S>(initial: S, parent: CoroutineScope) : AutoCloseable {
    protected val scope: CoroutineScope =
        CoroutineScope(parent.coroutineContext + SupervisorJob(parent.coroutineContext[Job]))

    private val mutable = MutableStateFlow(initial)

    /** What the screen shows. */
    val state: StateFlow<S> = mutable.asStateFlow()

    private val refreshing = Mutex()

    /** Replaces part of the state. */
    protected fun update(f: (S) -> S) = mutable.update(f)

    /** Reads what the state needs from the store (called at start, on changes, after actions). */
    protected abstract suspend fun load(current: S): S

    /** Sets the error shown by the screen (`null` clears it). */
    protected abstract fun S.withError(error: ApiException?): S

    /** The error shown by the screen. */
    protected abstract fun S.shownError(): ApiException?

    /**
     * This loaded state with what actions own — not read from the store, such as a download
     * in flight — taken from [latest], the state when the load ends (an action may have
     * changed it meanwhile). None by default.
     */
    protected open fun S.keepActionState(latest: S): S = this

    /** Loads the state again now (refreshes never overlap). */
    fun refresh(): Job = scope.launch { reload() }

    protected suspend fun reload() = refreshing.withLock {
        try {
            val next = load(state.value)
            // An action's error stays shown until dismissed or a later action succeeds.
            update { latest -> next.keepActionState(latest).withError(latest.shownError()) }
        } catch (e: ApiException) {
            update { it.withError(e) }
        }
    }

    /** Reloads whenever [changes] emits (conflated: a burst is one reload). */
    protected fun reloadOn(changes: Flow<*>) {
        scope.launch { changes.conflate().collect { reload() } }
    }

    /** Runs an action, then reloads; a failure is shown as the state's error. */
    protected fun act(action: suspend () -> Unit): Job = scope.launch {
        try {
            action()
            update { it.withError(null) }
            reload()
        } catch (e: ApiException) {
            update { it.withError(e) }
        }
    }

    /** Dismisses the error shown. */
    fun clearError() = update { it.withError(null) }

    /** Stops this view model's work (its listeners unregister). */
    override fun close() = scope.cancel()
}
