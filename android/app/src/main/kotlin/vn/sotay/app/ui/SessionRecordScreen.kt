package vn.sotay.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.sotay.Attendance
import vn.sotay.FieldScope
import vn.sotay.MinutesAdoption
import vn.sotay.PaperFormat
import vn.sotay.SessionText
import vn.sotay.TaskStatus
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.kit.labelOf
import vn.sotay.viewmodel.SessionRecordViewModel

/**
 * The session record: the minutes typed during the sitting, the duration check, the quality
 * score, who has read what was published, and the chair's and the clerk's signatures.
 */
@Composable
fun SessionRecordScreen(sotay: SoTay, sessionId: String, modifier: Modifier) {
    val vm = rememberScreenModel("session:$sessionId") { SessionRecordViewModel(sotay, sessionId, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    // The minutes written as a paper go to the apps that open, print or send them.
    SharePaperEffect(context, state.paper) { vm.closePaper() }
    val s = state.session
    var start by remember { mutableStateOf("") }
    var end by remember { mutableStateOf("") }
    var conclusion by remember(s?.conclusion) { mutableStateOf(s?.conclusion ?: "") }
    var taskTitle by remember { mutableStateOf("") }
    var note by remember { mutableStateOf("") }

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        if (s == null) return@LazyColumn
        item {
            Text(s.title, style = MaterialTheme.typography.titleLarge)
            Text(stringResource(R.string.session_date_place, formatDate(s.sessionDate) ?: "—", s.place))
            Text(stringResource(R.string.session_people, state.nameOf(s.chair), state.nameOf(s.clerk), state.nameOf(s.presenter)))
        }

        // Adoption.
        item {
            HorizontalDivider()
            Text(
                when (val a = state.adoption) {
                    MinutesAdoption.NotSigned -> stringResource(R.string.session_not_signed)
                    is MinutesAdoption.PartlySigned ->
                        stringResource(R.string.session_partly_signed, a.awaiting.joinToString { state.nameOf(it) })
                    is MinutesAdoption.Adopted -> stringResource(R.string.session_adopted)
                    is MinutesAdoption.AdoptedWithChanges -> stringResource(R.string.session_adopted_changed)
                },
                style = MaterialTheme.typography.titleMedium,
            )
            state.signatures.forEach { Text(stringResource(R.string.session_signed_by, state.nameOf(it.signer), formatTime(it.signedAt))) }
            state.changedSinceAdoption.forEach { Text(stringResource(R.string.approval_change_minutes_part, FieldScope.SESSION.labelOf(it))) }
            if (state.missingBeforeSigning.isNotEmpty()) {
                Text(
                    stringResource(R.string.session_missing_before_signing, state.missingBeforeSigning.joinToString { it.label }),
                    color = MaterialTheme.colorScheme.error,
                )
            }
            if (state.canSign) Button(onClick = { vm.sign(note.trim()) }) { Text(stringResource(R.string.session_sign)) }
            TextButton(onClick = { vm.exportMinutes(PaperFormat.DOCX) }) { Text(stringResource(R.string.session_export)) }
        }

        // Times and the HD 42 duration check.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("started_at") + " / " + FieldScope.SESSION.labelOf("ended_at"), style = MaterialTheme.typography.titleMedium)
            Row {
                OutlinedTextField(start, { start = it }, label = { Text(stringResource(R.string.session_time_hint)) })
                TextButton(onClick = { vm.setStart(start) }) { Text(stringResource(R.string.save)) }
            }
            Row {
                OutlinedTextField(end, { end = it }, label = { Text(stringResource(R.string.session_time_hint)) })
                TextButton(onClick = { vm.setEnd(end) }) { Text(stringResource(R.string.save)) }
            }
            s.durationMinutes?.let { minutes ->
                Text(
                    if (state.durationOk == true) stringResource(R.string.session_duration_ok, minutes.toInt(), s.requiredMinutes.toInt())
                    else stringResource(R.string.session_duration_short, minutes.toInt(), s.requiredMinutes.toInt()),
                )
            }
        }

        // Attendance.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("attendance"), style = MaterialTheme.typography.titleMedium)
            OutlinedButton(onClick = { vm.markAllPresent() }) { Text(stringResource(R.string.session_all_present)) }
        }
        items(state.members) { m ->
            ListItem(
                headlineContent = { Text(m.fullName) },
                supportingContent = { Text(state.attendanceOf(m.id)?.label ?: stringResource(R.string.session_not_recorded)) },
                trailingContent = {
                    Row {
                        Attendance.entries.forEach { a ->
                            TextButton(onClick = { vm.setAttendance(m.id, a) }) { Text(a.label) }
                        }
                    }
                },
            )
        }

        // Opinions, typed or taken from the comments on what was published.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("opinions"), style = MaterialTheme.typography.titleMedium)
        }
        items(s.opinions) { o -> ListItem(headlineContent = { Text(state.nameOf(o.memberId)) }, supportingContent = { Text(o.body) }) }
        items(state.publishedComments.filter { c -> s.opinions.none { it.source == c.source } }) { c ->
            ListItem(
                headlineContent = { Text("${c.comment.kind.label} — ${state.nameOf(c.comment.author)}") },
                supportingContent = { Text(c.comment.body) },
                trailingContent = {
                    Row {
                        TextButton(onClick = { vm.addOpinion(c) }) { Text(stringResource(R.string.session_record_opinion)) }
                        TextButton(onClick = { vm.addTask(taskTitle.ifBlank { c.comment.body }, c.comment.author, null, c) }) {
                            Text(stringResource(R.string.session_adopt_as_task))
                        }
                    }
                },
            )
        }

        // Conclusion.
        item {
            HorizontalDivider()
            OutlinedTextField(conclusion, { conclusion = it }, label = { Text(FieldScope.SESSION.labelOf("conclusion")) })
            TextButton(onClick = { vm.setText(SessionText.CONCLUSION, conclusion) }) { Text(stringResource(R.string.save)) }
        }

        // Tasks.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("tasks"), style = MaterialTheme.typography.titleMedium)
            OutlinedTextField(taskTitle, { taskTitle = it }, label = { Text(stringResource(R.string.session_task_title)) })
        }
        items(s.tasks) { t ->
            ListItem(
                headlineContent = { Text(t.title) },
                supportingContent = {
                    Text(stringResource(R.string.session_task_row, state.nameOf(t.owner), formatDate(t.deadline) ?: "—", t.status.label))
                },
                trailingContent = {
                    if (t.status != TaskStatus.DONE) TextButton(onClick = { vm.updateTask(t.id, TaskStatus.DONE) }) { Text(TaskStatus.DONE.label) }
                },
            )
        }

        // Quality self-score on the grid.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("quality"), style = MaterialTheme.typography.titleMedium)
        }
        items(state.grid?.criteria ?: emptyList()) { c ->
            ListItem(
                headlineContent = { Text(c.label) },
                supportingContent = { Text(stringResource(R.string.session_points, (s.quality[c.code] ?: 0u).toInt(), c.max.toInt())) },
                trailingContent = { TextButton(onClick = { vm.setQuality(c.code, c.max.toInt()) }) { Text(stringResource(R.string.session_points_max)) } },
            )
        }
        item {
            Text(stringResource(R.string.session_quality_total, s.qualityTotal.toInt(), s.qualityLevel.label))
            OutlinedTextField(note, { note = it }, label = { Text(stringResource(R.string.approval_note)) })
        }

        // Who has read what was published.
        item {
            HorizontalDivider()
            Text(FieldScope.SESSION.labelOf("distribution"), style = MaterialTheme.typography.titleMedium)
        }
        items(state.distribution) { d ->
            ListItem(
                headlineContent = { Text("${d.kind.label}: ${d.title}") },
                supportingContent = {
                    Column {
                        Text(stringResource(R.string.session_read_count, d.opened.size, d.opened.size + d.notOpened.size))
                        if (d.late) Text(stringResource(R.string.session_published_late, d.leadDays.toInt()))
                    }
                },
            )
        }
    }
}
