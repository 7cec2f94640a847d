//! The annual thematic plan (kế hoạch sinh hoạt chuyên đề năm …).
//!
//! Document layout (root map):
//! ```text
//! doc_id, kind = "annual_plan", schema_version
//! branch_id, year (int), title, number ("01-KH/CB"), issue_date ("YYYY-MM-DD" | "")
//! purpose: Text            — I. Mục đích, yêu cầu (collaborative)
//! implementation: Text     — III. Tổ chức thực hiện (collaborative)
//! legal_bases: { <id>: { number, date, title, position, removed } }
//! topics: { <id>: { title, group, scheduled_date, combined_meeting, preparers: { <member>: true },
//!                   presenter, executive, draft_deadline, expected_output, notes, status,
//!                   position, created_by } }
//! ```
//! Topics are never deleted (cancelling sets `status`), so a concurrent edit to a topic can
//! never be lost to a delete.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, transaction::Transactable};
use serde::{Deserialize, Serialize};

use super::{Document, Editor, View, position, put_map, put_str, put_text, splice_nfc};
use crate::date::{self, Date};
use crate::ids::{BranchId, DocId, DocKind, LegalBasisId, MemberId, TopicId};
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
    fn key(self) -> &'static str {
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

/// Creates a new plan document.
pub fn create(new: &NewPlan, editor: &Editor) -> Result<Document> {
    if new.year < 2000 || new.year > 2200 {
        return Err(Error::InvalidInput(format!(
            "{} is not a plan year",
            new.year
        )));
    }
    if new.branch_id.as_str().is_empty() {
        return Err(Error::InvalidInput("a plan needs a branch".into()));
    }
    let title = if new.title.trim().is_empty() {
        format!("Kế hoạch sinh hoạt chuyên đề năm {}", new.year)
    } else {
        new.title.clone()
    };
    Document::create(DocId::random(), DocKind::AnnualPlan, editor, |doc| {
        put_str(doc, &ROOT, "branch_id", new.branch_id.as_str())?;
        doc.put(ROOT, "year", new.year as i64)?;
        put_str(doc, &ROOT, "title", title.trim())?;
        put_str(doc, &ROOT, "number", new.number.trim())?;
        put_str(
            doc,
            &ROOT,
            "issue_date",
            &new.issue_date.map(date::format).unwrap_or_default(),
        )?;
        put_text(doc, &ROOT, "purpose", &new.purpose)?;
        put_text(doc, &ROOT, "implementation", &new.implementation)?;
        put_map(doc, &ROOT, "legal_bases")?;
        put_map(doc, &ROOT, "topics")?;
        Ok(())
    })
}

fn expect_plan(doc: &Document) -> Result<()> {
    if doc.kind() != DocKind::AnnualPlan {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "annual_plan",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

fn section(doc: &AutoCommit, key: &str) -> Result<ObjId> {
    View::new(doc, None)
        .obj(
            &ROOT,
            key,
            if matches!(key, "purpose" | "implementation") {
                ObjType::Text
            } else {
                ObjType::Map
            },
        )
        .ok_or_else(|| Error::InvalidDocument(format!("the plan has no {key}")))
}

fn topic_obj(doc: &AutoCommit, topic: &TopicId) -> Result<ObjId> {
    let topics = section(doc, "topics")?;
    View::new(doc, None)
        .obj(&topics, topic.as_str(), ObjType::Map)
        .ok_or_else(|| Error::TopicNotFound(topic.to_string()))
}

fn non_empty(what: &str, s: &str) -> Result<String> {
    let s = nfc(s.trim());
    if s.is_empty() {
        return Err(Error::InvalidInput(format!("{what} must not be empty")));
    }
    Ok(s)
}

/// Reads the whole plan (at the view's version).
pub(crate) fn read(doc: &Document, view: View<'_>) -> Result<AnnualPlan> {
    expect_plan(doc)?;
    let text_of = |key: &str| {
        view.obj(&ROOT, key, ObjType::Text)
            .map(|o| view.text(&o))
            .unwrap_or_default()
    };
    let mut legal_bases = Vec::new();
    if let Some(lb) = view.obj(&ROOT, "legal_bases", ObjType::Map) {
        for key in view.keys(&lb) {
            let Some(o) = view.obj(&lb, &key, ObjType::Map) else {
                continue;
            };
            if view.bool(&o, "removed").unwrap_or(false) {
                continue;
            }
            let pos = view.str(&o, "position").unwrap_or_default();
            legal_bases.push((
                pos,
                LegalBasis {
                    id: LegalBasisId::new(&key),
                    number: view.str(&o, "number").unwrap_or_default(),
                    date: view.opt_str(&o, "date").and_then(|d| date::parse(&d).ok()),
                    title: view.str(&o, "title").unwrap_or_default(),
                },
            ));
        }
    }
    legal_bases.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
    let mut topics = Vec::new();
    if let Some(t) = view.obj(&ROOT, "topics", ObjType::Map) {
        for key in view.keys(&t) {
            if let Some(o) = view.obj(&t, &key, ObjType::Map) {
                topics.push(read_topic(view, &o, TopicId::new(&key)));
            }
        }
    }
    topics.sort_by(|a, b| (&a.position, &a.id).cmp(&(&b.position, &b.id)));
    Ok(AnnualPlan {
        id: doc.id().clone(),
        branch_id: BranchId::new(view.str(&ROOT, "branch_id").unwrap_or_default()),
        year: view.i64(&ROOT, "year").unwrap_or_default() as i32,
        title: view.str(&ROOT, "title").unwrap_or_default(),
        number: view.str(&ROOT, "number").unwrap_or_default(),
        issue_date: view
            .opt_str(&ROOT, "issue_date")
            .and_then(|d| date::parse(&d).ok()),
        legal_bases: legal_bases.into_iter().map(|(_, l)| l).collect(),
        purpose: text_of("purpose"),
        implementation: text_of("implementation"),
        topics,
    })
}

fn read_topic(view: View<'_>, o: &ObjId, id: TopicId) -> Topic {
    let opt_date = |k: &str| view.opt_str(o, k).and_then(|d| date::parse(&d).ok());
    let mut preparers: Vec<MemberId> = view
        .obj(o, "preparers", ObjType::Map)
        .map(|p| view.keys(&p).into_iter().map(MemberId::new).collect())
        .unwrap_or_default();
    preparers.sort();
    Topic {
        id,
        title: view.str(o, "title").unwrap_or_default(),
        group: view
            .str(o, "group")
            .and_then(|g| TopicGroup::parse(&g).ok())
            .unwrap_or(TopicGroup::PartyBuilding),
        scheduled_date: opt_date("scheduled_date"),
        combined_with_regular_meeting: view.bool(o, "combined_meeting").unwrap_or(false),
        preparers,
        presenter: view.opt_str(o, "presenter").map(MemberId::new),
        executive: view.opt_str(o, "executive").map(MemberId::new),
        draft_deadline: opt_date("draft_deadline"),
        expected_output: view.str(o, "expected_output").unwrap_or_default(),
        notes: view.str(o, "notes").unwrap_or_default(),
        status: view
            .str(o, "status")
            .and_then(|s| TopicStatus::parse(&s).ok())
            .unwrap_or(TopicStatus::Planned),
        position: view.str(o, "position").unwrap_or_default(),
    }
}

/// Reads the plan at its current version.
pub fn get(doc: &Document) -> Result<AnnualPlan> {
    read(doc, doc.view())
}

/// Reads the plan exactly as it was at `heads`.
pub fn get_at(doc: &Document, heads: &[automerge::ChangeHash]) -> Result<AnnualPlan> {
    read(doc, doc.view_at(heads)?)
}

fn ordered_positions(doc: &AutoCommit, except: Option<&TopicId>) -> Result<Vec<String>> {
    let topics = section(doc, "topics")?;
    let view = View::new(doc, None);
    let mut all: Vec<(String, String)> = view
        .keys(&topics)
        .into_iter()
        .filter(|k| except.is_none_or(|e| e.as_str() != k))
        .filter_map(|k| {
            let o = view.obj(&topics, &k, ObjType::Map)?;
            Some((view.str(&o, "position").unwrap_or_default(), k))
        })
        .collect();
    all.sort();
    Ok(all.into_iter().map(|(p, _)| p).collect())
}

fn position_at(positions: &[String], index: usize) -> String {
    let index = index.min(positions.len());
    let lo = index.checked_sub(1).map(|i| positions[i].as_str());
    let hi = positions.get(index).map(String::as_str);
    position::between(lo, hi)
        // Equal neighbours (two phones chose the same slot): go just after `lo`.
        .or_else(|| position::between(lo, None))
        .unwrap_or_else(|| "z".into())
}

/// Adds a topic at the end of the plan.
pub fn add_topic(doc: &mut Document, editor: &Editor, new: &NewTopic) -> Result<TopicId> {
    expect_plan(doc)?;
    let title = non_empty("the topic title", &new.title)?;
    let year = get(doc)?.year;
    let scheduled = match new.scheduled_date {
        Some(d) => d,
        None => date::day_of_month(year, new.month, 3)?,
    };
    let id = TopicId::random();
    doc.transact(editor, "topic.add", |d| {
        let topics = section(d, "topics")?;
        let positions = ordered_positions(d, None)?;
        let pos = position_at(&positions, positions.len());
        let t = put_map(d, &topics, id.as_str())?;
        put_str(d, &t, "title", &title)?;
        put_str(d, &t, "group", new.group.as_str())?;
        put_str(d, &t, "scheduled_date", &date::format(scheduled))?;
        d.put(&t, "combined_meeting", new.combined_with_regular_meeting)?;
        let p = put_map(d, &t, "preparers")?;
        for m in &new.preparers {
            d.put(&p, m.as_str(), true)?;
        }
        put_str(
            d,
            &t,
            "presenter",
            new.presenter.as_ref().map_or("", |m| m.as_str()),
        )?;
        put_str(
            d,
            &t,
            "executive",
            new.executive.as_ref().map_or("", |m| m.as_str()),
        )?;
        put_str(
            d,
            &t,
            "draft_deadline",
            &new.draft_deadline.map(date::format).unwrap_or_default(),
        )?;
        put_str(d, &t, "expected_output", new.expected_output.trim())?;
        put_str(d, &t, "notes", new.notes.trim())?;
        put_str(d, &t, "status", TopicStatus::Planned.as_str())?;
        put_str(d, &t, "position", &pos)?;
        put_str(d, &t, "created_by", editor.member.as_str())?;
        Ok(())
    })?;
    Ok(id)
}

/// Sets one field of a topic.
pub fn set_topic_field(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    field: &TopicField,
) -> Result<()> {
    expect_plan(doc)?;
    let value = match field {
        TopicField::Title(s) => non_empty("the topic title", s)?,
        TopicField::Group(g) => g.as_str().to_owned(),
        TopicField::ScheduledDate(d) | TopicField::DraftDeadline(d) => {
            d.map(date::format).unwrap_or_default()
        }
        TopicField::CombinedWithRegularMeeting(_) => String::new(),
        TopicField::Presenter(m) | TopicField::Executive(m) => {
            m.as_ref().map(|m| m.to_string()).unwrap_or_default()
        }
        TopicField::ExpectedOutput(s) | TopicField::Notes(s) => nfc(s.trim()),
        TopicField::Status(s) => s.as_str().to_owned(),
    };
    doc.transact(editor, &format!("topic.set.{}", field.key()), |d| {
        let t = topic_obj(d, topic)?;
        match field {
            TopicField::CombinedWithRegularMeeting(b) => d.put(&t, field.key(), *b)?,
            _ => put_str(d, &t, field.key(), &value)?,
        }
        Ok(())
    })
}

/// Adds or removes a preparer of a topic (a set: concurrent additions never collide).
pub fn set_preparer(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    member: &MemberId,
    present: bool,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(
        editor,
        if present {
            "topic.preparer.add"
        } else {
            "topic.preparer.remove"
        },
        |d| {
            let t = topic_obj(d, topic)?;
            let p = View::new(d, None)
                .obj(&t, "preparers", ObjType::Map)
                .ok_or_else(|| Error::InvalidDocument("topic without preparers".into()))?;
            if present {
                d.put(&p, member.as_str(), true)?;
            } else {
                d.delete(&p, member.as_str())?;
            }
            Ok(())
        },
    )
}

/// Moves a topic so that it becomes the `index`-th (0-based) of the plan.
pub fn move_topic(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    index: usize,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, "topic.move", |d| {
        let t = topic_obj(d, topic)?;
        let positions = ordered_positions(d, Some(topic))?;
        let pos = position_at(&positions, index);
        put_str(d, &t, "position", &pos)
    })
}

/// Cancels a topic (it stays in the plan, marked cancelled).
pub fn cancel_topic(doc: &mut Document, editor: &Editor, topic: &TopicId) -> Result<()> {
    set_topic_field(
        doc,
        editor,
        topic,
        &TopicField::Status(TopicStatus::Cancelled),
    )
}

/// Sets one header field of the plan.
pub fn set_plan_field(doc: &mut Document, editor: &Editor, field: &PlanField) -> Result<()> {
    expect_plan(doc)?;
    let (key, value) = match field {
        PlanField::Title(s) => ("title", non_empty("the plan title", s)?),
        PlanField::Number(s) => ("number", nfc(s.trim())),
        PlanField::IssueDate(d) => ("issue_date", d.map(date::format).unwrap_or_default()),
    };
    doc.transact(editor, &format!("plan.set.{key}"), |d| {
        put_str(d, &ROOT, key, &value)
    })
}

/// Edits a collaborative text section: delete `delete` characters at `pos` (Unicode code
/// points) and insert `insert` there.
pub fn splice_text(
    doc: &mut Document,
    editor: &Editor,
    which: PlanText,
    pos: usize,
    delete: usize,
    insert: &str,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, &format!("plan.text.{}", which.key()), |d| {
        let obj = section(d, which.key())?;
        splice_nfc(d, &obj, pos, delete, insert)
    })
}

/// Replaces a whole text section, expressed as the smallest edits (merges better than a
/// wholesale replacement when others edit concurrently).
pub fn replace_text(
    doc: &mut Document,
    editor: &Editor,
    which: PlanText,
    text: &str,
) -> Result<()> {
    expect_plan(doc)?;
    let text = nfc(text);
    doc.transact(editor, &format!("plan.text.{}", which.key()), |d| {
        let obj = section(d, which.key())?;
        d.update_text(&obj, &text)?;
        Ok(())
    })
}

/// Adds a legal basis at the end of the list.
pub fn add_legal_basis(
    doc: &mut Document,
    editor: &Editor,
    number: &str,
    date: Option<Date>,
    title: &str,
) -> Result<LegalBasisId> {
    expect_plan(doc)?;
    let number = non_empty("the legal basis number", number)?;
    let id = LegalBasisId::random();
    doc.transact(editor, "plan.legal_basis.add", |d| {
        let lb = section(d, "legal_bases")?;
        let view = View::new(d, None);
        let mut positions: Vec<String> = view
            .keys(&lb)
            .into_iter()
            .filter_map(|k| view.obj(&lb, &k, ObjType::Map))
            .map(|o| view.str(&o, "position").unwrap_or_default())
            .collect();
        positions.sort();
        let pos = position_at(&positions, positions.len());
        let o = put_map(d, &lb, id.as_str())?;
        put_str(d, &o, "number", &number)?;
        put_str(d, &o, "date", &date.map(date::format).unwrap_or_default())?;
        put_str(d, &o, "title", title.trim())?;
        put_str(d, &o, "position", &pos)?;
        d.put(&o, "removed", false)?;
        Ok(())
    })?;
    Ok(id)
}

/// Removes a legal basis (a tombstone flag, so a concurrent edit is not lost silently).
pub fn remove_legal_basis(doc: &mut Document, editor: &Editor, id: &LegalBasisId) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, "plan.legal_basis.remove", |d| {
        let lb = section(d, "legal_bases")?;
        let o = View::new(d, None)
            .obj(&lb, id.as_str(), ObjType::Map)
            .ok_or_else(|| Error::LegalBasisNotFound(id.to_string()))?;
        d.put(&o, "removed", true)?;
        Ok(())
    })
}
