//! The Vietnamese words for domain values, from `sotay_core::labels`: one function per kind
//! of value, each a conversion and a call, so Android and iOS show exactly what the CLI
//! shows. The apps reach them as `role.label` (SoTayKit, `vn.sotay.kit`).

use sotay_core::labels as core_labels;
use sotay_core::model::{plan as core_plan, session as core_session};
use sotay_core::store::evidence as core_evidence;
use sotay_core::{approval as core_approval, ids, org as core_org, store as core_store};

use crate::records::{
    ApprovalStatusKind, Attendance, CommentKind, DocKind, EvidenceCategory, EvidenceFrame,
    MemberStatus, ProposalStage, ProposalStatus, QualityLevel, RequiredField, Role, SignoffState,
    TaskStatus, TopicGroup, TopicStatus,
};
use sotay_core::model::text_doc as core_text;

/// Where in a document a field sits, which decides what its key means (a topic's `title` is
/// its "Tên chuyên đề", a legal basis's its "Trích yếu").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum FieldScope {
    /// The document's own fields: a plan's header (`PlanDelta.fields`), a draft's or
    /// material's title and description (`TextDocDelta.fields`).
    Document,
    /// A topic of a plan (`PlanDelta.topic_fields`).
    Topic,
    /// A legal basis of a plan (`LegalBasisChange::Changed`).
    LegalBasis,
    /// A comment or proposal.
    Comment,
    /// A part of a session's minutes.
    Session,
}

impl From<FieldScope> for core_labels::FieldScope {
    fn from(s: FieldScope) -> Self {
        match s {
            FieldScope::Document => core_labels::FieldScope::Document,
            FieldScope::Topic => core_labels::FieldScope::Topic,
            FieldScope::LegalBasis => core_labels::FieldScope::LegalBasis,
            FieldScope::Comment => core_labels::FieldScope::Comment,
            FieldScope::Session => core_labels::FieldScope::Session,
        }
    }
}

/// A role's Vietnamese title ("Phó Bí thư").
#[uniffi::export]
pub fn role_label(role: Role) -> String {
    core_org::Role::from(role).label_vi().to_owned()
}

/// A member status in Vietnamese ("Dự bị").
#[uniffi::export]
pub fn member_status_label(status: MemberStatus) -> String {
    core_org::MemberStatus::from(status).label_vi().to_owned()
}

/// A document kind in Vietnamese ("Dự thảo chuyên đề").
#[uniffi::export]
pub fn doc_kind_label(kind: DocKind) -> String {
    ids::DocKind::from(kind).label_vi().to_owned()
}

/// The Vietnamese label of a topic group (Nhóm vấn đề), as HD 12 names it.
#[uniffi::export]
pub fn topic_group_label(group: TopicGroup) -> String {
    core_plan::TopicGroup::from(group).label_vi().to_owned()
}

/// Every topic group, in HD 12's order.
#[uniffi::export]
pub fn topic_groups() -> Vec<TopicGroup> {
    core_plan::TopicGroup::ALL
        .into_iter()
        .map(Into::into)
        .collect()
}

/// A topic status in Vietnamese ("Đã sinh hoạt").
#[uniffi::export]
pub fn topic_status_label(status: TopicStatus) -> String {
    core_plan::TopicStatus::from(status).label_vi().to_owned()
}

/// "Góp ý" or "Hiến kế".
#[uniffi::export]
pub fn comment_kind_label(kind: CommentKind) -> String {
    core_text::CommentKind::from(kind).label_vi().to_owned()
}

/// A proposal's status in Vietnamese ("Được chấp nhận").
#[uniffi::export]
pub fn proposal_status_label(status: ProposalStatus) -> String {
    core_text::ProposalStatus::from(status)
        .label_vi()
        .to_owned()
}

/// Where a document's approval stands, in Vietnamese ("Đã duyệt").
#[uniffi::export]
pub fn approval_status_label(kind: ApprovalStatusKind) -> String {
    core_approval::StatusKind::from(kind).label_vi().to_owned()
}

/// Where a sign-off stands on this phone, in Vietnamese ("Chưa gửi lên máy chủ").
#[uniffi::export]
pub fn signoff_state_label(state: SignoffState) -> String {
    core_store::SignoffState::from(state).label_vi().to_owned()
}

/// The Vietnamese label of a field an approvable plan's topics must have.
#[uniffi::export]
pub fn required_field_label(field: RequiredField) -> String {
    core_approval::RequiredField::from(field)
        .label_vi()
        .to_owned()
}

/// How a member stood at a session, in Vietnamese ("Vắng có lý do").
#[uniffi::export]
pub fn attendance_label(attendance: Attendance) -> String {
    core_session::Attendance::from(attendance)
        .label_vi()
        .to_owned()
}

/// Where a task stands, in Vietnamese ("Đang thực hiện").
#[uniffi::export]
pub fn task_status_label(status: TaskStatus) -> String {
    core_session::TaskStatus::from(status).label_vi().to_owned()
}

/// Where a proposal stands on the board, in Vietnamese ("Đã đưa vào nghị quyết").
#[uniffi::export]
pub fn proposal_stage_label(stage: ProposalStage) -> String {
    core_store::ProposalStage::from(stage).label_vi().to_owned()
}

/// A meeting-quality level in Vietnamese ("Khá").
#[uniffi::export]
pub fn quality_level_label(level: QualityLevel) -> String {
    core_session::QualityLevel::from(level)
        .label_vi()
        .to_owned()
}

/// A kind of participation evidence in Vietnamese ("Hiến kế được đưa vào nghị quyết").
#[uniffi::export]
pub fn evidence_category_label(category: EvidenceCategory) -> String {
    core_evidence::Category::from(category)
        .label_vi()
        .to_owned()
}

/// A part of QĐ 366's frame in Vietnamese ("Tiêu chí chung (30 điểm)").
#[uniffi::export]
pub fn evidence_frame_label(frame: EvidenceFrame) -> String {
    core_evidence::Frame::from(frame).label_vi().to_owned()
}

/// The Vietnamese name of a part of the minutes by its key — `Session.*` fields and the keys
/// `DeltaContent::Session` lists ("conclusion" → "Kết luận"); the key itself when it has none.
#[uniffi::export]
pub fn session_field_label(key: String) -> String {
    core_session::field_label_vi(&key).to_owned()
}

/// A document field's Vietnamese name, by its key and where it sits (`Topic`,
/// "expected_output" → "Sản phẩm dự kiến"); the key itself when it has none.
#[uniffi::export]
pub fn field_label(scope: FieldScope, key: String) -> String {
    core_labels::FieldScope::from(scope)
        .field_label_vi(&key)
        .to_owned()
}

/// The Vietnamese name of the field at a conflict's `path` (`["topics", id, "presenter"]`
/// → "Người trình bày"); the path's last element when it has none.
#[uniffi::export]
pub fn path_field_label(path: Vec<String>) -> String {
    core_labels::FieldScope::path_label_vi(&path).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_labels_come_from_core() {
        assert_eq!(topic_groups().len(), 7);
        assert_eq!(
            topic_group_label(TopicGroup::PartyBuilding),
            "Xây dựng Đảng, xây dựng đơn vị"
        );
        assert_eq!(
            required_field_label(RequiredField::Presenter),
            "người trình bày"
        );
        assert_eq!(role_label(Role::DeputySecretary), "Phó Bí thư");
        assert_eq!(member_status_label(MemberStatus::Exempt), "Miễn sinh hoạt");
        assert_eq!(doc_kind_label(DocKind::TopicDraft), "Dự thảo chuyên đề");
        assert_eq!(topic_status_label(TopicStatus::Held), "Đã sinh hoạt");
        assert_eq!(comment_kind_label(CommentKind::Proposal), "Hiến kế");
        assert_eq!(
            proposal_status_label(ProposalStatus::Rejected),
            "Không chấp nhận"
        );
        assert_eq!(
            approval_status_label(ApprovalStatusKind::ApprovedWithChanges),
            "Đã duyệt, có thay đổi sau duyệt"
        );
        assert_eq!(
            signoff_state_label(SignoffState::Unsent),
            "Chưa gửi lên máy chủ"
        );
    }

    #[test]
    fn test_session_cycle_labels_come_from_core() {
        assert_eq!(attendance_label(Attendance::AbsentExcused), "Vắng có lý do");
        assert_eq!(task_status_label(TaskStatus::InProgress), "Đang thực hiện");
        assert_eq!(
            proposal_stage_label(ProposalStage::Adopted),
            "Đã đưa vào nghị quyết"
        );
        assert_eq!(quality_level_label(QualityLevel::Fair), "Khá");
        assert_eq!(
            evidence_category_label(EvidenceCategory::ProposalAdopted),
            "Hiến kế được đưa vào nghị quyết"
        );
        assert_eq!(
            evidence_frame_label(EvidenceFrame::General),
            "Tiêu chí chung (30 điểm)"
        );
        assert_eq!(session_field_label("conclusion".into()), "Kết luận");
        assert_eq!(
            session_field_label("conclusion".into()),
            field_label(FieldScope::Session, "conclusion".into()),
            "the same words by either path"
        );
        assert_eq!(session_field_label("venue".into()), "venue");
        assert_eq!(doc_kind_label(DocKind::Session), "Buổi sinh hoạt chuyên đề");
    }

    #[test]
    fn test_field_labels_follow_the_scope() {
        assert_eq!(
            field_label(FieldScope::Topic, "expected_output".into()),
            "Sản phẩm dự kiến"
        );
        assert_eq!(
            field_label(FieldScope::Topic, "title".into()),
            "Tên chuyên đề"
        );
        assert_eq!(
            field_label(FieldScope::LegalBasis, "title".into()),
            "Trích yếu"
        );
        assert_eq!(
            field_label(FieldScope::Document, "number".into()),
            "Số hiệu"
        );
        assert_eq!(field_label(FieldScope::Topic, "venue".into()), "venue");
        let path = ["topics", "t1", "presenter"].map(String::from).to_vec();
        assert_eq!(path_field_label(path), "Người trình bày");
    }

    #[test]
    fn test_every_scope_and_kind_converts_to_core() {
        use sotay_core::approval::StatusKind;
        for k in StatusKind::ALL {
            assert_eq!(StatusKind::from(ApprovalStatusKind::from(k)), k);
        }
        for s in core_store::SignoffState::ALL {
            assert_eq!(core_store::SignoffState::from(SignoffState::from(s)), s);
        }
        let scopes = [
            FieldScope::Document,
            FieldScope::Topic,
            FieldScope::LegalBasis,
            FieldScope::Comment,
            FieldScope::Session,
        ];
        let converted: Vec<_> = scopes
            .into_iter()
            .map(core_labels::FieldScope::from)
            .collect();
        assert_eq!(converted, core_labels::FieldScope::ALL);
    }
}
