package vn.sotay.app.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.launch
import vn.sotay.Attachment
import vn.sotay.AttachmentUpload
import vn.sotay.DocKind
import vn.sotay.ProposalStatus
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.viewmodel.CommentThread
import vn.sotay.viewmodel.TopicDraftViewModel

/** A topic's draft with its materials and the comments and proposals on them. */
@Composable
fun TopicDraftScreen(
    sotay: SoTay,
    planId: String,
    topicId: String,
    modifier: Modifier,
    onOpenApproval: (docId: String) -> Unit,
) {
    val vm = rememberScreenModel("draft:$planId:$topicId") { TopicDraftViewModel(sotay, planId, topicId, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    var comment by remember { mutableStateOf("") }
    var editing by remember { mutableStateOf<String?>(null) }
    val shown = state.shown
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    // "Đính kèm tệp": the system picker, then the file's bytes to the material (the core
    // refuses what is too large or not a material; the refusal shows as the error).
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        if (uri != null) {
            scope.launch {
                val picked = readPicked(context, uri)
                vm.attach(picked.bytes, picked.name, picked.mime)
            }
        }
    }
    // An attachment opened (from the phone, or downloaded first) goes to a viewer app.
    val opened = state.openedAttachment
    LaunchedEffect(opened) {
        if (opened != null) {
            viewAttachment(context, opened)
            vm.closeAttachment()
        }
    }

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item {
            Text(state.topic?.title ?: DocKind.TOPIC_DRAFT.label, style = MaterialTheme.typography.titleLarge)
        }
        if (shown == null) {
            item {
                Text(stringResource(R.string.draft_none))
                Button(onClick = { vm.createDraft(state.topic?.title ?: "") }) { Text(stringResource(R.string.draft_create)) }
            }
        } else {
            item {
                Text(shown.title, style = MaterialTheme.typography.titleMedium)
                val draft = editing
                if (draft == null) {
                    Text(shown.body, Modifier.padding(vertical = 8.dp))
                    Row {
                        TextButton(onClick = { editing = shown.body }) { Text(stringResource(R.string.draft_edit)) }
                        TextButton(onClick = { onOpenApproval(shown.id) }) { Text(stringResource(R.string.draft_approval)) }
                    }
                } else {
                    OutlinedTextField(draft, { editing = it }, modifier = Modifier.fillMaxWidth())
                    Row {
                        Button(onClick = { vm.replaceBody(draft); editing = null }) { Text(stringResource(R.string.save)) }
                        TextButton(onClick = { editing = null }) { Text(stringResource(R.string.cancel)) }
                    }
                }
            }
            if (state.attachments.isNotEmpty()) {
                item { Text(stringResource(R.string.draft_attachments), style = MaterialTheme.typography.titleMedium) }
                items(state.attachments, key = { it.sha256 }) { a ->
                    AttachmentRow(a, fetching = a.sha256 in state.fetching) { vm.openAttachment(a) }
                }
            }
            if (shown.kind == DocKind.MATERIAL) {
                item {
                    TextButton(onClick = { pick.launch(arrayOf("*/*")) }) { Text(stringResource(R.string.attachment_add)) }
                }
            }
            item { Text(stringResource(R.string.draft_comments), style = MaterialTheme.typography.titleMedium) }
            items(state.threads) { thread -> ThreadCard(thread, vm) }
            item {
                OutlinedTextField(comment, { comment = it }, label = { Text(stringResource(R.string.draft_comment_hint)) }, modifier = Modifier.fillMaxWidth())
                Row {
                    Button(enabled = comment.isNotBlank(), onClick = { vm.comment(comment.trim()); comment = "" }) {
                        Text(stringResource(R.string.draft_comment))
                    }
                    TextButton(enabled = comment.isNotBlank(), onClick = { vm.comment(comment.trim(), proposal = true); comment = "" }) {
                        Text(stringResource(R.string.draft_propose))
                    }
                }
            }
        }
        item { HorizontalDivider() }
        item { Text(stringResource(R.string.draft_materials), style = MaterialTheme.typography.titleMedium) }
        if (state.openMaterial != null) {
            item { TextButton(onClick = { vm.openMaterial(null) }) { Text(stringResource(R.string.draft_back_to_draft)) } }
        }
        items(state.materials) { m ->
            TextButton(onClick = { vm.openMaterial(m.docId) }) { Text(m.title) }
        }
    }
}

/** A file of the material: name, size, whether it waits to be sent; "Mở" or "Tải về". */
@Composable
private fun AttachmentRow(a: Attachment, fetching: Boolean, onOpen: () -> Unit) {
    Row(Modifier.fillMaxWidth().padding(vertical = 2.dp)) {
        Column(Modifier.weight(1f)) {
            Text(stringResource(R.string.attachment_row, a.name, a.sizeLabel))
            when (val u = a.upload) {
                AttachmentUpload.Pending -> Text(stringResource(R.string.attachment_pending), style = MaterialTheme.typography.bodySmall)
                is AttachmentUpload.Refused ->
                    Text(stringResource(R.string.attachment_refused, u.message), style = MaterialTheme.typography.bodySmall)
                AttachmentUpload.NotQueued -> {}
            }
        }
        TextButton(enabled = !fetching, onClick = onOpen) {
            Text(
                stringResource(
                    when {
                        fetching -> R.string.attachment_downloading
                        a.onDevice -> R.string.attachment_open
                        else -> R.string.attachment_download
                    },
                ),
            )
        }
    }
}

@Composable
private fun ThreadCard(thread: CommentThread, vm: TopicDraftViewModel) {
    var reply by remember { mutableStateOf("") }
    val root = thread.root
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
        Column(Modifier.padding(10.dp)) {
            thread.quote?.let { q ->
                Text(stringResource(R.string.draft_on_quote, q), style = MaterialTheme.typography.bodySmall)
                if (root.anchor?.orphaned == true) Text(stringResource(R.string.draft_orphaned), style = MaterialTheme.typography.bodySmall)
            }
            if (thread.isProposal) {
                Text(
                    stringResource(R.string.draft_proposal_status, root.kind.label, (root.status ?: ProposalStatus.OPEN).label),
                    style = MaterialTheme.typography.labelMedium,
                )
            }
            Text("${root.author}: ${if (root.deleted) stringResource(R.string.draft_deleted) else root.body}")
            thread.replies.forEach { r ->
                Text("  ↳ ${r.author}: ${if (r.deleted) stringResource(R.string.draft_deleted) else r.body}")
            }
            Row {
                if (thread.isProposal && root.status == ProposalStatus.OPEN) {
                    TextButton(onClick = { vm.decide(root.id, ProposalStatus.ACCEPTED) }) { Text(stringResource(R.string.draft_accept)) }
                    TextButton(onClick = { vm.decide(root.id, ProposalStatus.REJECTED) }) { Text(stringResource(R.string.draft_reject)) }
                }
                TextButton(onClick = { vm.resolve(root.id, !root.resolved) }) {
                    Text(stringResource(if (root.resolved) R.string.draft_reopen else R.string.draft_resolve))
                }
            }
            OutlinedTextField(reply, { reply = it }, label = { Text(stringResource(R.string.draft_reply)) }, modifier = Modifier.fillMaxWidth())
            TextButton(enabled = reply.isNotBlank(), onClick = { vm.reply(root.id, reply.trim()); reply = "" }) {
                Text(stringResource(R.string.draft_reply))
            }
        }
    }
}
