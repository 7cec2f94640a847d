package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.time.Year
import vn.sotay.ReadingItem
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.viewmodel.BranchHomeViewModel

/** Where the branch home leads. */
class HomeActions(
    val openPlan: (String) -> Unit,
    val openDraft: (planId: String, topicId: String) -> Unit,
    val openApproval: (String) -> Unit,
    /** The reading list, with this item open (`null`: the list). */
    val openReading: (ReadingItem?) -> Unit,
    val openSession: (String) -> Unit,
    val openProposals: () -> Unit,
    val openParticipation: () -> Unit,
    val openOverview: () -> Unit,
)

/** The branch home: what needs the member, the sessions, the plans, and the branch's records. */
@Composable
fun BranchHomeScreen(sotay: SoTay, modifier: Modifier, go: HomeActions) {
    val vm = rememberScreenModel("home") { BranchHomeViewModel(sotay, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    val year = Year.now().value
    LazyColumn(modifier) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item { Text(stringResource(R.string.home_needs_me), style = MaterialTheme.typography.titleMedium) }
        if (state.needsMe.count == 0 && !state.loading) {
            item { Text(stringResource(R.string.home_nothing)) }
        }
        items(state.needsMe.approvalsPending) { p ->
            ListItem(
                headlineContent = { Text(stringResource(R.string.home_pending_approval, p.title, state.nameOf(p.submittedBy))) },
                modifier = Modifier.clickable { go.openApproval(p.docId) },
            )
        }
        items(state.needsMe.draftsToRead) { d ->
            ListItem(
                headlineContent = { Text(stringResource(R.string.home_read_published, d.title)) },
                supportingContent = {
                    Text(stringResource(R.string.home_read_for_session, d.sessionTitle, formatDate(d.sessionDate) ?: "—"))
                },
                modifier = Modifier.clickable { go.openReading(d) },
            )
        }
        items(state.needsMe.myTopicDrafts) { d ->
            ListItem(
                headlineContent = { Text(stringResource(R.string.home_read_my_topic, d.title)) },
                modifier = Modifier.clickable {
                    val plan = d.planId
                    val topic = d.topicId
                    if (plan != null && topic != null) go.openDraft(plan, topic)
                },
            )
        }
        items(state.needsMe.commentsAwaitingReply) { a ->
            ListItem(
                headlineContent = { Text(stringResource(R.string.home_awaiting_reply, state.nameOf(a.latest.author), a.docTitle)) },
                supportingContent = { Text(a.latest.body, maxLines = 2) },
                modifier = Modifier.clickable {
                    vm.markSeen(a)
                    val plan = a.planId
                    val topic = a.topicId
                    if (plan != null && topic != null) go.openDraft(plan, topic)
                },
            )
        }
        item { HorizontalDivider() }
        item { Text(stringResource(R.string.home_sessions), style = MaterialTheme.typography.titleMedium) }
        if (state.sessions.isEmpty() && !state.loading) item { Text(stringResource(R.string.home_no_sessions)) }
        items(state.sessions) { s ->
            ListItem(
                headlineContent = { Text(s.title) },
                supportingContent = {
                    Text(stringResource(R.string.home_session_row, formatDate(s.sessionDate) ?: "—", s.published.toInt()))
                },
                modifier = Modifier.clickable { go.openSession(s.docId) },
            )
        }
        item {
            Column {
                OutlinedButton(onClick = { go.openReading(null) }) { Text(stringResource(R.string.reading_title)) }
                OutlinedButton(onClick = go.openProposals) { Text(stringResource(R.string.board_title)) }
                OutlinedButton(onClick = go.openParticipation) { Text(stringResource(R.string.participation_title)) }
                if (state.isOfficer) {
                    OutlinedButton(onClick = go.openOverview) { Text(stringResource(R.string.overview_title)) }
                }
            }
        }
        item { HorizontalDivider() }
        item { Text(stringResource(R.string.home_plans), style = MaterialTheme.typography.titleMedium) }
        if (state.plans.isEmpty() && !state.loading) item { Text(stringResource(R.string.home_no_plans)) }
        items(state.plans) { p ->
            ListItem(
                headlineContent = { Text(p.title) },
                supportingContent = {
                    Column {
                        Text(stringResource(R.string.home_plan_row, p.number, p.topicCount.toInt()))
                        if (p.conflictCount > 0u) Text(stringResource(R.string.home_plan_conflicts, p.conflictCount.toInt()))
                    }
                },
                modifier = Modifier.clickable { go.openPlan(p.docId) },
            )
        }
        if (state.isOfficer && state.plans.none { it.year == year }) {
            item {
                Button(onClick = { vm.createPlan(year, go.openPlan) }) {
                    Text(stringResource(R.string.home_new_plan, year))
                }
            }
        }
    }
}

/** A draft or material's kind and title ("Dự thảo chuyên đề: …"). */
internal fun ReadingItem.heading(): String = "${kind.label}: $title"
