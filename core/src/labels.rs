//! The Vietnamese words for SoTay's domain values: roles, member statuses, document kinds,
//! topic and proposal statuses, approval and sign-off states, and the names of document
//! fields.
//!
//! # Why here
//!
//! A member reads the same thing on an Android phone, an iPhone and in the `sotay` CLI, so
//! "Phó Bí thư" or "Sản phẩm dự kiến" is written once, here, and every screen asks for it:
//! the CLI directly, the phones through the bindings (`sotay-ffi`'s `role_label`,
//! `field_label`, …, wrapped as `role.label` in SoTayKit and the Android library). A screen
//! that spelled its own words would drift from the others (it did: three spellings of a
//! proposal's status, "Tình trạng" / "Trạng thái", a field shown as its raw key). The terms
//! are DOMAIN.md's: Bí thư, Phó Bí thư, Chi ủy viên, Đảng viên; chính thức, dự bị, miễn sinh
//! hoạt; Dự thảo chuyên đề, Tài liệu; Góp ý, Hiến kế; the plan table's column names.
//!
//! Labels are sentence case, as a screen shows them on their own ("Người trình bày"); a
//! sentence that runs them in lowercases the first letter itself (the CLI does). They are
//! NFC, like all Vietnamese text in SoTay.
//!
//! # The one pattern
//!
//! Each value type has `label_vi()`, as [`TopicGroup::label_vi`] (the groups of HD 12) and
//! [`RequiredField::label_vi`] had before this module: those two stay beside their types;
//! the others live here, so the words are in one file. Field names are keyed by the
//! document key the model writes and the approval delta reports ("expected_output"), and by
//! where in the document the key sits ([`FieldScope`]), because one key names different
//! things: a topic's `title` is its "Tên chuyên đề", a legal basis's is its "Trích yếu".
//!
//! ```
//! use sotay_core::labels::FieldScope;
//! use sotay_core::org::Role;
//! assert_eq!(Role::DeputySecretary.label_vi(), "Phó Bí thư");
//! assert_eq!(FieldScope::Topic.field_label_vi("expected_output"), "Sản phẩm dự kiến");
//! let path = ["topics".to_owned(), "t1".to_owned(), "presenter".to_owned()];
//! assert_eq!(FieldScope::path_label_vi(&path), "Người trình bày");
//! ```
//!
//! [`RequiredField::label_vi`]: crate::approval::RequiredField::label_vi

use serde::{Deserialize, Serialize};

use crate::approval::StatusKind;
use crate::ids::DocKind;
use crate::model::plan::{TopicGroup, TopicStatus};
use crate::model::session;
use crate::model::text_doc::{CommentKind, ProposalStatus};
use crate::org::{MemberStatus, Role};
use crate::store::SignoffState;

impl Role {
    /// The Vietnamese title ("Phó Bí thư").
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Secretary => "Bí thư",
            Role::DeputySecretary => "Phó Bí thư",
            Role::Executive => "Chi ủy viên",
            Role::Member => "Đảng viên",
            Role::Inspector => "Ủy viên Ủy ban Kiểm tra",
            Role::Admin => "Quản trị",
        }
    }
}

impl MemberStatus {
    /// The Vietnamese word ("Dự bị").
    pub fn label_vi(self) -> &'static str {
        match self {
            MemberStatus::Full => "Chính thức",
            MemberStatus::Probationary => "Dự bị",
            MemberStatus::Exempt => "Miễn sinh hoạt",
        }
    }
}

impl DocKind {
    /// The Vietnamese name of the kind ("Dự thảo chuyên đề").
    pub fn label_vi(self) -> &'static str {
        match self {
            DocKind::AnnualPlan => "Kế hoạch sinh hoạt chuyên đề",
            DocKind::TopicDraft => "Dự thảo chuyên đề",
            DocKind::Material => "Tài liệu",
            DocKind::Session => "Buổi sinh hoạt chuyên đề",
            DocKind::ReadingLog => "Sổ theo dõi đọc tài liệu",
        }
    }
}

impl TopicGroup {
    /// A short form of [`TopicGroup::label_vi`] for narrow places (the plan table's column).
    pub fn short_label_vi(self) -> &'static str {
        match self {
            TopicGroup::HoChiMinh => "Tư tưởng, đạo đức, phong cách HCM",
            TopicGroup::PoliticalTheory => "Lý luận chính trị, chuyên môn",
            TopicGroup::ResolutionsAndLaws => "Nghị quyết, pháp luật",
            TopicGroup::PreventingDegradation => "Phòng, chống suy thoái",
            TopicGroup::PartyBuilding => "Xây dựng Đảng, đơn vị",
            TopicGroup::AntiCorruption => "Chống tham nhũng, lãng phí",
            TopicGroup::ProductionTargets => "Chỉ tiêu sản xuất, kinh doanh",
        }
    }
}

impl TopicStatus {
    /// The Vietnamese word ("Đã sinh hoạt").
    pub fn label_vi(self) -> &'static str {
        match self {
            TopicStatus::Planned => "Dự kiến",
            TopicStatus::Drafting => "Đang soạn",
            TopicStatus::Held => "Đã sinh hoạt",
            TopicStatus::Postponed => "Hoãn",
            TopicStatus::Cancelled => "Đã hủy",
        }
    }
}

impl CommentKind {
    /// The Vietnamese word: "Góp ý" (a comment) or "Hiến kế" (a proposal).
    pub fn label_vi(self) -> &'static str {
        match self {
            CommentKind::Comment => "Góp ý",
            CommentKind::Proposal => "Hiến kế",
        }
    }
}

impl ProposalStatus {
    /// The Vietnamese words ("Được chấp nhận").
    pub fn label_vi(self) -> &'static str {
        match self {
            ProposalStatus::Open => "Đang mở",
            ProposalStatus::Accepted => "Được chấp nhận",
            ProposalStatus::Rejected => "Không chấp nhận",
            ProposalStatus::Done => "Đã thực hiện",
        }
    }
}

impl StatusKind {
    /// Where a document's approval stands, in Vietnamese ("Đã duyệt").
    pub fn label_vi(self) -> &'static str {
        match self {
            StatusKind::NotSubmitted => "Chưa gửi duyệt",
            StatusKind::Submitted => "Đã gửi duyệt, chờ duyệt",
            StatusKind::Approved => "Đã duyệt",
            StatusKind::ApprovedWithChanges => "Đã duyệt, có thay đổi sau duyệt",
            StatusKind::Invalid => "Bản duyệt không hợp lệ",
        }
    }
}

impl SignoffState {
    /// Where a sign-off stands on this phone, in Vietnamese ("Chưa gửi lên máy chủ").
    pub fn label_vi(self) -> &'static str {
        match self {
            SignoffState::Unsent => "Chưa gửi lên máy chủ",
            SignoffState::Synced => "Đã đồng bộ",
            SignoffState::Refused => "Máy chủ từ chối",
        }
    }
}

/// Where in a document a field sits, which decides what its key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldScope {
    /// The document's own fields (its root map): a plan's header, a draft's title.
    Document,
    /// A topic of a plan (`topics/<id>/…`).
    Topic,
    /// A legal basis of a plan (`legal_bases/<id>/…`).
    LegalBasis,
    /// A comment or proposal of a draft or material (`comments/<id>/…`).
    Comment,
    /// A part of a session's minutes, as the approval delta names them
    /// ([`crate::approval::SESSION_FIELDS`]; the words are [`session::field_label_vi`]'s).
    Session,
}

impl FieldScope {
    /// Every scope.
    pub const ALL: [FieldScope; 5] = [
        FieldScope::Document,
        FieldScope::Topic,
        FieldScope::LegalBasis,
        FieldScope::Comment,
        FieldScope::Session,
    ];

    /// The Vietnamese name of field `key` in this scope ("expected_output" of a topic →
    /// "Sản phẩm dự kiến"); `key` itself when it has none (a field a newer build added), so
    /// a screen always shows something.
    pub fn field_label_vi(self, key: &str) -> &str {
        match self {
            FieldScope::Session => session::field_label_vi(key),
            _ => self.known(key).unwrap_or(key),
        }
    }

    /// The label of field `key` here, if it has one.
    fn known(self, key: &str) -> Option<&'static str> {
        let label = match (self, key) {
            // The plan's header (the plan table's wording) and a draft's or material's.
            (FieldScope::Document, "title") => "Tiêu đề",
            (FieldScope::Document, "number") => "Số hiệu",
            (FieldScope::Document, "issue_date") => "Ngày ban hành",
            (FieldScope::Document, "year") => "Năm",
            (FieldScope::Document, "purpose") => "Mục đích, yêu cầu",
            (FieldScope::Document, "implementation") => "Tổ chức thực hiện",
            (FieldScope::Document, "description") => "Mô tả",
            (FieldScope::Document, "body") => "Nội dung",
            // A topic: the columns of the plan table (DOMAIN.md).
            (FieldScope::Topic, "title") => "Tên chuyên đề",
            (FieldScope::Topic, "group") => "Nhóm vấn đề",
            (FieldScope::Topic, "scheduled_date") => "Ngày sinh hoạt",
            (FieldScope::Topic, "combined_meeting") => "Ghép với sinh hoạt thường kỳ",
            (FieldScope::Topic, "preparers") => "Người chuẩn bị",
            (FieldScope::Topic, "presenter") => "Người trình bày",
            (FieldScope::Topic, "executive") => "Chi ủy viên phụ trách",
            (FieldScope::Topic, "draft_deadline") => "Hạn gửi dự thảo",
            (FieldScope::Topic, "expected_output") => "Sản phẩm dự kiến",
            (FieldScope::Topic, "notes") => "Ghi chú",
            (FieldScope::Topic, "status") => "Trạng thái",
            (FieldScope::Topic | FieldScope::LegalBasis, "position") => "Thứ tự",
            // A legal basis (căn cứ): a regulation's number, date and subject.
            (FieldScope::LegalBasis, "number") => "Số hiệu",
            (FieldScope::LegalBasis, "date") => "Ngày ban hành",
            (FieldScope::LegalBasis, "title") => "Trích yếu",
            (FieldScope::LegalBasis, "removed") => "Đã bỏ",
            // A comment or proposal.
            (FieldScope::Comment, "body") => "Nội dung",
            (FieldScope::Comment, "resolved") => "Đã giải quyết",
            (FieldScope::Comment, "resolved_by") => "Người đánh dấu đã giải quyết",
            (FieldScope::Comment, "status") => "Trạng thái hiến kế",
            (FieldScope::Comment, "deleted") => "Đã xóa",
            _ => return None,
        };
        Some(label)
    }

    /// The scope and key of the field at `path` (a conflict's path from the document root:
    /// `["presenter"]`… `["topics", "<id>", "presenter"]`, `["topics", "<id>", "preparers",
    /// "<member>"]` is the topic's `preparers`); `None` for a path of another shape.
    pub fn of_path(path: &[String]) -> Option<(FieldScope, &str)> {
        match path {
            [key] => Some((FieldScope::Document, key)),
            [section, _, key, ..] => {
                let scope = match section.as_str() {
                    "topics" => FieldScope::Topic,
                    "legal_bases" => FieldScope::LegalBasis,
                    "comments" => FieldScope::Comment,
                    _ => return None,
                };
                Some((scope, key))
            }
            _ => None,
        }
    }

    /// The Vietnamese name of the field at `path` (see [`FieldScope::of_path`]); the path's
    /// last element when it has none.
    pub fn path_label_vi(path: &[String]) -> &str {
        match Self::of_path(path) {
            Some((scope, key)) => scope.field_label_vi(key),
            None => path.last().map(String::as_str).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::{BTreeSet, HashSet};

    use super::*;
    use crate::approval::delta::{
        self, LEGAL_BASIS_FIELDS, PLAN_FIELDS, TEXT_DOC_FIELDS, TOPIC_FIELDS,
    };
    use crate::approval::{DeltaContent, LegalBasisChange, RequiredField, SESSION_FIELDS};
    use crate::date;
    use crate::ids::{BranchId, MemberId};
    use crate::model::plan::{self, NewPlan, NewTopic, PlanField, TopicField};
    use crate::model::text_doc::{self, NewTextDoc};
    use crate::model::{Editor, put_str};
    use crate::text::is_nfc;
    use automerge::{ObjType, ROOT, ReadDoc};

    /// Labels of one type: each non-empty, NFC, not a code name, and all different.
    fn check(what: &str, labels: &[&str]) {
        let mut seen = HashSet::new();
        for l in labels {
            assert!(!l.trim().is_empty(), "{what}: an empty label");
            assert!(is_nfc(l), "{what}: {l:?} is not NFC");
            assert!(!l.contains('_'), "{what}: {l:?} looks like a code name");
            assert!(seen.insert(*l), "{what}: {l:?} labels two values");
        }
    }

    #[test]
    fn test_enum_labels_are_the_official_terms() {
        assert_eq!(Role::Secretary.label_vi(), "Bí thư");
        assert_eq!(Role::DeputySecretary.label_vi(), "Phó Bí thư");
        assert_eq!(Role::Executive.label_vi(), "Chi ủy viên");
        assert_eq!(Role::Member.label_vi(), "Đảng viên");
        assert_eq!(MemberStatus::Probationary.label_vi(), "Dự bị");
        assert_eq!(MemberStatus::Exempt.label_vi(), "Miễn sinh hoạt");
        assert_eq!(DocKind::TopicDraft.label_vi(), "Dự thảo chuyên đề");
        assert_eq!(DocKind::Material.label_vi(), "Tài liệu");
        assert_eq!(CommentKind::Comment.label_vi(), "Góp ý");
        assert_eq!(CommentKind::Proposal.label_vi(), "Hiến kế");
        assert_eq!(ProposalStatus::Accepted.label_vi(), "Được chấp nhận");
        assert_eq!(TopicStatus::Cancelled.label_vi(), "Đã hủy");
        assert_eq!(
            StatusKind::ApprovedWithChanges.as_str(),
            "approved_with_changes"
        );
        assert_eq!(StatusKind::Approved.label_vi(), "Đã duyệt");
        assert_eq!(SignoffState::Refused.label_vi(), "Máy chủ từ chối");
    }

    #[test]
    fn test_every_value_has_a_distinct_nfc_label() {
        use Role as R;
        let roles = [
            R::Secretary,
            R::DeputySecretary,
            R::Executive,
            R::Member,
            R::Inspector,
            R::Admin,
        ];
        check("roles", &roles.map(R::label_vi));
        let statuses = [
            MemberStatus::Full,
            MemberStatus::Probationary,
            MemberStatus::Exempt,
        ];
        check("member statuses", &statuses.map(MemberStatus::label_vi));
        let kinds = [
            DocKind::AnnualPlan,
            DocKind::TopicDraft,
            DocKind::Material,
            DocKind::Session,
            DocKind::ReadingLog,
        ];
        check("document kinds", &kinds.map(DocKind::label_vi));
        check("topic groups", &TopicGroup::ALL.map(TopicGroup::label_vi));
        check(
            "topic groups, short",
            &TopicGroup::ALL.map(TopicGroup::short_label_vi),
        );
        let topic_statuses = [
            TopicStatus::Planned,
            TopicStatus::Drafting,
            TopicStatus::Held,
            TopicStatus::Postponed,
            TopicStatus::Cancelled,
        ];
        check("topic statuses", &topic_statuses.map(TopicStatus::label_vi));
        check(
            "comment kinds",
            &[CommentKind::Comment, CommentKind::Proposal].map(CommentKind::label_vi),
        );
        let proposals = [
            ProposalStatus::Open,
            ProposalStatus::Accepted,
            ProposalStatus::Rejected,
            ProposalStatus::Done,
        ];
        check(
            "proposal statuses",
            &proposals.map(ProposalStatus::label_vi),
        );
        check(
            "approval states",
            &StatusKind::ALL.map(StatusKind::label_vi),
        );
        check(
            "sign-off states",
            &SignoffState::ALL.map(SignoffState::label_vi),
        );
        let required = [
            RequiredField::Month,
            RequiredField::Preparer,
            RequiredField::Presenter,
        ];
        check("required fields", &required.map(RequiredField::label_vi));
    }

    /// The keys the approval delta can report, by scope.
    fn delta_keys() -> [(FieldScope, &'static [&'static str]); 5] {
        [
            (FieldScope::Document, &PLAN_FIELDS),
            (FieldScope::Topic, &TOPIC_FIELDS),
            (FieldScope::LegalBasis, &LEGAL_BASIS_FIELDS),
            (FieldScope::Document, &TEXT_DOC_FIELDS),
            (FieldScope::Session, &SESSION_FIELDS),
        ]
    }

    #[test]
    fn test_every_key_the_delta_can_report_has_a_label() {
        for (scope, keys) in delta_keys() {
            let labels: Vec<&str> = keys.iter().map(|k| scope.field_label_vi(k)).collect();
            for (key, label) in keys.iter().zip(&labels) {
                assert_ne!(
                    key, label,
                    "{scope:?} field {key:?} has no Vietnamese label"
                );
            }
            check(&format!("{scope:?} fields"), &labels);
        }
        assert_eq!(
            FieldScope::Topic.field_label_vi("expected_output"),
            "Sản phẩm dự kiến"
        );
        assert_eq!(FieldScope::Topic.field_label_vi("title"), "Tên chuyên đề");
        assert_eq!(FieldScope::LegalBasis.field_label_vi("title"), "Trích yếu");
        // A key this build does not know shows as itself.
        assert_eq!(FieldScope::Topic.field_label_vi("venue"), "venue");
    }

    /// Walks what the delta really reports: a plan and a draft with every field changed. A
    /// key the delta emits but its lists lack fails here (and, in debug builds, in the delta
    /// itself); a listed key the delta no longer emits fails too.
    #[test]
    fn test_the_delta_reports_exactly_the_listed_keys() {
        let e = |t| Editor {
            member: MemberId::new("m-viet"),
            time: t,
        };
        let d = |s| Some(date::parse(s).unwrap());
        let mut doc = plan::create(
            &NewPlan {
                branch_id: BranchId::new("b-co-dien"),
                year: 2026,
                title: String::new(),
                number: "01-KH/CB".into(),
                issue_date: None,
                purpose: String::new(),
                implementation: String::new(),
            },
            &e(1),
        )
        .unwrap();
        let topic = plan::add_topic(
            &mut doc,
            &e(2),
            &NewTopic {
                title: "Giải pháp giảm thời gian dừng máy".into(),
                group: TopicGroup::ProductionTargets,
                month: 4,
                scheduled_date: None,
                combined_with_regular_meeting: false,
                preparers: Vec::new(),
                presenter: None,
                executive: None,
                draft_deadline: None,
                expected_output: String::new(),
                notes: String::new(),
            },
        )
        .unwrap();
        let basis =
            plan::add_legal_basis(&mut doc, &e(3), "12-HD/BTCTW", d("2018-07-06"), "Hướng dẫn")
                .unwrap();
        let from = doc.heads();
        for f in [
            PlanField::Title("Kế hoạch năm 2026".into()),
            PlanField::Number("02-KH/CB".into()),
            PlanField::IssueDate(d("2026-01-15")),
        ] {
            plan::set_plan_field(&mut doc, &e(4), &f).unwrap();
        }
        let luong = MemberId::new("m-luong");
        for f in [
            TopicField::Title("Giảm dừng máy ngoài kế hoạch".into()),
            TopicField::Group(TopicGroup::PartyBuilding),
            TopicField::ScheduledDate(d("2026-05-03")),
            TopicField::CombinedWithRegularMeeting(true),
            TopicField::Presenter(Some(luong.clone())),
            TopicField::Executive(Some(MemberId::new("m-hoa"))),
            TopicField::DraftDeadline(d("2026-04-20")),
            TopicField::ExpectedOutput("Ít nhất 5 giải pháp".into()),
            TopicField::Notes("Tổ đảng số 1 cùng chuẩn bị".into()),
            TopicField::Status(TopicStatus::Drafting),
        ] {
            plan::set_topic_field(&mut doc, &e(5), &topic, &f).unwrap();
        }
        plan::set_preparer(&mut doc, &e(6), &topic, &luong, true).unwrap();
        // The model has no edit of a legal basis's fields; another build (or a script) may
        // write them, and the delta reports them.
        doc.transact(&e(7), "test.legal_basis.edit", |a| {
            let lb = a.get(ROOT, "legal_bases")?.unwrap().1;
            let o = a.get(&lb, basis.as_str())?.unwrap().1;
            assert_eq!(a.object_type(&o)?, ObjType::Map);
            put_str(a, &o, "number", "12-HD/BTCTW (sửa)")?;
            put_str(a, &o, "date", "2018-07-16")?;
            put_str(a, &o, "title", "Hướng dẫn nâng cao chất lượng")?;
            Ok(())
        })
        .unwrap();
        let DeltaContent::Plan(p) = delta::delta(&mut doc, &from, None).unwrap().content else {
            panic!("a plan's delta");
        };
        fn keys(fields: Vec<&str>) -> BTreeSet<&str> {
            fields.into_iter().collect()
        }
        fn listed(list: &[&'static str]) -> BTreeSet<&'static str> {
            list.iter().copied().collect()
        }
        assert_eq!(
            keys(p.fields.iter().map(|f| f.field.as_str()).collect()),
            listed(&PLAN_FIELDS)
        );
        assert_eq!(
            keys(
                p.topic_fields
                    .iter()
                    .map(|f| f.change.field.as_str())
                    .collect()
            ),
            listed(&TOPIC_FIELDS)
        );
        let basis_keys = p
            .legal_bases
            .iter()
            .filter_map(|c| match c {
                LegalBasisChange::Changed { change, .. } => Some(change.field.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(keys(basis_keys), listed(&LEGAL_BASIS_FIELDS));

        let mut draft = text_doc::create(
            &NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: BranchId::new("b-co-dien"),
                plan_id: None,
                topic_id: Some(topic),
                title: "Dự thảo".into(),
                description: String::new(),
                body: "Dừng máy ngoài kế hoạch.".into(),
            },
            &e(8),
        )
        .unwrap();
        let from = draft.heads();
        text_doc::set_title(&mut draft, &e(9), "Dự thảo chuyên đề quý II").unwrap();
        draft
            .transact(&e(10), "test.description", |a| {
                put_str(a, &ROOT, "description", "Tài liệu của Phân xưởng Cơ điện")
            })
            .unwrap();
        let DeltaContent::Text(t) = delta::delta(&mut draft, &from, None).unwrap().content else {
            panic!("a draft's delta");
        };
        assert_eq!(
            keys(t.fields.iter().map(|f| f.field.as_str()).collect()),
            listed(&TEXT_DOC_FIELDS)
        );
    }

    #[test]
    fn test_a_conflict_path_names_its_field() {
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            FieldScope::path_label_vi(&path(&["topics", "t1", "presenter"])),
            "Người trình bày"
        );
        assert_eq!(
            FieldScope::path_label_vi(&path(&["topics", "t1", "preparers", "m-luong"])),
            "Người chuẩn bị"
        );
        assert_eq!(
            FieldScope::path_label_vi(&path(&["legal_bases", "l1", "title"])),
            "Trích yếu"
        );
        assert_eq!(
            FieldScope::path_label_vi(&path(&["comments", "c1", "status"])),
            "Trạng thái hiến kế"
        );
        assert_eq!(FieldScope::path_label_vi(&path(&["number"])), "Số hiệu");
        assert_eq!(FieldScope::of_path(&path(&["topics", "t1"])), None);
        assert_eq!(
            FieldScope::path_label_vi(&path(&["attendance", "m-ung", "status"])),
            "status"
        );
        assert_eq!(FieldScope::path_label_vi(&[]), "");
    }
}
