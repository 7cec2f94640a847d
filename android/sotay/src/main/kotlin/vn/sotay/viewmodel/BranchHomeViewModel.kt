package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.ApprovalStatus
import vn.sotay.Comment
import vn.sotay.DocKind
import vn.sotay.Member
import vn.sotay.NewPlan
import vn.sotay.PlanRow
import vn.sotay.Role
import vn.sotay.TextDocRow
import vn.sotay.kit.SoTay

/** Why a draft or material is on the member's reading list. */
enum class ReadReason {
    /** Approved: the version members read before the session (HD 12). */
    PUBLISHED,

    /** The member prepares, presents or is in charge of its topic. */
    MY_TOPIC,
}

/** A draft or material the member should read. */
data class DraftToRead(val doc: TextDocRow, val reason: ReadReason)

/** A thread the member takes part in whose newest message is someone else's. */
data class AwaitingReply(
    val docId: String,
    val docTitle: String,
    /** The plan and topic of the draft or material (to open it). */
    val planId: String?,
    val topicId: String?,
    /** The thread's first comment (or proposal). */
    val thread: Comment,
    /** The newest message, which the member has not answered. */
    val latest: Comment,
)

/** A document a member submitted for approval, not yet approved. */
data class PendingApproval(
    val docId: String,
    val title: String,
    val kind: DocKind,
    val submittedBy: String,
    val submittedAt: Long,
)

/** "What needs me" on the branch home. */
data class NeedsMe(
    val draftsToRead: List<DraftToRead> = emptyList(),
    val commentsAwaitingReply: List<AwaitingReply> = emptyList(),
    val approvalsPending: List<PendingApproval> = emptyList(),
) {
    /** How many items in all (the badge). */
    val count: Int get() = draftsToRead.size + commentsAwaitingReply.size + approvalsPending.size
}

/** The branch home: its plans and what needs the member. */
data class BranchHomeState(
    val loading: Boolean = true,
    val me: Member? = null,
    /** The branch's members (names for ids). */
    val members: List<Member> = emptyList(),
    val plans: List<PlanRow> = emptyList(),
    val needsMe: NeedsMe = NeedsMe(),
    val error: ApiException? = null,
) {
    /** The member may create plans and approve (secretary, deputy, executive). */
    val isOfficer: Boolean
        get() = me?.role in setOf(Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.EXECUTIVE)

    /** A member's name by id (the id itself when unknown). */
    fun nameOf(memberId: String): String = members.firstOrNull { it.id == memberId }?.fullName ?: memberId
}

/**
 * The branch home. Refreshes on every document change (local or synced).
 *
 * "What needs me": drafts and materials to read (approved ones, and those of topics the
 * member prepares, presents or is in charge of); threads the member started or answered, or
 * on their topics' drafts, whose newest message is someone else's; and documents submitted
 * for approval and not yet approved.
 */
class BranchHomeViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
    private val branchId: String? = null,
) : ScreenModel<BranchHomeState>(BranchHomeState(), scope) {

    init {
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun BranchHomeState.withError(error: ApiException?) = copy(error = error)

    override fun BranchHomeState.shownError() = error

    override suspend fun load(current: BranchHomeState): BranchHomeState {
        val meId = sotay.identity()
        val me = meId?.let { sotay.findMember(it) }
        val branch = branchId ?: me?.branchId
        val plans = sotay.plans(branch)
        val docs = sotay.textDocs().filter { branch == null || it.branchId == branch }

        // Topics the member works on, across the branch's plans.
        val myTopics = mutableSetOf<String>()
        if (meId != null) {
            for (p in plans) {
                for (t in sotay.topics(p.docId)) {
                    if (meId in t.preparers || t.presenter == meId || t.executive == meId) myTopics += t.topicId
                }
            }
        }

        val toRead = mutableListOf<DraftToRead>()
        val pending = mutableListOf<PendingApproval>()
        for (d in docs) {
            when (val s = sotay.approvalStatus(d.docId)) {
                is ApprovalStatus.Approved, is ApprovalStatus.ApprovedWithChanges ->
                    toRead += DraftToRead(d, ReadReason.PUBLISHED)
                is ApprovalStatus.Submitted -> {
                    pending += PendingApproval(d.docId, d.title, d.kind, s.by, s.at)
                    if (d.topicId in myTopics) toRead += DraftToRead(d, ReadReason.MY_TOPIC)
                }
                else -> if (d.topicId in myTopics) toRead += DraftToRead(d, ReadReason.MY_TOPIC)
            }
        }
        for (p in plans) {
            val s = sotay.approvalStatus(p.docId)
            if (s is ApprovalStatus.Submitted) {
                pending += PendingApproval(p.docId, p.title, DocKind.ANNUAL_PLAN, s.by, s.at)
            }
        }

        val awaiting = mutableListOf<AwaitingReply>()
        if (meId != null) {
            for (d in docs.filter { it.unresolvedThreads > 0u }) {
                val doc = sotay.textDoc(d.docId)
                val onMyTopic = d.topicId in myTopics
                for (thread in threads(doc.comments)) {
                    val root = thread.first()
                    if (root.resolved) continue
                    val messages = thread.filter { !it.deleted }
                    // Times are seconds: a reply in the same second as what it answers is
                    // still the later one (threads list replies after their root).
                    val latest = messages.withIndex()
                        .maxWithOrNull(compareBy({ it.value.createdAt }, { it.index }))?.value ?: continue
                    val involved = onMyTopic || messages.any { it.author == meId }
                    if (involved && latest.author != meId) awaiting += AwaitingReply(d.docId, d.title, d.planId, d.topicId, root, latest)
                }
            }
        }
        return current.copy(
            loading = false,
            me = me,
            members = sotay.members(),
            plans = plans,
            needsMe = NeedsMe(toRead, awaiting.sortedByDescending { it.latest.createdAt }, pending),
        )
    }

    /** Creates the branch's plan for [year] (officers); [onCreated] gets its id. */
    fun createPlan(year: Int, onCreated: (String) -> Unit): Job = act {
        val branch = branchId ?: state.value.me?.branchId ?: return@act
        onCreated(sotay.createPlan(NewPlan(branch, year, "", "", null, "", "")))
    }
}

/** Comments grouped into threads: each root (oldest first) followed by its replies. */
internal fun threads(comments: List<Comment>): List<List<Comment>> {
    val byRoot = comments.filter { it.replyTo != null }.groupBy { rootOf(it, comments) }
    return comments.filter { it.replyTo == null }.map { root -> listOf(root) + (byRoot[root.id] ?: emptyList()) }
}

private fun rootOf(c: Comment, all: List<Comment>): String {
    var current = c
    val byId = all.associateBy { it.id }
    val seen = mutableSetOf<String>()
    while (true) {
        val parent = current.replyTo?.let { byId[it] } ?: return current.replyTo ?: current.id
        if (!seen.add(parent.id)) return parent.id
        current = parent
    }
}
