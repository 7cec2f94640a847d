package vn.sotay.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.sotay.ApprovalStatus
import vn.sotay.DeltaContent
import vn.sotay.FieldScope
import vn.sotay.FieldValue
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.kit.labelOf
import vn.sotay.viewmodel.ApprovalViewModel

/**
 * Approval: the secretary approves exactly the version shown (signed on this phone); members
 * see whether it is approved, whether the signature holds, and what changed since.
 */
@Composable
fun ApprovalScreen(sotay: SoTay, docId: String, modifier: Modifier) {
    val vm = rememberScreenModel("approval:$docId") { ApprovalViewModel(sotay, docId, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    var note by remember { mutableStateOf("") }

    Column(modifier.padding(12.dp).verticalScroll(rememberScrollState())) {
        Text(stringResource(R.string.approval_title), style = MaterialTheme.typography.titleLarge)
        ErrorBanner(state.error) { vm.clearError() }
        when (val s = state.status) {
            ApprovalStatus.NotSubmitted -> Text(s.label)
            is ApprovalStatus.Submitted -> Text(stringResource(R.string.approval_submitted, s.label, s.by))
            is ApprovalStatus.Approved -> Text(
                stringResource(
                    R.string.approval_approved,
                    s.label, s.approval.signer, s.approval.role.label, formatTime(s.approval.signedAt),
                ),
            )
            is ApprovalStatus.ApprovedWithChanges -> {
                val delta = s.delta
                Text(
                    stringResource(
                        R.string.approval_changed,
                        s.label, s.approval.signer, s.approval.role.label, delta?.changeCount?.toInt() ?: 0,
                    ),
                )
                when (val content = delta?.content) {
                    is DeltaContent.Plan -> {
                        content.delta.fields.forEach { f ->
                            Text(
                                stringResource(
                                    R.string.approval_change_plan_field,
                                    FieldScope.DOCUMENT.labelOf(f.field), show(f.from), show(f.to), f.by ?: "?",
                                ),
                            )
                        }
                        content.delta.topicFields.forEach { f ->
                            Text(
                                stringResource(
                                    R.string.approval_change_field,
                                    f.topicTitle, FieldScope.TOPIC.labelOf(f.change.field),
                                    show(f.change.from), show(f.change.to), f.change.by ?: "?",
                                ),
                            )
                        }
                    }
                    is DeltaContent.Text -> {
                        Text(stringResource(R.string.approval_change_other, delta.changeCount.toInt()))
                        content.delta.attachmentsAdded.forEach { a ->
                            Text(stringResource(R.string.approval_attachment_added, a.name, a.sizeLabel))
                        }
                    }
                    is DeltaContent.Session -> content.fields.forEach { key ->
                        Text(stringResource(R.string.approval_change_minutes_part, FieldScope.SESSION.labelOf(key)))
                    }
                    null -> {}
                }
            }
            is ApprovalStatus.Invalid -> Text(stringResource(R.string.approval_invalid, s.label, s.reasonVi))
        }
        state.readiness?.takeIf { !it.ready }?.missing?.forEach { m ->
            Text(stringResource(R.string.plan_missing, m.topicTitle, m.field.label))
        }
        if (state.unsent > 0) Text(stringResource(R.string.approval_unsent, state.unsent))
        OutlinedTextField(note, { note = it }, label = { Text(stringResource(R.string.approval_note)) })
        OutlinedButton(onClick = { vm.submit(note.trim()) }) { Text(stringResource(R.string.approval_submit)) }
        if (state.mayApprove) {
            Button(enabled = state.canApproveNow, onClick = { vm.approve(note.trim()) }) {
                Text(stringResource(R.string.approval_approve))
            }
        }
    }
}

/** A changed value as text. */
private fun show(v: FieldValue): String = when (v) {
    is FieldValue.Text -> v.value
    is FieldValue.Date -> formatDate(v.date) ?: "—"
    is FieldValue.Bool -> if (v.value) "có" else "không"
    is FieldValue.Member -> v.memberId ?: "—"
    is FieldValue.Members -> v.memberIds.joinToString()
    is FieldValue.Group -> v.group.label
    is FieldValue.Status -> v.status.label
}
