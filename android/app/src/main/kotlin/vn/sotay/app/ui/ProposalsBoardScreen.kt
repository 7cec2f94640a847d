package vn.sotay.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.time.Year
import vn.sotay.ProposalStage
import vn.sotay.TaskStatus
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.viewmodel.ProposalsBoardViewModel

/** The proposals board: every proposal of the year by stage; task owners post progress. */
@Composable
fun ProposalsBoardScreen(sotay: SoTay, modifier: Modifier) {
    val year = Year.now().value
    val vm = rememberScreenModel("proposals:$year") { ProposalsBoardViewModel(sotay, it, year) }
    val state by vm.state.collectAsStateWithLifecycle()

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item { Text(stringResource(R.string.board_year, year), style = MaterialTheme.typography.titleLarge) }
        if (state.overdue.isNotEmpty()) item { Text(stringResource(R.string.board_overdue, state.overdue.size)) }
        if (state.items.isEmpty() && !state.loading) item { Text(stringResource(R.string.board_none)) }
        for (stage in ProposalStage.entries) {
            val atStage = state.atStage(stage)
            if (atStage.isEmpty()) continue
            item { Text("${stage.label} (${atStage.size})", style = MaterialTheme.typography.titleMedium) }
            items(atStage) { p ->
                val task = p.task
                ListItem(
                    headlineContent = { Text(p.excerpt) },
                    supportingContent = {
                        Column {
                            Text(stringResource(R.string.board_by, state.nameOf(p.author), p.docTitle))
                            if (task != null) {
                                Text(
                                    stringResource(
                                        R.string.board_task, task.title, state.nameOf(task.owner),
                                        formatDate(task.deadline) ?: "—", task.status.label,
                                    ),
                                )
                            }
                        }
                    },
                    trailingContent = {
                        if (task != null && task.owner == state.me && task.status != TaskStatus.DONE) {
                            TextButton(onClick = { vm.updateTask(task, TaskStatus.DONE) }) { Text(TaskStatus.DONE.label) }
                        }
                    },
                )
            }
        }
    }
}
