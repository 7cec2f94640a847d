package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.ApiException
import vn.sotay.ApprovalRights
import vn.sotay.ApproveBlocker
import vn.sotay.Attendance
import vn.sotay.Comment
import vn.sotay.DeltaContent
import vn.sotay.DistributionStatus
import vn.sotay.Member
import vn.sotay.MinutesAdoption
import vn.sotay.MissingField
import vn.sotay.NewTask
import vn.sotay.Paper
import vn.sotay.PaperFormat
import vn.sotay.QualityGrid
import vn.sotay.Session
import vn.sotay.SessionField
import vn.sotay.SessionText
import vn.sotay.Signoff
import vn.sotay.SourceRef
import vn.sotay.TaskStatus
import vn.sotay.kit.SoTay
import vn.sotay.vietnamTime

/** A comment or proposal on a draft or material published for the session: an opinion to pick. */
data class PublishedComment(val docId: String, val docTitle: String, val comment: Comment) {
    /** Where an opinion or a task taken from it points. */
    val source: SourceRef get() = SourceRef(docId, comment.id)
}

/** The minutes of one session (biên bản) and where their adoption stands. */
data class SessionRecordState(
    val loading: Boolean = true,
    /** The session and its minutes, with the core's figures (duration check, quality total and level). */
    val session: Session? = null,
    /** This member. */
    val me: String? = null,
    /** The branch's members (names for ids, the attendance list). */
    val members: List<Member> = emptyList(),
    /** The meeting-quality grid the score is counted on. */
    val grid: QualityGrid? = null,
    /** Whether the chair and the clerk adopted the minutes (checked on this phone). */
    val adoption: MinutesAdoption = MinutesAdoption.NotSigned,
    /** Whether this member may sign now, and what stands in the way (the core's rules). */
    val signRights: ApprovalRights? = null,
    /** Comments and proposals on what was published for the session, to record as opinions. */
    val publishedComments: List<PublishedComment> = emptyList(),
    /** Who has read each published draft and material. */
    val distribution: List<DistributionStatus> = emptyList(),
    /** The minutes written as a paper ([SessionRecordViewModel.exportMinutes]), to share or print. */
    val paper: Paper? = null,
    val error: ApiException? = null,
) {
    /** Both signatures on one version (later progress on tasks does not change that). */
    val isAdopted: Boolean
        get() = adoption is MinutesAdoption.Adopted || adoption is MinutesAdoption.AdoptedWithChanges

    /** The chair's and the clerk's signatures of the adopted version. */
    val signatures: List<Signoff>
        get() = when (val a = adoption) {
            MinutesAdoption.NotSigned -> emptyList()
            is MinutesAdoption.PartlySigned -> a.signed
            is MinutesAdoption.Adopted -> listOf(a.chair, a.clerk)
            is MinutesAdoption.AdoptedWithChanges -> listOf(a.chair, a.clerk)
        }

    /** Who still has to sign: the one of chair and clerk missing, or both before anyone signed. */
    val awaitingSignatures: List<String>
        get() = when (val a = adoption) {
            MinutesAdoption.NotSigned -> listOfNotNull(session?.chair, session?.clerk)
            is MinutesAdoption.PartlySigned -> a.awaiting
            is MinutesAdoption.Adopted, is MinutesAdoption.AdoptedWithChanges -> emptyList()
        }

    /**
     * The parts of the minutes changed since they were adopted (keys; `FieldScope.SESSION.labelOf`
     * names them); empty when adopted as they stand, or not adopted.
     */
    val changedSinceAdoption: List<String>
        get() = ((adoption as? MinutesAdoption.AdoptedWithChanges)?.delta?.content as? DeltaContent.Session)?.fields
            ?: emptyList()

    /** The sitting lasted as long as HD 42 asks (`null` until start and end are recorded). */
    val durationOk: Boolean? get() = session?.durationOk

    /** This member may sign the current version now. */
    val canSign: Boolean get() = signRights?.canApprove == true

    /**
     * What the minutes still lack before the chair and the clerk may sign them (start and end
     * times, chair, clerk), with their labels; empty once nothing is missing.
     */
    val missingBeforeSigning: List<MissingField>
        get() = signRights?.blockers.orEmpty()
            .filterIsInstance<ApproveBlocker.NotReady>()
            .flatMap { it.readiness.missingMinutes }

    /** A member's name by id (the id itself when unknown). */
    fun nameOf(memberId: String?): String = memberId?.let { id -> members.firstOrNull { it.id == id }?.fullName ?: id } ?: ""

    /** A member's attendance, if recorded. */
    fun attendanceOf(memberId: String): Attendance? = session?.attendance?.firstOrNull { it.memberId == memberId }?.status
}

/**
 * The session record: the minutes the clerk types during the sitting (times, place,
 * attendance, opinions by name — typed, or picked from the comments and proposals on what was
 * published — conclusion, resolution, vote, tasks adopting proposals, the quality
 * self-score), the duration check, the chair's and the clerk's signatures and the adoption
 * they make, and what changed since. Every rule (who may write, who may sign, the score's
 * level) is the core's; refusals arrive as the state's error.
 */
class SessionRecordViewModel(
    private val sotay: SoTay,
    val sessionId: String,
    scope: CoroutineScope,
) : ScreenModel<SessionRecordState>(SessionRecordState(), scope) {

    init {
        // The session, the published documents' comments, receipts and sign-offs: any of them.
        reloadOn(sotay.documentChanges)
        refresh()
    }

    override fun SessionRecordState.withError(error: ApiException?) = copy(error = error)

    override fun SessionRecordState.shownError() = error

    override fun SessionRecordState.keepActionState(latest: SessionRecordState) = copy(paper = latest.paper)

    override suspend fun load(current: SessionRecordState): SessionRecordState {
        val session = sotay.session(sessionId)
        val comments = session.distribution.flatMap { p ->
            val doc = try {
                sotay.textDoc(p.docId)
            } catch (e: ApiException.NotFound) {
                return@flatMap emptyList()
            }
            doc.comments.filter { !it.deleted }.map { PublishedComment(doc.id, doc.title, it) }
        }
        return current.copy(
            loading = false,
            session = session,
            me = sotay.identity(),
            members = sotay.members().filter { it.branchId == session.branchId },
            grid = sotay.qualityGrid(),
            adoption = sotay.minutesAdoption(sessionId),
            signRights = sotay.canApprove(sessionId),
            publishedComments = comments,
            distribution = sotay.distributionReport(sessionId),
        )
    }

    /** Sets a short field (place, chair, clerk, presenter, votes, …). */
    fun setField(field: SessionField): Job = act { sotay.setSessionField(sessionId, field) }

    /** Sets the start from what the clerk typed ("08:00" on the session's day, or "dd/MM/yyyy HH:mm"), Vietnam time. */
    fun setStart(time: String): Job = act {
        sotay.setSessionField(sessionId, SessionField.StartedAt(vietnamTime(time, state.value.session?.sessionDate)))
    }

    /** Sets the end, as [setStart]. */
    fun setEnd(time: String): Job = act {
        sotay.setSessionField(sessionId, SessionField.EndedAt(vietnamTime(time, state.value.session?.sessionDate)))
    }

    /** Replaces one of the minutes' texts (purpose, summary, conclusion, resolution). */
    fun setText(text: SessionText, value: String): Job = act { sotay.replaceSessionText(sessionId, text, value) }

    /** Records a member's attendance. */
    fun setAttendance(memberId: String, status: Attendance, reason: String = ""): Job =
        act { sotay.setAttendance(sessionId, memberId, status, reason) }

    /** Marks everyone not yet recorded present (exempt members exempt). */
    fun markAllPresent(): Job = act { sotay.fillAttendance(sessionId) }

    /** Adds a guest or a superior committee's delegate. */
    fun addGuest(name: String, title: String, delegate: Boolean = false): Job =
        act { sotay.addGuest(sessionId, name, title, delegate) }

    /** Records an opinion typed by the clerk. */
    fun addOpinion(memberId: String, body: String): Job = act { sotay.addOpinion(sessionId, body, memberId) }

    /** Records a published comment or proposal as its author's opinion. */
    fun addOpinion(from: PublishedComment): Job = act { sotay.addOpinion(sessionId, "", source = from.source) }

    /** Scores a quality criterion of the grid (`null` clears it). */
    fun setQuality(criterion: String, points: Int?): Job = act { sotay.setSessionQuality(sessionId, criterion, points) }

    /** Assigns a task; with [adopting], the task adopts that proposal into the resolution. */
    fun addTask(title: String, owner: String, deadline: String?, adopting: PublishedComment? = null): Job =
        act { sotay.addTask(sessionId, NewTask(title, owner, deadline, adopting?.source)) }

    /** Posts progress on a task (its owner or an officer). */
    fun updateTask(taskId: String, status: TaskStatus, note: String = ""): Job =
        act { sotay.updateTask(sessionId, taskId, status, note) }

    /** Publishes a draft (as approved) or material for the session (secretary or executive). */
    fun publish(docId: String): Job = act { sotay.publish(sessionId, docId) }

    /** Signs the current version as chair or clerk (offline; sent with the next sync). */
    fun sign(note: String = ""): Job = act { sotay.signMinutes(sessionId, note) }

    /**
     * Writes the minutes as the official paper ([SessionRecordState.paper]): the version chair
     * and clerk adopted, else this phone's marked "DỰ THẢO". Before the first sync the
     * branch's name is not known: `InvalidInput` in the state.
     */
    fun exportMinutes(format: PaperFormat = PaperFormat.DOCX, place: String = ""): Job = act {
        val paper = sotay.exportMinutes(sessionId, format, place = place)
        update { it.copy(paper = paper) }
    }

    /** The paper was shared or shown. */
    fun closePaper() = update { it.copy(paper = null) }
}
