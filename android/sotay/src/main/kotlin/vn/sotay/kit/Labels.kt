package vn.sotay.kit

import vn.sotay.ApprovalStatus
import vn.sotay.ApprovalStatusKind
import vn.sotay.Attendance
import vn.sotay.CommentKind
import vn.sotay.Conflict
import vn.sotay.DocKind
import vn.sotay.EvidenceCategory
import vn.sotay.EvidenceFrame
import vn.sotay.FieldScope
import vn.sotay.MemberStatus
import vn.sotay.ProposalStage
import vn.sotay.ProposalStatus
import vn.sotay.QualityLevel
import vn.sotay.RequiredField
import vn.sotay.Role
import vn.sotay.SignoffState
import vn.sotay.TaskStatus
import vn.sotay.TopicGroup
import vn.sotay.TopicStatus
import vn.sotay.approvalStatusLabel
import vn.sotay.attendanceLabel
import vn.sotay.commentKindLabel
import vn.sotay.docKindLabel
import vn.sotay.evidenceCategoryLabel
import vn.sotay.evidenceFrameLabel
import vn.sotay.fieldLabel
import vn.sotay.memberStatusLabel
import vn.sotay.pathFieldLabel
import vn.sotay.proposalStageLabel
import vn.sotay.proposalStatusLabel
import vn.sotay.qualityLevelLabel
import vn.sotay.requiredFieldLabel
import vn.sotay.roleLabel
import vn.sotay.signoffStateLabel
import vn.sotay.taskStatusLabel
import vn.sotay.topicGroupLabel
import vn.sotay.topicStatusLabel

// The Vietnamese words for domain values, the Kotlin way: `role.label`, `status.label`,
// `conflict.fieldLabel`. Every word comes from the Rust core (`sotay_core::labels`), the one
// source the iOS app and the `sotay` CLI read too: nothing is spelled here, and the app's
// strings.xml holds only its own chrome (buttons, headings, sentences).

/** A role's title ("Phó Bí thư"). */
val Role.label: String get() = roleLabel(this)

/** A member status ("Dự bị"). */
val MemberStatus.label: String get() = memberStatusLabel(this)

/** A document kind ("Dự thảo chuyên đề"). */
val DocKind.label: String get() = docKindLabel(this)

/** A topic group, as HD 12 names it. */
val TopicGroup.label: String get() = topicGroupLabel(this)

/** A topic status ("Đã sinh hoạt"). */
val TopicStatus.label: String get() = topicStatusLabel(this)

/** "Góp ý" or "Hiến kế". */
val CommentKind.label: String get() = commentKindLabel(this)

/** A proposal's status ("Được chấp nhận"). */
val ProposalStatus.label: String get() = proposalStatusLabel(this)

/** A field an approvable plan's topics must have ("người trình bày"). */
val RequiredField.label: String get() = requiredFieldLabel(this)

/** Where a sign-off stands on this phone ("Chưa gửi lên máy chủ"). */
val SignoffState.label: String get() = signoffStateLabel(this)

/** Where a document's approval stands ("Đã duyệt"). */
val ApprovalStatusKind.label: String get() = approvalStatusLabel(this)

/** Which of the five states this is, without its records. */
val ApprovalStatus.kind: ApprovalStatusKind
    get() = when (this) {
        ApprovalStatus.NotSubmitted -> ApprovalStatusKind.NOT_SUBMITTED
        is ApprovalStatus.Submitted -> ApprovalStatusKind.SUBMITTED
        is ApprovalStatus.Approved -> ApprovalStatusKind.APPROVED
        is ApprovalStatus.ApprovedWithChanges -> ApprovalStatusKind.APPROVED_WITH_CHANGES
        is ApprovalStatus.Invalid -> ApprovalStatusKind.INVALID
    }

/** Where this approval stands ("Đã duyệt, có thay đổi sau duyệt"). */
val ApprovalStatus.label: String get() = kind.label

/**
 * A document field's name by its key, in this scope: `FieldScope.TOPIC.labelOf("expected_output")`
 * is "Sản phẩm dự kiến", `FieldScope.SESSION.labelOf("conclusion")` (a part of the minutes, as a
 * session delta lists them) "Kết luận" (the key itself when the core has no name for it).
 */
fun FieldScope.labelOf(key: String): String = fieldLabel(this, key)

/** The name of the field holding concurrent values ("Người trình bày"). */
val Conflict.fieldLabel: String get() = pathFieldLabel(path)

/** How a member stood at a session ("Vắng có lý do"). */
val Attendance.label: String get() = attendanceLabel(this)

/** Where a task stands ("Đang thực hiện"). */
val TaskStatus.label: String get() = taskStatusLabel(this)

/** Where a proposal stands on the board ("Đã đưa vào nghị quyết"). */
val ProposalStage.label: String get() = proposalStageLabel(this)

/** A meeting-quality level ("Khá"). */
val QualityLevel.label: String get() = qualityLevelLabel(this)

/** A kind of participation evidence ("Hiến kế được đưa vào nghị quyết"). */
val EvidenceCategory.label: String get() = evidenceCategoryLabel(this)

/** A part of QĐ 366's frame ("Tiêu chí chung (30 điểm)"). */
val EvidenceFrame.label: String get() = evidenceFrameLabel(this)
