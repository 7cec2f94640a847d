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
import vn.sotay.ReadingItem
import vn.sotay.Role
import vn.sotay.SessionRow
import vn.sotay.TextDocRow
import vn.sotay.ThreadReason
import vn.sotay.kit.SoTay

/**
 * A thread waiting for the member (the core's rule, `SotayStore.needsMe`): someone else wrote
 * last in a thread they wrote in, or on a draft or material they created, or their proposal
 * was decided — until they reply, act on it, or look at it ([BranchHomeViewModel.markSeen]).
 */
data class AwaitingReply(
    val docId: String,
    val docTitle: String,
    /** The plan and topic of the draft or material (to open it). */
    val planId: String?,
    val topicId: String?,
    /** The thread's first comment (or proposal). */
    val thread: Comment,
    /** The newest message. */
    val latest: Comment,
    /** Why it waits for the member. */
    val reason: ThreadReason = ThreadReason.Reply,
)

/** A document submitted for approval that the member may approve (their role, its kind). */
data class PendingApproval(
    val docId: String,
    val title: String,
    val kind: DocKind,
    val submittedBy: String,
    val submittedAt: Long,
    /** The current version can be approved as it is (else the approval screen lists what to fix). */
    val ready: Boolean = true,
)

/** "What needs me" on the branch home. */
data class NeedsMe(
    /**
     * Drafts and materials published for a session that the member has not opened (the
     * core's rule, `WhatNeedsMe.toRead`), newest session first; opening one
     * ([ReadingListViewModel.open]) takes it off.
     */
    val draftsToRead: List<ReadingItem> = emptyList(),
    /** Drafts of topics the member prepares, presents or is in charge of, not approved yet. */
    val myTopicDrafts: List<TextDocRow> = emptyList(),
    val commentsAwaitingReply: List<AwaitingReply> = emptyList(),
    val approvalsPending: List<PendingApproval> = emptyList(),
) {
    /** How many items in all (the badge). */
    val count: Int
        get() = draftsToRead.size + myTopicDrafts.size + commentsAwaitingReply.size + approvalsPending.size
}

/** The branch home: its plans and what needs the member. */
data class BranchHomeState(
    val loading: Boolean = true,
    val me: Member? = null,
    /** The branch's members (names for ids). */
    val members: List<Member> = emptyList(),
    val plans: List<PlanRow> = emptyList(),
    /** The branch's sessions, by date (each opens its minutes). */
    val sessions: List<SessionRow> = emptyList(),
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
 * The branch home: its plans and sessions, and what needs the member. Refreshes on every
 * document change (local or synced: a session published, a receipt from the member's other
 * phone).
 *
 * "What needs me", as the core decides it (`SoTay.needsMe`): drafts and materials published
 * for a session and not opened yet, the comment threads waiting for the member and the
 * documents submitted for approval that the member may approve; and the drafts of topics the
 * member works on that are not approved yet.
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

        val myDrafts = docs.filter { d ->
            d.kind == DocKind.TOPIC_DRAFT && d.topicId in myTopics && when (sotay.approvalStatus(d.docId)) {
                is ApprovalStatus.Approved, is ApprovalStatus.ApprovedWithChanges -> false
                else -> true
            }
        }

        // What needs the member as the core decides it, of the branch this home shows.
        val needs = sotay.needsMe()
        val sessions = sotay.sessions(branch)
        val sessionIds = sessions.map { it.docId }.toSet()
        val toRead = needs.toRead.filter { it.sessionId in sessionIds }
        val shown = (docs.map { it.docId } + plans.map { it.docId }).toSet()
        val awaiting = needs.threads.filter { it.docId in shown }.map {
            AwaitingReply(it.docId, it.docTitle, it.planId, it.topicId, it.root, it.latest, it.reason)
        }
        val pending = needs.approvals.filter { it.docId in shown }.map {
            PendingApproval(it.docId, it.title, it.kind, it.submission.signer, it.submission.signedAt, it.ready)
        }
        return current.copy(
            loading = false,
            me = me,
            members = sotay.members(),
            plans = plans,
            sessions = sessions,
            needsMe = NeedsMe(toRead, myDrafts, awaiting, pending),
        )
    }

    /** The member looked at [item]'s thread: it leaves the list until something new arrives. */
    fun markSeen(item: AwaitingReply): Job = act { sotay.markThreadSeen(item.docId, item.thread.id) }

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
