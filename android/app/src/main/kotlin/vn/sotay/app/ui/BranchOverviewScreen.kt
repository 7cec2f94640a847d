package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.time.Year
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.viewmodel.BranchOverviewViewModel

/** The secretary's overview of the branch's year. */
@Composable
fun BranchOverviewScreen(sotay: SoTay, modifier: Modifier, onOpenSession: (String) -> Unit) {
    val year = Year.now().value
    val vm = rememberScreenModel("overview:$year") { BranchOverviewViewModel(sotay, it, year) }
    val state by vm.state.collectAsStateWithLifecycle()
    val o = state.overview

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item { Text(stringResource(R.string.overview_year, year), style = MaterialTheme.typography.titleLarge) }
        item {
            Text(stringResource(R.string.overview_quarters, state.heldPerQuarter.joinToString(" · ")))
            if (state.quartersMissed.isNotEmpty()) {
                Text(stringResource(R.string.overview_missed, state.quartersMissed.joinToString()))
            }
        }
        if (o != null) {
            item {
                Text(stringResource(R.string.overview_proposals, o.openProposals.toInt(), o.overdueProposals.toInt()))
            }
            items(o.absenceFlags) { f ->
                Text(stringResource(R.string.overview_absence_flag, f.name, f.months.joinToString()))
            }
        }
        item { HorizontalDivider() }
        items(state.sessions) { s ->
            ListItem(
                headlineContent = { Text(s.title) },
                supportingContent = {
                    Column {
                        Text(formatDate(s.sessionDate) ?: "—")
                        Text(
                            when {
                                s.adopted -> stringResource(R.string.session_adopted)
                                s.held -> stringResource(R.string.overview_held_not_adopted)
                                else -> stringResource(R.string.overview_not_held)
                            },
                        )
                        if (s.durationOk == false) Text(stringResource(R.string.overview_too_short))
                        Text(stringResource(R.string.overview_materials, s.published.toInt(), s.publishedLate.toInt(), s.unread.toInt()))
                    }
                },
                modifier = Modifier.clickable { onOpenSession(s.sessionId) },
            )
        }
    }
}
