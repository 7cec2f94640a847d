package vn.sotay.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import vn.sotay.SyncStatus
import vn.sotay.app.R
import vn.sotay.viewmodel.SyncStatusState

/** The sync bar: offline, syncing with progress, last synced, edits waiting; a sync button. */
@Composable
fun SyncBar(state: SyncStatusState, onSync: () -> Unit) {
    Surface(tonalElevation = 3.dp) {
        Column(Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 6.dp)) {
            if (state.isSyncing) LinearProgressIndicator(Modifier.fillMaxWidth())
            Row(
                Modifier.fillMaxWidth(),
                horizontalArrangement = Arrangement.SpaceBetween,
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Column(Modifier.weight(1f)) {
                    Text(statusLine(state))
                    if (state.unsentDocuments > 0 && !state.isOffline) {
                        Text(stringResource(R.string.sync_pending, state.unsentDocuments))
                    }
                }
                TextButton(onClick = onSync, enabled = !state.isSyncing) { Text(stringResource(R.string.sync_now)) }
            }
        }
    }
}

@Composable
private fun statusLine(state: SyncStatusState): String = when (val s = state.status) {
    SyncStatus.NotEnrolled -> stringResource(R.string.sync_not_enrolled)
    is SyncStatus.Syncing -> stringResource(R.string.sync_syncing, s.progress.round.toInt() + 1, s.progress.docsApplied.toInt())
    is SyncStatus.Offline -> stringResource(R.string.sync_offline, s.unsentDocuments.toInt())
    is SyncStatus.Failed -> stringResource(R.string.sync_failed, s.message)
    is SyncStatus.Idle -> s.lastSyncedAt?.let { stringResource(R.string.sync_last, formatTime(it)) }
        ?: stringResource(R.string.sync_never)
}
