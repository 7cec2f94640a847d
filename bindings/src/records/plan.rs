//! The annual thematic plan: list rows, the whole plan, and the inputs that edit it.

use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::plan as core_plan;
use sotay_core::store as core_store;

use super::{column_date, date_in, date_out, non_empty};
use crate::error::{ApiError, Result};

/// The topic groups of HD 12-HD/BTCTW (nhóm vấn đề), in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TopicGroup {
    /// Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.
    HoChiMinh,
    /// Lý luận chính trị, chuyên môn, nghiệp vụ.
    PoliticalTheory,
    /// Thực hiện nghị quyết, pháp luật liên quan.
    ResolutionsAndLaws,
    /// Phòng, chống suy thoái, "tự diễn biến", "tự chuyển hóa".
    PreventingDegradation,
    /// Xây dựng Đảng, xây dựng đơn vị.
    PartyBuilding,
    /// Phòng, chống tham nhũng, lãng phí, tiêu cực.
    AntiCorruption,
    /// Thực hiện chỉ tiêu sản xuất, kinh doanh được giao.
    ProductionTargets,
}

impl From<core_plan::TopicGroup> for TopicGroup {
    fn from(g: core_plan::TopicGroup) -> Self {
        use core_plan::TopicGroup as G;
        match g {
            G::HoChiMinh => TopicGroup::HoChiMinh,
            G::PoliticalTheory => TopicGroup::PoliticalTheory,
            G::ResolutionsAndLaws => TopicGroup::ResolutionsAndLaws,
            G::PreventingDegradation => TopicGroup::PreventingDegradation,
            G::PartyBuilding => TopicGroup::PartyBuilding,
            G::AntiCorruption => TopicGroup::AntiCorruption,
            G::ProductionTargets => TopicGroup::ProductionTargets,
        }
    }
}

impl From<TopicGroup> for core_plan::TopicGroup {
    fn from(g: TopicGroup) -> Self {
        use core_plan::TopicGroup as G;
        match g {
            TopicGroup::HoChiMinh => G::HoChiMinh,
            TopicGroup::PoliticalTheory => G::PoliticalTheory,
            TopicGroup::ResolutionsAndLaws => G::ResolutionsAndLaws,
            TopicGroup::PreventingDegradation => G::PreventingDegradation,
            TopicGroup::PartyBuilding => G::PartyBuilding,
            TopicGroup::AntiCorruption => G::AntiCorruption,
            TopicGroup::ProductionTargets => G::ProductionTargets,
        }
    }
}

/// Where a topic stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TopicStatus {
    /// In the plan, nothing started.
    Planned,
    /// The preparers are writing the draft.
    Drafting,
    /// The session was held.
    Held,
    /// Moved to a later date.
    Postponed,
    /// Dropped from the plan (kept for the record).
    Cancelled,
}

impl From<core_plan::TopicStatus> for TopicStatus {
    fn from(s: core_plan::TopicStatus) -> Self {
        use core_plan::TopicStatus as S;
        match s {
            S::Planned => TopicStatus::Planned,
            S::Drafting => TopicStatus::Drafting,
            S::Held => TopicStatus::Held,
            S::Postponed => TopicStatus::Postponed,
            S::Cancelled => TopicStatus::Cancelled,
        }
    }
}

impl From<TopicStatus> for core_plan::TopicStatus {
    fn from(s: TopicStatus) -> Self {
        use core_plan::TopicStatus as S;
        match s {
            TopicStatus::Planned => S::Planned,
            TopicStatus::Drafting => S::Drafting,
            TopicStatus::Held => S::Held,
            TopicStatus::Postponed => S::Postponed,
            TopicStatus::Cancelled => S::Cancelled,
        }
    }
}

/// A plan in the branch's plan list (from the read model: no document is loaded).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlanRow {
    /// Document id.
    pub doc_id: String,
    /// Branch.
    pub branch_id: String,
    /// Year.
    pub year: i32,
    /// Number ("01-KH/CB").
    pub number: String,
    /// Title.
    pub title: String,
    /// Issue date.
    pub issue_date: Option<String>,
    /// Topics, cancelled ones included.
    pub topic_count: u32,
    /// Fields with concurrent values waiting for a choice.
    pub conflict_count: u32,
    /// Last write here (Unix seconds).
    pub updated_at: i64,
}

impl From<core_store::PlanRow> for PlanRow {
    fn from(r: core_store::PlanRow) -> Self {
        PlanRow {
            doc_id: r.doc_id.to_string(),
            branch_id: r.branch_id.to_string(),
            year: r.year,
            issue_date: column_date(&r.issue_date),
            number: r.number,
            title: r.title,
            topic_count: r.topic_count,
            conflict_count: r.conflict_count,
            updated_at: r.updated_at,
        }
    }
}

/// A topic row of a plan (from the read model).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TopicRow {
    /// The plan.
    pub plan_id: String,
    /// The topic.
    pub topic_id: String,
    /// 1-based order in the plan (STT).
    pub ord: u32,
    /// Tên chuyên đề.
    pub title: String,
    /// Nhóm vấn đề.
    pub group: TopicGroup,
    /// Session date.
    pub scheduled_date: Option<String>,
    /// Shares the sitting with the regular meeting.
    pub combined_meeting: bool,
    /// Preparers (member ids).
    pub preparers: Vec<String>,
    /// Presenter.
    pub presenter: Option<String>,
    /// Executive in charge.
    pub executive: Option<String>,
    /// Draft deadline.
    pub draft_deadline: Option<String>,
    /// Expected output.
    pub expected_output: String,
    /// Notes.
    pub notes: String,
    /// Where it stands.
    pub status: TopicStatus,
}

impl TryFrom<core_store::TopicRow> for TopicRow {
    type Error = ApiError;

    fn try_from(r: core_store::TopicRow) -> Result<Self> {
        Ok(TopicRow {
            plan_id: r.plan_id.to_string(),
            topic_id: r.topic_id.to_string(),
            ord: r.ord,
            group: core_plan::TopicGroup::parse(&r.group)?.into(),
            scheduled_date: column_date(&r.scheduled_date),
            combined_meeting: r.combined_meeting,
            preparers: r.preparers.iter().map(ToString::to_string).collect(),
            presenter: non_empty(&r.presenter),
            executive: non_empty(&r.executive),
            draft_deadline: column_date(&r.draft_deadline),
            status: core_plan::TopicStatus::parse(&r.status)?.into(),
            title: r.title,
            expected_output: r.expected_output,
            notes: r.notes,
        })
    }
}

/// A legal basis (căn cứ) of a plan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LegalBasis {
    /// Stable id.
    pub id: String,
    /// "12-HD/BTCTW".
    pub number: String,
    /// Its date.
    pub date: Option<String>,
    /// What it is.
    pub title: String,
}

impl From<core_plan::LegalBasis> for LegalBasis {
    fn from(l: core_plan::LegalBasis) -> Self {
        LegalBasis {
            id: l.id.to_string(),
            number: l.number,
            date: date_out(l.date),
            title: l.title,
        }
    }
}

/// One topic of a plan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// Tên chuyên đề.
    pub title: String,
    /// Nhóm vấn đề.
    pub group: TopicGroup,
    /// The session date (by default the 3rd of its month).
    pub scheduled_date: Option<String>,
    /// The session's month (1–12), if scheduled.
    pub month: Option<u32>,
    /// Held together with the monthly regular meeting.
    pub combined_with_regular_meeting: bool,
    /// Minimum session length in minutes (120 when combined, else 90).
    pub min_duration_minutes: u32,
    /// Người chuẩn bị (member ids, sorted).
    pub preparers: Vec<String>,
    /// Người trình bày.
    pub presenter: Option<String>,
    /// Chi ủy viên phụ trách.
    pub executive: Option<String>,
    /// Hạn gửi dự thảo.
    pub draft_deadline: Option<String>,
    /// Sản phẩm dự kiến.
    pub expected_output: String,
    /// Ghi chú.
    pub notes: String,
    /// Where it stands.
    pub status: TopicStatus,
}

impl From<core_plan::Topic> for Topic {
    fn from(t: core_plan::Topic) -> Self {
        Topic {
            month: t.month().map(u32::from),
            min_duration_minutes: t.min_duration_minutes(),
            id: t.id.to_string(),
            title: t.title,
            group: t.group.into(),
            scheduled_date: date_out(t.scheduled_date),
            combined_with_regular_meeting: t.combined_with_regular_meeting,
            preparers: t.preparers.iter().map(ToString::to_string).collect(),
            presenter: t.presenter.map(|m| m.to_string()),
            executive: t.executive.map(|m| m.to_string()),
            draft_deadline: date_out(t.draft_deadline),
            expected_output: t.expected_output,
            notes: t.notes,
            status: t.status.into(),
        }
    }
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AnnualPlan {
    /// The document id.
    pub id: String,
    /// The branch.
    pub branch_id: String,
    /// The plan's year.
    pub year: i32,
    /// Title ("Kế hoạch sinh hoạt chuyên đề năm 2026").
    pub title: String,
    /// Number ("01-KH/CB").
    pub number: String,
    /// Issue date.
    pub issue_date: Option<String>,
    /// Căn cứ, in order.
    pub legal_bases: Vec<LegalBasis>,
    /// I. Mục đích, yêu cầu.
    pub purpose: String,
    /// III. Tổ chức thực hiện.
    pub implementation: String,
    /// Topics in plan order (cancelled ones included, marked by status).
    pub topics: Vec<Topic>,
}

impl From<core_plan::AnnualPlan> for AnnualPlan {
    fn from(p: core_plan::AnnualPlan) -> Self {
        AnnualPlan {
            id: p.id.to_string(),
            branch_id: p.branch_id.to_string(),
            year: p.year,
            title: p.title,
            number: p.number,
            issue_date: date_out(p.issue_date),
            legal_bases: p.legal_bases.into_iter().map(Into::into).collect(),
            purpose: p.purpose,
            implementation: p.implementation,
            topics: p.topics.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a new plan starts with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewPlan {
    /// The branch.
    pub branch_id: String,
    /// The year.
    pub year: i32,
    /// Title; empty → "Kế hoạch sinh hoạt chuyên đề năm {year}".
    #[uniffi(default = "")]
    pub title: String,
    /// Number ("01-KH/CB").
    #[uniffi(default = "")]
    pub number: String,
    /// Issue date.
    #[uniffi(default = None)]
    pub issue_date: Option<String>,
    /// Initial purpose text.
    #[uniffi(default = "")]
    pub purpose: String,
    /// Initial implementation text.
    #[uniffi(default = "")]
    pub implementation: String,
}

impl TryFrom<NewPlan> for core_plan::NewPlan {
    type Error = ApiError;

    fn try_from(p: NewPlan) -> Result<Self> {
        Ok(core_plan::NewPlan {
            branch_id: BranchId::new(&p.branch_id),
            year: p.year,
            issue_date: date_in(p.issue_date.as_deref())?,
            title: p.title,
            number: p.number,
            purpose: p.purpose,
            implementation: p.implementation,
        })
    }
}

/// What a new topic starts with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewTopic {
    /// Title.
    pub title: String,
    /// Group.
    pub group: TopicGroup,
    /// Month (1–12); the date defaults to the 3rd of it.
    pub month: u32,
    /// An explicit date overriding the default 3rd.
    #[uniffi(default = None)]
    pub scheduled_date: Option<String>,
    /// Shares the sitting with the regular meeting.
    #[uniffi(default = false)]
    pub combined_with_regular_meeting: bool,
    /// Preparers (member ids).
    #[uniffi(default = [])]
    pub preparers: Vec<String>,
    /// Presenter (member id).
    #[uniffi(default = None)]
    pub presenter: Option<String>,
    /// Executive in charge (member id).
    #[uniffi(default = None)]
    pub executive: Option<String>,
    /// Draft deadline.
    #[uniffi(default = None)]
    pub draft_deadline: Option<String>,
    /// Expected output.
    #[uniffi(default = "")]
    pub expected_output: String,
    /// Notes.
    #[uniffi(default = "")]
    pub notes: String,
}

impl TryFrom<NewTopic> for core_plan::NewTopic {
    type Error = ApiError;

    fn try_from(t: NewTopic) -> Result<Self> {
        let month = u8::try_from(t.month)
            .map_err(|_| ApiError::InvalidInput(format!("month {} is not 1–12", t.month)))?;
        Ok(core_plan::NewTopic {
            group: t.group.into(),
            month,
            scheduled_date: date_in(t.scheduled_date.as_deref())?,
            combined_with_regular_meeting: t.combined_with_regular_meeting,
            preparers: t.preparers.iter().map(MemberId::new).collect(),
            presenter: member_in(t.presenter.as_deref()),
            executive: member_in(t.executive.as_deref()),
            draft_deadline: date_in(t.draft_deadline.as_deref())?,
            title: t.title,
            expected_output: t.expected_output,
            notes: t.notes,
        })
    }
}

/// An optional member id from the app; blank clears.
fn member_in(m: Option<&str>) -> Option<MemberId> {
    m.map(str::trim)
        .filter(|m| !m.is_empty())
        .map(MemberId::new)
}

/// A single-field edit of a topic (each field is one last-writer-wins value; concurrent
/// edits of one field become a conflict to resolve).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TopicField {
    /// Tên chuyên đề.
    Title { value: String },
    /// Nhóm vấn đề.
    Group { group: TopicGroup },
    /// Session date (`None` clears it).
    ScheduledDate { date: Option<String> },
    /// Combined with the regular meeting.
    CombinedWithRegularMeeting { value: bool },
    /// Presenter (`None` clears it).
    Presenter { member_id: Option<String> },
    /// Executive in charge (`None` clears it).
    Executive { member_id: Option<String> },
    /// Draft deadline (`None` clears it).
    DraftDeadline { date: Option<String> },
    /// Expected output.
    ExpectedOutput { value: String },
    /// Notes.
    Notes { value: String },
    /// Status.
    Status { status: TopicStatus },
}

impl TryFrom<TopicField> for core_plan::TopicField {
    type Error = ApiError;

    fn try_from(f: TopicField) -> Result<Self> {
        use core_plan::TopicField as F;
        Ok(match f {
            TopicField::Title { value } => F::Title(value),
            TopicField::Group { group } => F::Group(group.into()),
            TopicField::ScheduledDate { date } => F::ScheduledDate(date_in(date.as_deref())?),
            TopicField::CombinedWithRegularMeeting { value } => {
                F::CombinedWithRegularMeeting(value)
            }
            TopicField::Presenter { member_id } => F::Presenter(member_in(member_id.as_deref())),
            TopicField::Executive { member_id } => F::Executive(member_in(member_id.as_deref())),
            TopicField::DraftDeadline { date } => F::DraftDeadline(date_in(date.as_deref())?),
            TopicField::ExpectedOutput { value } => F::ExpectedOutput(value),
            TopicField::Notes { value } => F::Notes(value),
            TopicField::Status { status } => F::Status(status.into()),
        })
    }
}

/// A single-field edit of the plan's header (number and date: secretary and deputy only).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PlanField {
    /// Title.
    Title { value: String },
    /// Number ("01-KH/CB").
    Number { value: String },
    /// Issue date (`None` clears it).
    IssueDate { date: Option<String> },
}

impl TryFrom<PlanField> for core_plan::PlanField {
    type Error = ApiError;

    fn try_from(f: PlanField) -> Result<Self> {
        use core_plan::PlanField as F;
        Ok(match f {
            PlanField::Title { value } => F::Title(value),
            PlanField::Number { value } => F::Number(value),
            PlanField::IssueDate { date } => F::IssueDate(date_in(date.as_deref())?),
        })
    }
}

/// The plan's collaborative text sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PlanText {
    /// I. Mục đích, yêu cầu.
    Purpose,
    /// III. Tổ chức thực hiện.
    Implementation,
}

impl From<PlanText> for core_plan::PlanText {
    fn from(t: PlanText) -> Self {
        match t {
            PlanText::Purpose => core_plan::PlanText::Purpose,
            PlanText::Implementation => core_plan::PlanText::Implementation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_topic_groups_round_trip_and_have_labels() {
        for g in core_plan::TopicGroup::ALL {
            assert_eq!(core_plan::TopicGroup::from(TopicGroup::from(g)), g);
        }
    }

    #[test]
    fn test_new_topic_converts_dates_members_and_month() {
        let t = NewTopic {
            title: "Giải pháp giảm thời gian dừng máy".into(),
            group: TopicGroup::ProductionTargets,
            month: 4,
            scheduled_date: None,
            combined_with_regular_meeting: true,
            preparers: vec!["m-luong".into()],
            presenter: Some("m-hoa".into()),
            executive: Some(" ".into()),
            draft_deadline: Some("20/03/2026".into()),
            expected_output: String::new(),
            notes: String::new(),
        };
        let core: core_plan::NewTopic = t.clone().try_into().expect("converts");
        assert_eq!(core.month, 4);
        assert_eq!(core.presenter, Some(MemberId::new("m-hoa")));
        assert_eq!(core.executive, None, "blank clears");
        assert_eq!(
            core.draft_deadline.map(sotay_core::date::format).as_deref(),
            Some("2026-03-20")
        );
        let bad = NewTopic { month: 300, ..t };
        assert!(matches!(
            core_plan::NewTopic::try_from(bad),
            Err(ApiError::InvalidInput(_))
        ));
    }

    #[test]
    fn test_topic_field_clears_with_none() {
        let f: core_plan::TopicField = TopicField::Presenter { member_id: None }
            .try_into()
            .expect("converts");
        assert_eq!(f, core_plan::TopicField::Presenter(None));
        let f: core_plan::TopicField = TopicField::ScheduledDate {
            date: Some("2026-05-03".into()),
        }
        .try_into()
        .expect("converts");
        assert_eq!(f.key(), "scheduled_date");
    }

    #[test]
    fn test_topic_row_empty_columns_become_none() {
        let row = core_store::TopicRow {
            plan_id: "p".into(),
            topic_id: "t".into(),
            ord: 1,
            title: "Chuyên đề".into(),
            group: "party_building".into(),
            scheduled_date: String::new(),
            combined_meeting: false,
            preparers: vec![MemberId::new("m-hoa")],
            presenter: String::new(),
            executive: "m-trang".into(),
            draft_deadline: String::new(),
            expected_output: String::new(),
            notes: String::new(),
            status: "planned".into(),
        };
        let r = TopicRow::try_from(row.clone()).expect("converts");
        assert_eq!(r.group, TopicGroup::PartyBuilding);
        assert_eq!(r.presenter, None);
        assert_eq!(r.executive.as_deref(), Some("m-trang"));
        assert_eq!(r.scheduled_date, None);
        let bad = core_store::TopicRow {
            status: "unknown".into(),
            ..row
        };
        assert!(TopicRow::try_from(bad).is_err());
    }
}
