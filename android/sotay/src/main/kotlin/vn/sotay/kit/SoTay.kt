package vn.sotay.kit

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.withContext
import vn.sotay.AnnualPlan
import vn.sotay.ApprovalRights
import vn.sotay.ApprovalStatus
import vn.sotay.Attachment
import vn.sotay.Attendance
import vn.sotay.BlobRefusal
import vn.sotay.BranchOverview
import vn.sotay.ChangeInfo
import vn.sotay.CommentKind
import vn.sotay.Conflict
import vn.sotay.ConflictValue
import vn.sotay.DamagedDocument
import vn.sotay.Delta
import vn.sotay.DistributionStatus
import vn.sotay.DocumentChangeListener
import vn.sotay.Enrollment
import vn.sotay.EvidenceReport
import vn.sotay.ListenerHandle
import vn.sotay.Member
import vn.sotay.MemberHistory
import vn.sotay.MinutesAdoption
import vn.sotay.NewComment
import vn.sotay.NewPlan
import vn.sotay.NewTask
import vn.sotay.NewTextDoc
import vn.sotay.NewTopic
import vn.sotay.PlanField
import vn.sotay.PlanRow
import vn.sotay.PlanText
import vn.sotay.Paper
import vn.sotay.PaperFormat
import vn.sotay.ProposalItem
import vn.sotay.ProposalStatus
import vn.sotay.QualityGrid
import vn.sotay.ReadingItem
import vn.sotay.Readiness
import vn.sotay.Role
import vn.sotay.Session
import vn.sotay.SessionField
import vn.sotay.SessionRow
import vn.sotay.SessionText
import vn.sotay.Signoff
import vn.sotay.SignoffEntry
import vn.sotay.SotayStore
import vn.sotay.SourceRef
import vn.sotay.SyncReport
import vn.sotay.SyncState
import vn.sotay.SyncStatus
import vn.sotay.SyncStatusListener
import vn.sotay.TaskStatus
import vn.sotay.TextDocRow
import vn.sotay.TextDocument
import vn.sotay.TextRange
import vn.sotay.TopicField
import vn.sotay.TopicRow
import vn.sotay.WhatNeedsMe

/**
 * One phone's SoTay store, the Kotlin way: `suspend` functions that run on [io] (the store's
 * calls are fast but touch the disk; a running sync holds them up only for its brief local
 * steps, never while it waits on the network), [Flow]s for sync status and
 * document changes, and [AutoCloseable].
 *
 * Everything here is an idiom over the generated bindings (`vn.sotay.SotayStore`); rules,
 * merging and signing live in the Rust core. Errors are the generated
 * [vn.sotay.ApiException] subclasses, each saying what to do (`Offline`: nothing is lost,
 * sync later; `NotPermitted`; `NotReady`; …).
 *
 * ```kotlin
 * val sotay = SoTay.open(context.filesDir.resolve("sotay.db").path)
 * sotay.enroll("https://sotay.example.vn", code, "Điện thoại của Lượng")
 * sotay.sync()
 * sotay.syncStatus.collect { status -> … }
 * ```
 */
class SoTay private constructor(
    private val store: SotayStore,
    private val io: CoroutineDispatcher,
) : AutoCloseable {

    companion object {
        /** Opens (or creates) the store at [path]. */
        suspend fun open(path: String, io: CoroutineDispatcher = Dispatchers.IO): SoTay =
            withContext(io) { SoTay(SotayStore.open(path), io) }
    }

    private suspend fun <T> onIo(block: SotayStore.() -> T): T = withContext(io) { store.block() }

    /**
     * A flow over a foreign-trait listener: [register] subscribes (at collection start, in
     * the collector's coroutine) and returns the handle, closed when collection ends. What
     * the listener hears is buffered without bound, so the Rust delivery thread never waits.
     */
    private fun <T> listenerFlow(register: ((T) -> Unit) -> ListenerHandle): Flow<T> = flow {
        val heard = Channel<T>(Channel.UNLIMITED)
        val handle = register { heard.trySend(it) }
        try {
            for (value in heard) emit(value)
        } finally {
            handle.close()
        }
    }

    /** Frees the native store. Flows already collecting stop receiving; calls after this fail. */
    override fun close() = store.close()

    // ----- sync ------------------------------------------------------------------------------

    /** Enrolls this device with a one-time code from the committee's admin. */
    suspend fun enroll(serverUrl: String, code: String, deviceName: String): Enrollment =
        store.enroll(serverUrl, code, deviceName)

    /**
     * Syncs everything with the server in one round trip. Throws
     * [vn.sotay.ApiException.Offline] when the server cannot be reached: a normal state in
     * which every edit stays queued.
     */
    suspend fun sync(): SyncReport = store.sync()

    /** Where sync stands now. */
    val currentSyncStatus: SyncStatus get() = store.syncStatus()

    /**
     * Sync status: the current value at once, then every change (idle, syncing with
     * progress, offline, failed), none dropped. Screens keep the latest (a `StateFlow`).
     *
     * The listener is registered as soon as collection starts (before the collector first
     * suspends) and unregistered when it stops.
     */
    val syncStatus: Flow<SyncStatus> = listenerFlow { send ->
        store.subscribeSyncStatus(object : SyncStatusListener {
            override fun onStatus(status: SyncStatus) = send(status)
        })
    }

    /**
     * The ids of documents changed by a local edit or received by a sync, as they happen
     * (nothing is dropped). Registered as soon as collection starts, like [syncStatus].
     */
    val documentChanges: Flow<List<String>> = listenerFlow { send ->
        store.subscribeDocumentChanges(object : DocumentChangeListener {
            override fun onDocumentsChanged(docIds: List<String>) = send(docIds)
        })
    }

    /** Emits whenever document [docId] changes. */
    fun changesOf(docId: String): Flow<Unit> =
        documentChanges.filter { docId in it }.map { }

    /** Where sync stands, as stored (last sync, last error, unsent documents). */
    suspend fun syncState(): SyncState = onIo { syncState() }

    /**
     * Points this device at its server's new address (the same server, moved): enrollment,
     * cursors and queued edits are kept; the next sync goes there.
     */
    suspend fun setServerUrl(serverUrl: String) = onIo { setServerUrl(serverUrl) }

    // ----- identity and members ----------------------------------------------------------------

    /** The member this device edits as. */
    suspend fun identity(): String? = onIo { identity() }

    /** The enrollment, if any. */
    suspend fun enrollment(): Enrollment? = onIo { enrollment() }

    /** This member's role per the synced directory (`null` before the first sync). */
    suspend fun myRole(): Role? = onIo { myRole() }

    /** The branch's members, in Vietnamese name order. */
    suspend fun members(): List<Member> = onIo { members() }

    /** Members matching [query], accents ignored ("luong" finds "Lượng"). */
    suspend fun searchMembers(query: String): List<Member> = onIo { searchMembers(query) }

    /** A member by id or name. */
    suspend fun findMember(idOrName: String): Member? = onIo { findMember(idOrName) }

    /** Sets the member a store without a server edits as (tests, demos). */
    suspend fun setIdentity(memberId: String) = onIo { setIdentity(memberId) }

    /** Adds a member to a store without a server (tests, demos). */
    suspend fun upsertMember(member: Member) = onIo { upsertMember(member) }

    // ----- plans -------------------------------------------------------------------------------

    /** Plans, optionally of one branch. */
    suspend fun plans(branchId: String? = null): List<PlanRow> = onIo { planRows(branchId) }

    /** A plan's topic rows, in order. */
    suspend fun topics(planId: String): List<TopicRow> = onIo { topicRows(planId) }

    /** Topics matching [query], accents ignored. */
    suspend fun searchTopics(query: String): List<TopicRow> = onIo { searchTopics(query) }

    /** The whole plan. */
    suspend fun plan(planId: String): AnnualPlan = onIo { plan(planId) }

    /** Creates a plan (officers only); returns its id. */
    suspend fun createPlan(plan: NewPlan): String = onIo { createPlan(plan) }

    /** Adds a topic; returns its id. */
    suspend fun addTopic(planId: String, topic: NewTopic): String = onIo { addTopic(planId, topic) }

    /** Sets one field of a topic. */
    suspend fun setTopicField(planId: String, topicId: String, field: TopicField) =
        onIo { setTopicField(planId, topicId, field) }

    /** Adds or removes a preparer. */
    suspend fun setPreparer(planId: String, topicId: String, memberId: String, present: Boolean = true) =
        onIo { setPreparer(planId, topicId, memberId, present) }

    /** Moves a topic to a 0-based [index]. */
    suspend fun moveTopic(planId: String, topicId: String, index: Int) =
        onIo { moveTopic(planId, topicId, index.toUInt()) }

    /** Cancels a topic (kept, marked cancelled). */
    suspend fun cancelTopic(planId: String, topicId: String) = onIo { cancelTopic(planId, topicId) }

    /** Sets a header field (number and date: secretary and deputy). */
    suspend fun setPlanField(planId: String, field: PlanField) = onIo { setPlanField(planId, field) }

    /** Edits a plan text at [position] (code points). */
    suspend fun splicePlanText(planId: String, section: PlanText, position: Int, delete: Int, insert: String) =
        onIo { splicePlanText(planId, section, position.toUInt(), delete.toUInt(), insert) }

    /** Replaces a plan text. */
    suspend fun replacePlanText(planId: String, section: PlanText, text: String) =
        onIo { replacePlanText(planId, section, text) }

    /** Adds a legal basis (căn cứ); returns its id. */
    suspend fun addLegalBasis(planId: String, number: String, date: String?, title: String): String =
        onIo { addLegalBasis(planId, number, date, title) }

    /** Removes a legal basis. */
    suspend fun removeLegalBasis(planId: String, legalBasisId: String) =
        onIo { removeLegalBasis(planId, legalBasisId) }

    // ----- conflicts ---------------------------------------------------------------------------

    /** Fields with concurrent values, optionally of one document. */
    suspend fun conflicts(docId: String? = null): List<Conflict> = onIo { conflicts(docId) }

    /** Resolves [conflict] by choosing [choice], one of its values. */
    suspend fun resolveConflict(conflict: Conflict, choice: ConflictValue) =
        onIo { resolveConflict(conflict.docId, conflict.path, choice.op) }

    // ----- drafts and materials -------------------------------------------------------------------

    /** Drafts and materials, optionally of one plan. */
    suspend fun textDocs(planId: String? = null): List<TextDocRow> = onIo { textDocRows(planId) }

    /** A draft or material with its comments. */
    suspend fun textDoc(docId: String): TextDocument = onIo { textDoc(docId) }

    /** Creates a draft or material; returns its id. */
    suspend fun createTextDoc(doc: NewTextDoc): String = onIo { createTextDoc(doc) }

    /** Edits the text at [position] (code points). */
    suspend fun spliceBody(docId: String, position: Int, delete: Int, insert: String) =
        onIo { spliceBody(docId, position.toUInt(), delete.toUInt(), insert) }

    /** Replaces the text (a minimal diff: concurrent edits and anchors survive). */
    suspend fun replaceBody(docId: String, text: String) = onIo { replaceBody(docId, text) }

    /** Adds a comment or proposal, anchored on [range] when given; returns its id. */
    suspend fun addComment(
        docId: String,
        body: String,
        kind: CommentKind = CommentKind.COMMENT,
        range: IntRange? = null,
    ): String = onIo {
        addComment(docId, NewComment(kind, body, range?.let { TextRange(it.first.toUInt(), (it.last + 1).toUInt()) }, null))
    }

    /** Replies to comment [replyTo]; returns the reply's id. */
    suspend fun reply(docId: String, replyTo: String, body: String): String =
        onIo { addComment(docId, NewComment(CommentKind.COMMENT, body, null, replyTo)) }

    /** Edits a comment (author only). */
    suspend fun editComment(docId: String, commentId: String, body: String) =
        onIo { editComment(docId, commentId, body) }

    /** Deletes a comment (author only). */
    suspend fun deleteComment(docId: String, commentId: String) = onIo { deleteComment(docId, commentId) }

    /** Resolves or reopens a thread. */
    suspend fun resolveComment(docId: String, commentId: String, resolved: Boolean = true) =
        onIo { resolveComment(docId, commentId, resolved) }

    /** Decides a proposal. */
    suspend fun setProposalStatus(docId: String, commentId: String, status: ProposalStatus) =
        onIo { setProposalStatus(docId, commentId, status) }

    // ----- attachments ---------------------------------------------------------------------------

    /**
     * Attaches a file to material [docId]: its bytes stay on this phone and go to the server
     * with the next sync; the material lists it as [fileName] (media type [mime], else guessed
     * from the name). Throws [vn.sotay.ApiException.InvalidInput] for a file over 20 MiB or a
     * draft instead of a material (nothing is stored then).
     */
    suspend fun attach(docId: String, bytes: ByteArray, fileName: String, mime: String? = null): Attachment =
        onIo { attach(docId, bytes, fileName, mime) }

    /** A material's attachments, oldest first: whether each is on this phone, and whether it waits to be sent. */
    suspend fun attachments(docId: String): List<Attachment> = onIo { attachments(docId) }

    /** An attachment's bytes if this phone holds them, else `null` (see [fetchAttachment]). */
    suspend fun attachmentBytes(sha256: String): ByteArray? = onIo { attachmentBytes(sha256) }

    /**
     * An attachment's bytes: from this phone, else downloaded (checked against its SHA-256,
     * then kept). Throws [vn.sotay.ApiException.NotFound] when the server does not have it
     * yet (its sender has not synced), [vn.sotay.ApiException.AttachmentDamaged] when the
     * download does not match (nothing kept), [vn.sotay.ApiException.Offline] when
     * unreachable. Other calls do not wait for the download.
     */
    suspend fun fetchAttachment(sha256: String): ByteArray = store.fetchAttachment(sha256)

    /** Files attached here that the server refused for good, with its reasons. */
    suspend fun blobRefusals(): List<BlobRefusal> = onIo { blobRefusals() }

    // ----- approvals ---------------------------------------------------------------------------

    /** Asks for the current version to be approved. */
    suspend fun submitForApproval(docId: String, note: String = ""): Signoff =
        onIo { submitForApproval(docId, note) }

    /** Approves exactly the current version (signed here, offline). */
    suspend fun approve(docId: String, note: String = ""): Signoff = onIo { approve(docId, note) }

    /** Where approval stands, verified here; with the delta when changed since. */
    suspend fun approvalStatus(docId: String): ApprovalStatus = onIo { approvalStatus(docId) }

    /** What stands in the way of approving the current version. */
    suspend fun approvalReadiness(docId: String): Readiness = onIo { approvalReadiness(docId) }

    /**
     * Whether this member may approve the current version now, and every reason not (role
     * for the kind, delegation, branch, directory, readiness): the rules [approve] applies.
     */
    suspend fun canApprove(docId: String): ApprovalRights = onIo { canApprove(docId) }

    /**
     * What needs this member, as the core decides it: comment threads waiting for them,
     * documents waiting for their approval, and drafts and materials published to them that
     * they have not opened (`toRead`).
     */
    suspend fun needsMe(): WhatNeedsMe = onIo { needsMe() }

    /** Records that this member looked at the thread of [commentId]: it leaves [needsMe] until something new arrives. */
    suspend fun markThreadSeen(docId: String, commentId: String) = onIo { markThreadSeen(docId, commentId) }

    /** Every sign-off of a document, oldest first. */
    suspend fun signoffs(docId: String): List<SignoffEntry> = onIo { signoffs(docId) }

    /** What changed between two versions ([to] `null`: now). */
    suspend fun delta(docId: String, from: List<String>, to: List<String>? = null): Delta =
        onIo { delta(docId, from, to) }

    /** The plan as it was at [heads] (e.g. the approved version). */
    suspend fun planAt(planId: String, heads: List<String>): AnnualPlan = onIo { planAt(planId, heads) }

    /** The draft or material as it was at [heads]. */
    suspend fun textDocAt(docId: String, heads: List<String>): TextDocument = onIo { textDocAt(docId, heads) }

    // ----- sessions and minutes (Step 5) --------------------------------------------------------

    /**
     * Creates the session of topic [topicId] (officers), titled after it and dated [date]
     * (ISO or "dd/MM/yyyy"), else the topic's date; returns its id.
     */
    suspend fun createSession(planId: String, topicId: String, date: String? = null): String =
        onIo { createSessionForTopic(planId, topicId, date) }

    /** A session and its minutes, with the core's figures (duration against HD 42, quality total and level). */
    suspend fun session(sessionId: String): Session = onIo { session(sessionId) }

    /** Sessions by date, optionally of one branch. */
    suspend fun sessions(branchId: String? = null): List<SessionRow> = onIo { sessionRows(branchId) }

    /** Sets a short field of the minutes (chair and clerk: officers; the rest: officers, chair and clerk). */
    suspend fun setSessionField(sessionId: String, field: SessionField) =
        onIo { setSessionField(sessionId, field) }

    /** Replaces one of the minutes' texts (a minimal diff: concurrent typing merges). */
    suspend fun replaceSessionText(sessionId: String, text: SessionText, value: String) =
        onIo { replaceSessionText(sessionId, text, value) }

    /** Records a member's attendance. */
    suspend fun setAttendance(sessionId: String, memberId: String, status: Attendance, reason: String = "") =
        onIo { setAttendance(sessionId, memberId, status, reason) }

    /** Marks every member not yet recorded present (exempt members exempt); returns how many. */
    suspend fun fillAttendance(sessionId: String): Int = onIo { fillAttendance(sessionId).toInt() }

    /** Adds a guest or a superior committee's delegate; returns the entry's id. */
    suspend fun addGuest(sessionId: String, name: String, title: String = "", delegate: Boolean = false): String =
        onIo { addGuest(sessionId, name, title, delegate) }

    /**
     * Records an opinion by name: typed ([body], [memberId]) or picked from a comment or
     * proposal ([source]: its author and text are taken when [body] is empty).
     */
    suspend fun addOpinion(sessionId: String, body: String, memberId: String? = null, source: SourceRef? = null): String =
        onIo { addOpinion(sessionId, memberId, body, source) }

    /** Sets the points of a quality criterion (`null` clears them). */
    suspend fun setSessionQuality(sessionId: String, criterion: String, points: Int?) =
        onIo { setSessionQuality(sessionId, criterion, points?.toUInt()) }

    /** The meeting-quality grid in use on this phone. */
    suspend fun qualityGrid(): QualityGrid = onIo { qualityGrid() }

    /** Publishes a draft (exactly as approved) or material for the session (secretary or executive). */
    suspend fun publish(sessionId: String, docId: String) = onIo { publish(sessionId, docId) }

    /** Adds a task to the minutes (with [NewTask.source], adopting that proposal); returns its id. */
    suspend fun addTask(sessionId: String, task: NewTask): String = onIo { addTask(sessionId, task) }

    /** Posts progress on a task (its owner or an officer); `DONE` also marks its proposal done. */
    suspend fun updateTask(sessionId: String, taskId: String, status: TaskStatus, note: String = ""): String =
        onIo { updateTask(sessionId, taskId, status, note) }

    /** Signs the minutes' current version as their chair or clerk (signed here, offline). */
    suspend fun signMinutes(sessionId: String, note: String = ""): Signoff = onIo { signMinutes(sessionId, note) }

    /** Whether the minutes are adopted (chair and clerk signed one version), checked here. */
    suspend fun minutesAdoption(sessionId: String): MinutesAdoption = onIo { minutesAdoption(sessionId) }

    // ----- reading ------------------------------------------------------------------------------

    /** Records that this member opened a published draft or material; `true` the first time. */
    suspend fun markOpened(docId: String): Boolean = onIo { markOpened(docId) }

    /** Everything published to this member's branch, newest session first, with when they opened it. */
    suspend fun readingList(): List<ReadingItem> = onIo { readingList() }

    /** The reading list's items not opened yet. */
    suspend fun unreadMaterials(): List<ReadingItem> = onIo { unreadMaterials() }

    /** Who has read each draft and material published for a session, and whether it went out late. */
    suspend fun distributionReport(sessionId: String): List<DistributionStatus> =
        onIo { distributionReport(sessionId) }

    /** How many days before a session its materials must go out in this plan's branch (secretary, deputy). */
    suspend fun setDistributionLeadDays(planId: String, days: Int) =
        onIo { setDistributionLeadDays(planId, days.toUInt()) }

    // ----- proposals, overview, evidence ----------------------------------------------------------

    /** Proposals of a branch made in [year] (`null`: all), with their tasks and stages as of [today] (`null`: today). */
    suspend fun proposalsBoard(branchId: String? = null, year: Int? = null, today: String? = null): List<ProposalItem> =
        onIo { proposalsBoard(branchId, year, today) }

    /** The secretary's overview of a branch's [year] as of [today] (`null`: today). */
    suspend fun branchOverview(branchId: String, year: Int, today: String? = null): BranchOverview =
        onIo { branchOverview(branchId, year, today) }

    /** Participation evidence of a branch for [year], as of [now] (Unix seconds; `null`: now). */
    suspend fun participationEvidence(branchId: String?, year: Int, now: Long? = null): EvidenceReport =
        onIo { participationEvidence(branchId, year, now) }

    /** The participation evidence of a branch for [year] as CSV (UTF-8), to share. */
    suspend fun participationEvidenceCsv(branchId: String?, year: Int): String =
        onIo { participationEvidenceCsv(branchId, year) }

    // ----- papers --------------------------------------------------------------------------------

    /**
     * The annual plan as the official paper (DOCX or HTML): the approved version with its
     * signer, or this phone's version marked "DỰ THẢO" ([current], or nothing approved).
     */
    suspend fun exportPlan(planId: String, format: PaperFormat, current: Boolean = false, place: String = ""): Paper =
        onIo { exportPlan(planId, format, current, place) }

    /** The minutes as the official paper: the adopted version, else this phone's marked "DỰ THẢO". */
    suspend fun exportMinutes(sessionId: String, format: PaperFormat, current: Boolean = false, place: String = ""): Paper =
        onIo { exportMinutes(sessionId, format, current, place) }

    /** A member's printable evidence sheet for [year] (a proposal for the branch's vote, never a rating). */
    suspend fun evidenceSheet(memberId: String, year: Int, format: PaperFormat): Paper =
        onIo { evidenceSheet(memberId, year, format) }

    // ----- history and health ----------------------------------------------------------------

    /** A document's changes, oldest first. */
    suspend fun history(docId: String): List<ChangeInfo> = onIo { history(docId) }

    /** A document's history by member and session. */
    suspend fun historyByMember(docId: String): List<MemberHistory> = onIo { historyByMember(docId) }

    /** Documents that could not be loaded (quarantined). */
    suspend fun damagedDocuments(): List<DamagedDocument> = onIo { damagedDocuments() }
}
