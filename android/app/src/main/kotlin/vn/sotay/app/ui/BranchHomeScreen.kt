package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.time.Year
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.viewmodel.BranchHomeViewModel
import vn.sotay.viewmodel.ReadReason

/** The branch home: its plans and what needs the member. */
@Composable
fun BranchHomeScreen(
    sotay: SoTay,
    modifier: Modifier,
    onOpenPlan: (String) -> Unit,
    onOpenDraft: (planId: String, topicId: String) -> Unit,
    onOpenApproval: (String) -> Unit,
) {
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
                modifier = Modifier.clickable { onOpenApproval(p.docId) },
            )
        }
        items(state.needsMe.draftsToRead) { d ->
            val label = if (d.reason == ReadReason.PUBLISHED) R.string.home_read_published else R.string.home_read_my_topic
            ListItem(
                headlineContent = { Text(stringResource(label, d.doc.title)) },
                modifier = Modifier.clickable {
                    val plan = d.doc.planId
                    val topic = d.doc.topicId
                    if (plan != null && topic != null) onOpenDraft(plan, topic)
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
                    if (plan != null && topic != null) onOpenDraft(plan, topic)
                },
            )
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
                modifier = Modifier.clickable { onOpenPlan(p.docId) },
            )
        }
        if (state.isOfficer && state.plans.none { it.year == year }) {
            item {
                Button(onClick = { vm.createPlan(year, onOpenPlan) }) {
                    Text(stringResource(R.string.home_new_plan, year))
                }
            }
        }
    }
}
