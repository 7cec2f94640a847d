// The Vietnamese words for domain values, the Swift way: `role.label`, `status.label`,
// `conflict.fieldLabel`.
//
// Every word comes from the Rust core (`sotay_core::labels`), the one source the Android app
// and the `sotay` CLI read too: nothing is spelled here, and the app's own strings are only
// its chrome (buttons, headings, sentences).

import SoTayFFI

extension Role {
    /// The role's title ("Phó Bí thư").
    public var label: String { roleLabel(role: self) }
}

extension MemberStatus {
    /// The member status ("Dự bị").
    public var label: String { memberStatusLabel(status: self) }
}

extension DocKind {
    /// The document kind ("Dự thảo chuyên đề").
    public var label: String { docKindLabel(kind: self) }
}

extension TopicGroup {
    /// The topic group, as HD 12 names it.
    public var label: String { topicGroupLabel(group: self) }
}

extension TopicStatus {
    /// The topic status ("Đã sinh hoạt").
    public var label: String { topicStatusLabel(status: self) }
}

extension CommentKind {
    /// "Góp ý" or "Hiến kế".
    public var label: String { commentKindLabel(kind: self) }
}

extension ProposalStatus {
    /// The proposal's status ("Được chấp nhận").
    public var label: String { proposalStatusLabel(status: self) }
}

extension RequiredField {
    /// A field an approvable plan's topics must have ("người trình bày").
    public var label: String { requiredFieldLabel(field: self) }
}

extension SignoffState {
    /// Where a sign-off stands on this phone ("Chưa gửi lên máy chủ").
    public var label: String { signoffStateLabel(state: self) }
}

extension ApprovalStatusKind {
    /// Where a document's approval stands ("Đã duyệt").
    public var label: String { approvalStatusLabel(kind: self) }
}

extension ApprovalStatus {
    /// Which of the five states this is, without its records.
    public var kind: ApprovalStatusKind {
        switch self {
        case .notSubmitted: .notSubmitted
        case .submitted: .submitted
        case .approved: .approved
        case .approvedWithChanges: .approvedWithChanges
        case .invalid: .invalid
        }
    }

    /// Where this approval stands ("Đã duyệt, có thay đổi sau duyệt").
    public var label: String { kind.label }
}

extension FieldScope {
    /// A document field's name by its key, in this scope: `FieldScope.topic.label(of:
    /// "expected_output")` is "Sản phẩm dự kiến", `FieldScope.session.label(of: "conclusion")`
    /// (a part of the minutes, as a session delta lists them) "Kết luận" (the key itself when
    /// the core has none).
    public func label(of key: String) -> String { fieldLabel(scope: self, key: key) }
}

extension Conflict {
    /// The name of the field holding concurrent values ("Người trình bày").
    public var fieldLabel: String { pathFieldLabel(path: path) }
}

extension Attendance {
    /// How a member stood at a session ("Vắng có lý do").
    public var label: String { attendanceLabel(attendance: self) }
}

extension TaskStatus {
    /// Where a task stands ("Đang thực hiện").
    public var label: String { taskStatusLabel(status: self) }
}

extension ProposalStage {
    /// Where a proposal stands on the board ("Đã đưa vào nghị quyết").
    public var label: String { proposalStageLabel(stage: self) }
}

extension QualityLevel {
    /// A meeting-quality level ("Khá").
    public var label: String { qualityLevelLabel(level: self) }
}

extension EvidenceCategory {
    /// A kind of participation evidence ("Hiến kế được đưa vào nghị quyết").
    public var label: String { evidenceCategoryLabel(category: self) }
}

extension EvidenceFrame {
    /// A part of QĐ 366's frame ("Tiêu chí chung (30 điểm)").
    public var label: String { evidenceFrameLabel(frame: self) }
}
