package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.ApprovalRights
import vn.sotay.ApprovalStatus
import vn.sotay.Delta
import vn.sotay.Readiness
import vn.sotay.Role
import vn.sotay.Signoff
import vn.sotay.SignoffEntry
import vn.sotay.kit.SoTay

/** The approval screen of one plan, draft or material. */
data class ApprovalState(
    val loading: Boolean = true,
    /** Where approval stands, verified on this phone. */
    val status: ApprovalStatus = ApprovalStatus.NotSubmitted,
    /** What stands in the way of approving the current version. */
    val readiness: Readiness? = null,
    /** Every sign-off held here, oldest first (unsent, synced or refused). */
    val signoffs: List<SignoffEntry> = emptyList(),
    val myRole: Role? = null,
    /** Whether this member may approve it now, and what stands in the way (the core's rules). */
    val rights: ApprovalRights? = null,
    val error: ApiException? = null,
) {
    /** The approval in force (exact or with changes since), with a valid signature. */
    val approval: Signoff?
        get() = when (val s = status) {
            is ApprovalStatus.Approved -> s.approval
            is ApprovalStatus.ApprovedWithChanges -> s.approval
            is ApprovalStatus.Submitted -> s.previous
            is ApprovalStatus.Invalid -> s.lastValid
            ApprovalStatus.NotSubmitted -> null
        }

    /** The document is exactly the approved version. */
    val isApproved: Boolean get() = status is ApprovalStatus.Approved

    /** What changed since the approval (`null` when exact or never approved). */
    val changesSinceApproval: Delta? get() = (status as? ApprovalStatus.ApprovedWithChanges)?.delta

    /** The newest approval does not verify (Vietnamese reason for the screen). */
    val invalidReason: String? get() = (status as? ApprovalStatus.Invalid)?.reasonVi

    /**
     * Show the approve action: the member holds the authority to approve this document (its
     * branch, a role that approves its kind, the branch's delegation), readiness aside.
     */
    val mayApprove: Boolean get() = rights?.hasAuthority == true

    /** Approving now would be accepted (authority, and the version is ready). */
    val canApproveNow: Boolean get() = rights?.canApprove == true

    /** Sign-offs made here that are waiting for the next sync. */
    val unsent: Int get() = signoffs.count { it.state == vn.sotay.SignoffState.UNSENT }
}

/**
 * Approval of one document: the secretary approves exactly the version she reads (signed on
 * her phone, offline); members see the status, whether its signature holds, and what changed
 * since.
 */
class ApprovalViewModel(
    private val sotay: SoTay,
    val docId: String,
    scope: CoroutineScope,
) : ScreenModel<ApprovalState>(ApprovalState(), scope) {

    init {
        // Sign-offs arrive by sync, which names the documents whose sign-offs changed.
        reloadOn(sotay.changesOf(docId))
        refresh()
    }

    override fun ApprovalState.withError(error: ApiException?) = copy(error = error)

    override fun ApprovalState.shownError() = error

    override suspend fun load(current: ApprovalState) = current.copy(
        loading = false,
        status = sotay.approvalStatus(docId),
        readiness = sotay.approvalReadiness(docId),
        signoffs = sotay.signoffs(docId),
        myRole = sotay.myRole(),
        rights = sotay.canApprove(docId),
    )

    /** Asks for the current version to be approved. */
    fun submit(note: String = ""): Job = act { sotay.submitForApproval(docId, note) }

    /** Approves exactly the current version. */
    fun approve(note: String = ""): Job = act { sotay.approve(docId, note) }
}
