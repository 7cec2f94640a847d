//! The plan's value types: topics, groups, statuses, field edits.

use serde::{Deserialize, Serialize};

use crate::date::{self, Date};
use crate::ids::{BranchId, DocId, LegalBasisId, MemberId, TopicId};
use crate::text::nfc;
use crate::{Error, Result};

/// The topic groups of HD 12-HD/BTCTW (06/7/2018).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicGroup {
    /// Studying and following Hồ Chí Minh's thought, ethics and style.
    HoChiMinh,
    /// Political theory and professional skills.
    PoliticalTheory,
    /// Implementing resolutions and laws that bear on the branch.
    ResolutionsAndLaws,
    /// Preventing degradation, "tự diễn biến", "tự chuyển hóa".
    PreventingDegradation,
    /// Party building and building the unit.
    PartyBuilding,
    /// Fighting corruption, waste and negativity.
    AntiCorruption,
    /// Assigned production or business targets.
    ProductionTargets,
}

impl TopicGroup {
    /// All groups, in HD 12's order.
    pub const ALL: [TopicGroup; 7] = [
        TopicGroup::HoChiMinh,
        TopicGroup::PoliticalTheory,
        TopicGroup::ResolutionsAndLaws,
        TopicGroup::PreventingDegradation,
        TopicGroup::PartyBuilding,
        TopicGroup::AntiCorruption,
        TopicGroup::ProductionTargets,
    ];

    /// The code stored in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            TopicGroup::HoChiMinh => "ho_chi_minh",
            TopicGroup::PoliticalTheory => "political_theory",
            TopicGroup::ResolutionsAndLaws => "resolutions_and_laws",
            TopicGroup::PreventingDegradation => "preventing_degradation",
            TopicGroup::PartyBuilding => "party_building",
            TopicGroup::AntiCorruption => "anti_corruption",
            TopicGroup::ProductionTargets => "production_targets",
        }
    }

    /// The Vietnamese label (Nhóm vấn đề).
    pub fn label_vi(self) -> &'static str {
        match self {
            TopicGroup::HoChiMinh => {
                "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
            }
            TopicGroup::PoliticalTheory => "Lý luận chính trị, chuyên môn, nghiệp vụ",
            TopicGroup::ResolutionsAndLaws => "Thực hiện nghị quyết, pháp luật liên quan",
            TopicGroup::PreventingDegradation => {
                "Phòng, chống suy thoái, \"tự diễn biến\", \"tự chuyển hóa\""
            }
            TopicGroup::PartyBuilding => "Xây dựng Đảng, xây dựng đơn vị",
            TopicGroup::AntiCorruption => "Phòng, chống tham nhũng, lãng phí, tiêu cực",
            TopicGroup::ProductionTargets => "Thực hiện chỉ tiêu sản xuất, kinh doanh được giao",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| Error::InvalidInput(format!("unknown topic group {s:?}")))
    }
}

/// Where a topic stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl TopicStatus {
    /// The code stored in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            TopicStatus::Planned => "planned",
            TopicStatus::Drafting => "drafting",
            TopicStatus::Held => "held",
            TopicStatus::Postponed => "postponed",
            TopicStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        [
            TopicStatus::Planned,
            TopicStatus::Drafting,
            TopicStatus::Held,
            TopicStatus::Postponed,
            TopicStatus::Cancelled,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
        .ok_or_else(|| Error::InvalidInput(format!("unknown topic status {s:?}")))
    }
}

/// A legal basis (căn cứ): a regulation's number with its date — two different documents can
/// share a number ("12-HD/BTCTW" of 2018 and of 2022).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// Stable id.
    pub id: LegalBasisId,
    /// "12-HD/BTCTW".
    pub number: String,
    /// Its date.
    #[serde(with = "date::serde_opt")]
    pub date: Option<Date>,
    /// What it is ("Hướng dẫn … nâng cao chất lượng sinh hoạt chi bộ").
    pub title: String,
}

/// One topic of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Stable id.
    pub id: TopicId,
    /// Tên chuyên đề.
    pub title: String,
    /// Nhóm vấn đề.
    pub group: TopicGroup,
    /// The session date (by default the 3rd of its month, Chỉ thị 50-CT/TW).
    #[serde(with = "date::serde_opt")]
    pub scheduled_date: Option<Date>,
    /// Held together with the monthly regular meeting (→ at least 120 minutes instead of 90).
    pub combined_with_regular_meeting: bool,
    /// Người chuẩn bị (sorted by id).
    pub preparers: Vec<MemberId>,
    /// Người trình bày.
    pub presenter: Option<MemberId>,
    /// Chi ủy viên phụ trách.
    pub executive: Option<MemberId>,
    /// Hạn gửi dự thảo.
    #[serde(with = "date::serde_opt")]
    pub draft_deadline: Option<Date>,
    /// Sản phẩm dự kiến.
    pub expected_output: String,
    /// Ghi chú.
    pub notes: String,
    /// Where it stands.
    pub status: TopicStatus,
    /// Fractional order key (see [`position`]).
    pub position: String,
}

impl Topic {
    /// The month of the session, if scheduled.
    pub fn month(&self) -> Option<u8> {
        self.scheduled_date.map(|d| d.month() as u8)
    }

    /// The quarter of the session, if scheduled.
    pub fn quarter(&self) -> Option<u8> {
        self.month().map(|m| (m - 1) / 3 + 1)
    }

    /// Minimum session length in minutes (HD 42-HD/BTCTW, 28/10/2025).
    pub fn min_duration_minutes(&self) -> u32 {
        if self.combined_with_regular_meeting {
            120
        } else {
            90
        }
    }
}

/// The whole plan as a typed value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualPlan {
    /// The document id.
    pub id: DocId,
    /// The branch.
    pub branch_id: BranchId,
    /// The plan's year.
    pub year: i32,
    /// Title ("Kế hoạch sinh hoạt chuyên đề năm 2026").
    pub title: String,
    /// Number ("01-KH/CB").
    pub number: String,
    /// Issue date.
    #[serde(with = "date::serde_opt")]
    pub issue_date: Option<Date>,
    /// Căn cứ, in order.
    pub legal_bases: Vec<LegalBasis>,
    /// I. Mục đích, yêu cầu.
    pub purpose: String,
    /// III. Tổ chức thực hiện.
    pub implementation: String,
    /// Topics in plan order (cancelled ones included, marked by status).
    pub topics: Vec<Topic>,
}

impl AnnualPlan {
    /// A topic by id.
    pub fn topic(&self, id: &TopicId) -> Option<&Topic> {
        self.topics.iter().find(|t| &t.id == id)
    }
}

/// What a new plan starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlan {
    /// The branch.
    pub branch_id: BranchId,
    /// The year.
    pub year: i32,
    /// Title; empty → "Kế hoạch sinh hoạt chuyên đề năm {year}".
    pub title: String,
    /// Number ("01-KH/CB").
    pub number: String,
    /// Issue date.
    #[serde(with = "date::serde_opt", default)]
    pub issue_date: Option<Date>,
    /// Initial purpose text.
    pub purpose: String,
    /// Initial implementation text.
    pub implementation: String,
}

/// What a new topic starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTopic {
    /// Title.
    pub title: String,
    /// Group.
    pub group: TopicGroup,
    /// Month (1–12); the date defaults to the 3rd of it.
    pub month: u8,
    /// An explicit date overriding the default 3rd.
    #[serde(with = "date::serde_opt", default)]
    pub scheduled_date: Option<Date>,
    /// Shares the sitting with the regular meeting.
    #[serde(default)]
    pub combined_with_regular_meeting: bool,
    /// Preparers.
    #[serde(default)]
    pub preparers: Vec<MemberId>,
    /// Presenter.
    #[serde(default)]
    pub presenter: Option<MemberId>,
    /// Executive in charge.
    #[serde(default)]
    pub executive: Option<MemberId>,
    /// Draft deadline.
    #[serde(with = "date::serde_opt", default)]
    pub draft_deadline: Option<Date>,
    /// Expected output.
    #[serde(default)]
    pub expected_output: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// A single-field edit of a topic. Each maps to one last-writer-wins key in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopicField {
    /// Tên chuyên đề.
    Title(String),
    /// Nhóm vấn đề.
    Group(TopicGroup),
    /// Session date.
    ScheduledDate(Option<Date>),
    /// Combined with the regular meeting.
    CombinedWithRegularMeeting(bool),
    /// Presenter.
    Presenter(Option<MemberId>),
    /// Executive in charge.
    Executive(Option<MemberId>),
    /// Draft deadline.
    DraftDeadline(Option<Date>),
    /// Expected output.
    ExpectedOutput(String),
    /// Notes.
    Notes(String),
    /// Status.
    Status(TopicStatus),
}

impl TopicField {
    /// The document key this field lives under.
    pub fn key(&self) -> &'static str {
        match self {
            TopicField::Title(_) => "title",
            TopicField::Group(_) => "group",
            TopicField::ScheduledDate(_) => "scheduled_date",
            TopicField::CombinedWithRegularMeeting(_) => "combined_meeting",
            TopicField::Presenter(_) => "presenter",
            TopicField::Executive(_) => "executive",
            TopicField::DraftDeadline(_) => "draft_deadline",
            TopicField::ExpectedOutput(_) => "expected_output",
            TopicField::Notes(_) => "notes",
            TopicField::Status(_) => "status",
        }
    }

    /// Builds a field edit from a key and a text value (for the CLI and scripts).
    /// Empty values clear optional fields.
    pub fn parse(key: &str, value: &str) -> Result<Self> {
        let value = nfc(value.trim());
        let opt_member = || (!value.is_empty()).then(|| MemberId::new(&value));
        let opt_date = || -> Result<Option<Date>> {
            if value.is_empty() {
                Ok(None)
            } else {
                date::parse(&value).map(Some)
            }
        };
        Ok(match key {
            "title" => TopicField::Title(value.clone()),
            "group" => TopicField::Group(TopicGroup::parse(&value)?),
            "scheduled_date" | "date" => TopicField::ScheduledDate(opt_date()?),
            "combined_meeting" | "combined" => {
                TopicField::CombinedWithRegularMeeting(match value.as_str() {
                    "true" | "yes" | "1" | "có" => true,
                    "false" | "no" | "0" | "không" => false,
                    _ => return Err(Error::InvalidInput(format!("{value:?} is not yes/no"))),
                })
            }
            "presenter" => TopicField::Presenter(opt_member()),
            "executive" => TopicField::Executive(opt_member()),
            "draft_deadline" | "deadline" => TopicField::DraftDeadline(opt_date()?),
            "expected_output" | "output" => TopicField::ExpectedOutput(value.clone()),
            "notes" => TopicField::Notes(value.clone()),
            "status" => TopicField::Status(TopicStatus::parse(&value)?),
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown topic field {other:?} (title, group, date, combined, presenter, executive, deadline, output, notes, status)"
                )));
            }
        })
    }
}

/// A single-field edit of the plan's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanField {
    /// Title.
    Title(String),
    /// Number ("01-KH/CB").
    Number(String),
    /// Issue date.
    IssueDate(Option<Date>),
}

impl PlanField {
    /// Builds a field edit from a key and a text value.
    pub fn parse(key: &str, value: &str) -> Result<Self> {
        let value = nfc(value.trim());
        Ok(match key {
            "title" => PlanField::Title(value),
            "number" => PlanField::Number(value),
            "issue_date" | "date" => PlanField::IssueDate(if value.is_empty() {
                None
            } else {
                Some(date::parse(&value)?)
            }),
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown plan field {other:?} (title, number, date)"
                )));
            }
        })
    }
}

/// The plan's collaborative text sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanText {
    /// I. Mục đích, yêu cầu.
    Purpose,
    /// III. Tổ chức thực hiện.
    Implementation,
}

impl PlanText {
    pub(crate) fn key(self) -> &'static str {
        match self {
            PlanText::Purpose => "purpose",
            PlanText::Implementation => "implementation",
        }
    }

    /// Parses `purpose` / `implementation`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "purpose" => Ok(PlanText::Purpose),
            "implementation" => Ok(PlanText::Implementation),
            other => Err(Error::InvalidInput(format!(
                "unknown plan section {other:?} (purpose, implementation)"
            ))),
        }
    }
}
