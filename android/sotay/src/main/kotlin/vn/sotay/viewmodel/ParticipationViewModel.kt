package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.AbsenceFlag
import vn.sotay.ApiException
import vn.sotay.EvidenceFigure
import vn.sotay.EvidenceFrame
import vn.sotay.MemberEvidence
import vn.sotay.Paper
import vn.sotay.PaperFormat
import vn.sotay.kit.SoTay

/** A member's participation evidence for one year. */
data class ParticipationState(
    val loading: Boolean = true,
    val year: Int,
    /** The member's figures, each with the evidence it was counted from (`null` before loading). */
    val evidence: MemberEvidence? = null,
    /**
     * What the screen must say with it: a proposal for the branch's discussion and vote, not
     * an evaluation or a rating (QĐ 366) — the core's words.
     */
    val notice: String = "",
    /** Unexcused absences in three months of the year (Điều lệ, art. 8), if the member has them. */
    val absenceFlag: AbsenceFlag? = null,
    /** The printable evidence sheet ([ParticipationViewModel.exportSheet]), to share or print. */
    val paper: Paper? = null,
    val error: ApiException? = null,
) {
    /** Every figure, in the core's order (zero counts included: "none" is evidence too). */
    val figures: List<EvidenceFigure> get() = evidence?.figures ?: emptyList()

    /** The figures informing one part of QĐ 366's frame. */
    fun figures(frame: EvidenceFrame): List<EvidenceFigure> = figures.filter { it.frame == frame }
}

/**
 * "My participation": what the member did in the branch's sessions in [year] — assignments,
 * presentations, comments and proposals before the sessions, proposals adopted and done,
 * attendance, materials read — each figure with its evidence lines and the suggested points
 * on the committee's weights. It proposes, it never rates: the notice says so on the screen.
 * Refreshes on every document change.
 */
class ParticipationViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
    val year: Int,
    /** Whose evidence (`null`: this member's). */
    private val memberId: String? = null,
) : ScreenModel<ParticipationState>(ParticipationState(year = year), scope) {

    init {
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun ParticipationState.withError(error: ApiException?) = copy(error = error)

    override fun ParticipationState.shownError() = error

    override fun ParticipationState.keepActionState(latest: ParticipationState) = copy(paper = latest.paper)

    override suspend fun load(current: ParticipationState): ParticipationState {
        val who = memberId ?: sotay.identity()
        val branch = who?.let { sotay.findMember(it) }?.branchId
        val report = sotay.participationEvidence(branch, year)
        return current.copy(
            loading = false,
            evidence = report.members.firstOrNull { it.memberId == who },
            notice = report.notice,
            absenceFlag = report.flags.firstOrNull { it.memberId == who },
        )
    }

    /** Writes the member's printable evidence sheet for the year ([ParticipationState.paper]). */
    fun exportSheet(format: PaperFormat = PaperFormat.DOCX): Job = act {
        val who = memberId ?: sotay.identity() ?: return@act
        val paper = sotay.evidenceSheet(who, year, format)
        update { it.copy(paper = paper) }
    }

    /** The sheet was shared or shown. */
    fun closePaper() = update { it.copy(paper = null) }
}
