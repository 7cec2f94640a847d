package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.Member
import vn.sotay.ProposalItem
import vn.sotay.ProposalStage
import vn.sotay.TaskRef
import vn.sotay.TaskStatus
import vn.sotay.kit.SoTay

/** The proposals board: every proposal of the year and where it stands. */
data class ProposalsBoardState(
    val loading: Boolean = true,
    /** The year shown (`null`: every year). */
    val year: Int? = null,
    /** Oldest first, each with the task adopting it and its stage (the core's board). */
    val items: List<ProposalItem> = emptyList(),
    /** This member (task owners may post progress on their tasks). */
    val me: String? = null,
    /** The branch's members (names for ids). */
    val members: List<Member> = emptyList(),
    val error: ApiException? = null,
) {
    /** The proposals at [stage]. */
    fun atStage(stage: ProposalStage): List<ProposalItem> = items.filter { it.stage == stage }

    /** Adopted proposals past their task's deadline. */
    val overdue: List<ProposalItem> get() = atStage(ProposalStage.OVERDUE)

    /** A member's name by id (the id itself when unknown). */
    fun nameOf(memberId: String): String = members.firstOrNull { it.id == memberId }?.fullName ?: memberId
}

/**
 * The proposals board (and the year-end review list): every proposal made in the branch,
 * open, rejected, adopted into a resolution by a task, overdue or done; task owners and
 * officers post progress from here. Refreshes on every document change.
 */
class ProposalsBoardViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
    private val year: Int? = null,
    private val branchId: String? = null,
) : ScreenModel<ProposalsBoardState>(ProposalsBoardState(year = year), scope) {

    init {
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun ProposalsBoardState.withError(error: ApiException?) = copy(error = error)

    override fun ProposalsBoardState.shownError() = error

    override suspend fun load(current: ProposalsBoardState): ProposalsBoardState {
        val me = sotay.identity()
        val branch = branchId ?: me?.let { sotay.findMember(it) }?.branchId
        return current.copy(
            loading = false,
            items = sotay.proposalsBoard(branch, year),
            me = me,
            members = sotay.members(),
        )
    }

    /** Posts progress on the task adopting a proposal (its owner or an officer); `DONE` carries the proposal out. */
    fun updateTask(task: TaskRef, status: TaskStatus, note: String = ""): Job =
        act { sotay.updateTask(task.sessionId, task.taskId, status, note) }
}
