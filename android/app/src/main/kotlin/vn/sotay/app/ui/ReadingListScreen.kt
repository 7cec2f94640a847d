package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.sotay.ReadingItem
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.viewmodel.ReadingListViewModel

/** "My reading list": what the branch published for its sessions; opening one records the receipt. */
@Composable
fun ReadingListScreen(sotay: SoTay, openFirst: ReadingItem?, modifier: Modifier) {
    val vm = rememberScreenModel("reading") { ReadingListViewModel(sotay, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    LaunchedEffect(openFirst) { openFirst?.let { vm.open(it) } }
    val open = state.openDocument

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        if (open != null) {
            item {
                Text(state.openItem?.heading() ?: open.title, style = MaterialTheme.typography.titleLarge)
                state.openItem?.let { Text(stringResource(R.string.reading_published_for, it.sessionTitle, formatDate(it.sessionDate) ?: "—")) }
                Text(open.body)
                TextButton(onClick = { vm.closeDocument() }) { Text(stringResource(R.string.reading_back)) }
            }
        } else {
            item { Text(stringResource(R.string.reading_title), style = MaterialTheme.typography.titleLarge) }
            item { Text(stringResource(R.string.reading_unread, state.unreadCount)) }
            if (state.items.isEmpty() && !state.loading) item { Text(stringResource(R.string.reading_none)) }
            items(state.items) { item ->
                ListItem(
                    headlineContent = { Text(item.heading()) },
                    supportingContent = {
                        val opened = item.openedAt
                        Text(
                            if (opened == null) stringResource(R.string.reading_not_opened)
                            else stringResource(R.string.reading_opened_at, formatTime(opened)),
                        )
                    },
                    modifier = Modifier.clickable { vm.open(item) },
                )
            }
        }
    }
}
