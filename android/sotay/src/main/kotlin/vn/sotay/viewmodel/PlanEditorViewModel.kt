package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import vn.sotay.AnnualPlan
import vn.sotay.ApiException
import vn.sotay.Conflict
import vn.sotay.ConflictValue
import vn.sotay.Member
import vn.sotay.NewTopic
import vn.sotay.PlanField
import vn.sotay.PlanText
import vn.sotay.Readiness
import vn.sotay.Topic
import vn.sotay.TopicField
import vn.sotay.kit.SoTay
import vn.sotay.kit.fieldLabel

/** A conflict as the plan editor shows it: which topic, which field, who chose what. */
data class PlanConflict(
    val conflict: Conflict,
    /** The topic it is in (`null`: a plan header field). */
    val topic: Topic?,
) {
    /** The field's name ("presenter", "expected_output", …). */
    val field: String get() = conflict.field

    /** The field's Vietnamese name ("Người trình bày"), from the Rust core. */
    val fieldLabel: String get() = conflict.fieldLabel

    /** The values to choose from, with who set each. */
    val choices: List<ConflictValue> get() = conflict.values
}

/** The plan editor. */
data class PlanEditorState(
    val loading: Boolean = true,
    val plan: AnnualPlan? = null,
    /** The branch's members, to pick preparers and presenters by name. */
    val members: List<Member> = emptyList(),
    /** Fields holding concurrent values, waiting for a choice. */
    val conflicts: List<PlanConflict> = emptyList(),
    /** What stands in the way of approval (conflicts, topics lacking month, preparer, presenter). */
    val readiness: Readiness? = null,
    val error: ApiException? = null,
) {
    /** The plan's topics, in order. */
    val topics: List<Topic> get() = plan?.topics ?: emptyList()

    /** A member's name by id (the id itself when unknown). */
    fun nameOf(memberId: String?): String? = memberId?.let { id -> members.firstOrNull { it.id == id }?.fullName ?: id }
}

/** Edits one annual plan: topics and their fields, header, texts; shows and resolves conflicts. */
class PlanEditorViewModel(
    private val sotay: SoTay,
    val planId: String,
    scope: CoroutineScope,
) : ScreenModel<PlanEditorState>(PlanEditorState(), scope) {

    init {
        reloadOn(sotay.changesOf(planId))
        refresh()
    }

    override fun PlanEditorState.withError(error: ApiException?) = copy(error = error)

    override fun PlanEditorState.shownError() = error

    override suspend fun load(current: PlanEditorState): PlanEditorState {
        val plan = sotay.plan(planId)
        val byId = plan.topics.associateBy { it.id }
        val conflicts = sotay.conflicts(planId).map { c ->
            val topicId = if (c.path.size >= 3 && c.path[0] == "topics") c.path[1] else null
            PlanConflict(c, topicId?.let { byId[it] })
        }
        return current.copy(
            loading = false,
            plan = plan,
            members = sotay.members(),
            conflicts = conflicts,
            readiness = sotay.approvalReadiness(planId),
        )
    }

    /** Adds a topic. */
    fun addTopic(topic: NewTopic): Job = act { sotay.addTopic(planId, topic) }

    /** Sets one field of a topic. */
    fun setTopicField(topicId: String, field: TopicField): Job = act { sotay.setTopicField(planId, topicId, field) }

    /** Adds or removes a preparer. */
    fun setPreparer(topicId: String, memberId: String, present: Boolean = true): Job =
        act { sotay.setPreparer(planId, topicId, memberId, present) }

    /** Moves a topic to a 0-based position. */
    fun moveTopic(topicId: String, index: Int): Job = act { sotay.moveTopic(planId, topicId, index) }

    /** Cancels a topic. */
    fun cancelTopic(topicId: String): Job = act { sotay.cancelTopic(planId, topicId) }

    /** Sets a header field. */
    fun setPlanField(field: PlanField): Job = act { sotay.setPlanField(planId, field) }

    /** Replaces a text section. */
    fun replaceText(section: PlanText, text: String): Job = act { sotay.replacePlanText(planId, section, text) }

    /** Resolves a conflict by choosing one of its values. */
    fun resolve(conflict: PlanConflict, choice: ConflictValue): Job =
        act { sotay.resolveConflict(conflict.conflict, choice) }
}
