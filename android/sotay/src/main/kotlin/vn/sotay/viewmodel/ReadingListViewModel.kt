package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.ReadingItem
import vn.sotay.TextDocument
import vn.sotay.kit.SoTay

/** The member's reading list, and the draft or material open. */
data class ReadingListState(
    val loading: Boolean = true,
    /** Every draft and material published to the member's branch, newest session first (the core's list). */
    val items: List<ReadingItem> = emptyList(),
    /** The item open, if any. */
    val openItem: ReadingItem? = null,
    /** Its text as published for the session (the exact version sent out), with its comments. */
    val openDocument: TextDocument? = null,
    val error: ApiException? = null,
) {
    /** How many are not opened yet (the badge). */
    val unreadCount: Int get() = items.count { it.openedAt == null }
}

/**
 * "My reading list": what the branch published for its sessions, with when the member first
 * opened each. Opening one ([open]) shows the version published and records the receipt
 * (once, offline; it syncs like any edit, and the secretary's distribution report shows it).
 * Refreshes on every document change: a sync bringing a session or a receipt from the
 * member's other phone.
 */
class ReadingListViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
) : ScreenModel<ReadingListState>(ReadingListState(), scope) {

    /** The open item's session and document. */
    @Volatile
    private var openKey: Pair<String, String>? = null

    init {
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun ReadingListState.withError(error: ApiException?) = copy(error = error)

    override fun ReadingListState.shownError() = error

    override suspend fun load(current: ReadingListState): ReadingListState {
        val items = sotay.readingList()
        val key = openKey
        val item = key?.let { (session, doc) -> items.firstOrNull { it.sessionId == session && it.docId == doc } }
        return current.copy(
            loading = false,
            items = items,
            openItem = item,
            openDocument = item?.let { published(it) },
        )
    }

    /** The draft or material exactly as it was published for the item's session. */
    private suspend fun published(item: ReadingItem): TextDocument {
        val heads = sotay.session(item.sessionId).distribution.firstOrNull { it.docId == item.docId }?.heads
        return if (heads.isNullOrEmpty()) sotay.textDoc(item.docId) else sotay.textDocAt(item.docId, heads)
    }

    /** Opens [item]: shows the version published and records that the member read it. */
    fun open(item: ReadingItem): Job = open(item.sessionId, item.docId)

    /** Opens the draft or material [docId] published for [sessionId]. */
    fun open(sessionId: String, docId: String): Job = act {
        // NotFound (not synced here yet) before any receipt is written.
        sotay.markOpened(docId)
        openKey = sessionId to docId
    }

    /** Back to the list. */
    fun closeDocument(): Job = act { openKey = null }
}
