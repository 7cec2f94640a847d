package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.map
import vn.sotay.ApiException
import vn.sotay.Attachment
import vn.sotay.Comment
import vn.sotay.CommentKind
import vn.sotay.DocKind
import vn.sotay.NewTextDoc
import vn.sotay.ProposalStatus
import vn.sotay.SyncStatus
import vn.sotay.TextDocRow
import vn.sotay.TextDocument
import vn.sotay.Topic
import vn.sotay.kit.SoTay

/** A thread: a comment or proposal, anchored or not, with its replies. */
data class CommentThread(val root: Comment, val replies: List<Comment>) {
    /** A proposal (followed until done). */
    val isProposal: Boolean get() = root.kind == CommentKind.PROPOSAL

    /** The words it is on now, or — if they were all deleted — the words it was made on. */
    val quote: String? get() = root.anchor?.let { if (it.orphaned) it.quote else it.current }
}

/**
 * An attachment opened: its entry and its bytes, for the screen to hand to a viewer (an
 * `Intent` with a `FileProvider` URI on Android). Not a data class: its bytes compare by
 * identity.
 */
class OpenedAttachment(val attachment: Attachment, val bytes: ByteArray)

/** A topic's draft, its materials, and the comments on what is open. */
data class TopicDraftState(
    val loading: Boolean = true,
    val topic: Topic? = null,
    /** The topic's draft (`null` until someone creates it). */
    val draft: TextDocument? = null,
    /** The topic's study materials. */
    val materials: List<TextDocRow> = emptyList(),
    /** The material opened (`null`: the draft is shown). */
    val openMaterial: TextDocument? = null,
    /** Threads of the document shown, in order of writing. */
    val threads: List<CommentThread> = emptyList(),
    /**
     * Files attached to the document shown (materials), oldest first: on this phone or not
     * ("Mở" / "Tải về"), waiting to be sent or refused by the server.
     */
    val attachments: List<Attachment> = emptyList(),
    /** The SHA-256s of attachments being downloaded now (a spinner on their rows). */
    val fetching: Set<String> = emptySet(),
    /** The attachment opened last, with its bytes (`null`: none, or closed). */
    val openedAttachment: OpenedAttachment? = null,
    val error: ApiException? = null,
) {
    /** The document shown: the open material, else the draft. */
    val shown: TextDocument? get() = openMaterial ?: draft
}

/** A topic's draft with its materials, anchored comments and proposals. */
class TopicDraftViewModel(
    private val sotay: SoTay,
    val planId: String,
    val topicId: String,
    scope: CoroutineScope,
) : ScreenModel<TopicDraftState>(TopicDraftState(), scope) {

    /** The material shown instead of the draft, if any. */
    @Volatile
    private var openId: String? = null

    init {
        // Any change may be the plan (the topic's fields), the draft, a material, or a new
        // draft or material of this topic; reads are cheap and a burst is one reload.
        reloadOn(sotay.documentChanges)
        // A sync that ends may have sent this phone's files or had them refused (not every
        // status: an edit's new unsent count is one too, and already reloads).
        reloadOn(sotay.syncStatus.map { it is SyncStatus.Syncing }.distinctUntilChanged().filter { syncing -> !syncing })
        refresh()
    }

    override fun TopicDraftState.withError(error: ApiException?) = copy(error = error)

    override fun TopicDraftState.shownError() = error

    // Downloads in flight and the attachment opened are the actions', not the store's.
    override fun TopicDraftState.keepActionState(latest: TopicDraftState) =
        copy(fetching = latest.fetching, openedAttachment = latest.openedAttachment)

    override suspend fun load(current: TopicDraftState): TopicDraftState {
        val topic = sotay.plan(planId).topics.firstOrNull { it.id == topicId }
        val docs = sotay.textDocs(planId).filter { it.topicId == topicId }
        val draftRow = docs.filter { it.kind == DocKind.TOPIC_DRAFT }.minByOrNull { it.docId }
        val draft = draftRow?.let { sotay.textDoc(it.docId) }
        val materials = docs.filter { it.kind == DocKind.MATERIAL }
        val open = openId?.takeIf { id -> materials.any { it.docId == id } }?.let { sotay.textDoc(it) }
        val shown = open ?: draft
        return current.copy(
            loading = false,
            topic = topic,
            draft = draft,
            materials = materials,
            openMaterial = open,
            threads = shown?.let { threads(it.comments).map { t -> CommentThread(t.first(), t.drop(1)) } } ?: emptyList(),
            attachments = shown?.let { sotay.attachments(it.id) } ?: emptyList(),
        )
    }

    private fun shownId(): String? = state.value.shown?.id

    /** Creates the topic's draft. */
    fun createDraft(title: String, body: String = ""): Job = act {
        val branch = sotay.plan(planId).branchId
        sotay.createTextDoc(NewTextDoc(DocKind.TOPIC_DRAFT, branch, planId, topicId, title, "", body))
    }

    /** Adds a study material to the topic. */
    fun addMaterial(title: String, description: String, body: String): Job = act {
        val branch = sotay.plan(planId).branchId
        sotay.createTextDoc(NewTextDoc(DocKind.MATERIAL, branch, planId, topicId, title, description, body))
    }

    /** Shows a material (`null`: back to the draft). */
    fun openMaterial(docId: String?): Job = act {
        openId = docId
        update { it.copy(openedAttachment = null) }
    }

    /**
     * Attaches a file to the material shown; its bytes go to the server with the next sync.
     * Too large (over 20 MiB) or shown a draft: [ApiException.InvalidInput] in the state.
     */
    fun attach(bytes: ByteArray, fileName: String, mime: String? = null): Job =
        act { shownId()?.let { sotay.attach(it, bytes, fileName, mime) } }

    /**
     * Opens an attachment ("Mở"): its bytes from this phone, or downloaded first ("Tải về"),
     * checked and kept, then [TopicDraftState.openedAttachment]. While it downloads its hash
     * is in [TopicDraftState.fetching]. Not on the server yet ([ApiException.NotFound]),
     * damaged on the way ([ApiException.AttachmentDamaged]) or offline: the state's error.
     */
    fun openAttachment(attachment: Attachment): Job = act {
        update { it.copy(fetching = it.fetching + attachment.sha256) }
        try {
            val bytes = sotay.fetchAttachment(attachment.sha256)
            update { it.copy(openedAttachment = OpenedAttachment(attachment, bytes)) }
        } finally {
            update { it.copy(fetching = it.fetching - attachment.sha256) }
        }
    }

    /** Closes the attachment opened (the screen handed it to a viewer, or the member went back). */
    fun closeAttachment() = update { it.copy(openedAttachment = null) }

    /** Replaces the shown document's text (a minimal diff: others' concurrent edits survive). */
    fun replaceBody(text: String): Job = act { shownId()?.let { sotay.replaceBody(it, text) } }

    /** Edits the shown document's text at [position]. */
    fun spliceBody(position: Int, delete: Int, insert: String): Job =
        act { shownId()?.let { sotay.spliceBody(it, position, delete, insert) } }

    /** Comments (or proposes) on [range] of the shown text, or on the whole text. */
    fun comment(body: String, range: IntRange? = null, proposal: Boolean = false): Job = act {
        shownId()?.let {
            sotay.addComment(it, body, if (proposal) CommentKind.PROPOSAL else CommentKind.COMMENT, range)
        }
    }

    /** Replies in a thread. */
    fun reply(threadId: String, body: String): Job = act { shownId()?.let { sotay.reply(it, threadId, body) } }

    /** Edits one of the member's comments. */
    fun edit(commentId: String, body: String): Job = act { shownId()?.let { sotay.editComment(it, commentId, body) } }

    /** Deletes one of the member's comments. */
    fun delete(commentId: String): Job = act { shownId()?.let { sotay.deleteComment(it, commentId) } }

    /** Resolves or reopens a thread. */
    fun resolve(threadId: String, resolved: Boolean = true): Job =
        act { shownId()?.let { sotay.resolveComment(it, threadId, resolved) } }

    /** Decides a proposal. */
    fun decide(proposalId: String, status: ProposalStatus): Job =
        act { shownId()?.let { sotay.setProposalStatus(it, proposalId, status) } }
}
