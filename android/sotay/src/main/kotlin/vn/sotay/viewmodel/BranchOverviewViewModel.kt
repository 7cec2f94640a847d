package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.BranchOverview
import vn.sotay.Member
import vn.sotay.SessionOverview
import vn.sotay.kit.SoTay

/** The secretary's overview of the branch's year. */
data class BranchOverviewState(
    val loading: Boolean = true,
    val year: Int,
    /** The core's overview (`null` before loading). */
    val overview: BranchOverview? = null,
    /** The branch's members (names for ids). */
    val members: List<Member> = emptyList(),
    val error: ApiException? = null,
) {
    /** Sessions held per quarter, Q1 first (HD 12 asks for one each quarter). */
    val heldPerQuarter: List<Int> get() = overview?.heldPerQuarter?.map { it.toInt() } ?: List(4) { 0 }

    /** Quarters already over with no session held. */
    val quartersMissed: List<Int> get() = overview?.quartersMissed?.map { it.toInt() } ?: emptyList()

    /** The year's sessions, by date, each with its adoption, late and unread materials. */
    val sessions: List<SessionOverview> get() = overview?.sessions ?: emptyList()

    /** A member's name by id (the id itself when unknown). */
    fun nameOf(memberId: String): String = members.firstOrNull { it.id == memberId }?.fullName ?: memberId
}

/**
 * The secretary's branch overview for [year]: sessions held and quarters missed, each
 * session's minutes adopted or not and its materials late or unread, open and overdue
 * proposals, members flagged for unexcused absences (art. 8). Refreshes on every document
 * change (a receipt or a signature arriving by sync changes it).
 */
class BranchOverviewViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
    val year: Int,
    private val branchId: String? = null,
) : ScreenModel<BranchOverviewState>(BranchOverviewState(year = year), scope) {

    init {
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun BranchOverviewState.withError(error: ApiException?) = copy(error = error)

    override fun BranchOverviewState.shownError() = error

    override suspend fun load(current: BranchOverviewState): BranchOverviewState {
        val branch = branchId ?: sotay.identity()?.let { sotay.findMember(it) }?.branchId
        return current.copy(
            loading = false,
            overview = branch?.let { sotay.branchOverview(it, year) },
            members = sotay.members(),
        )
    }

    /** How many days before a session the branch wants its materials out (secretary, deputy). */
    fun setLeadDays(planId: String, days: Int): Job = act { sotay.setDistributionLeadDays(planId, days) }
}
