//! A thematic session (buổi sinh hoạt chuyên đề): the materials published for it, and its
//! minutes (biên bản) — attendance, opinions by name, conclusion, resolution with its vote,
//! tasks followed until done, and the meeting-quality self-score.
//!
//! One document per session, so the clerk can type the minutes offline during the sitting
//! while officers publish materials and members' task owners post progress, all merging
//! without loss. Layout (root map), as in `docs/sessions.md`:
//! ```text
//! doc_id, kind = "session", schema_version
//! branch_id, plan_id, topic_id, title, session_date ("YYYY-MM-DD"), combined_with_regular
//! distribution: { <doc_id>: { kind, heads: "h1,h2", published_at, published_by } }
//! started_at, ended_at (unix seconds, 0 = unset), place, chair, clerk, presenter
//! attendance: { <member>: status }, absence_reasons: { <member>: reason }
//! guests: { <id>: { name, title, delegate } }
//! opinions: { <id>: { member, body, source_doc, source_comment, position, removed } }
//! purpose, summary, conclusion, resolution: Text
//! votes_for, votes_against
//! tasks: { <id>: { title, owner, deadline, source_doc, source_comment, created_by, created_at,
//!                  status, updates: { <id>: { at, by, status, note } } } }
//! quality: { <criterion>: points }
//! ```
//! Every container is made by the creator in the first change; entries many people add are
//! keyed by random ids.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ROOT, transaction::Transactable};
use serde::{Deserialize, Serialize};

use super::{Document, Editor, View, position, put_map, put_str, put_text, splice_nfc};
use crate::date::{self, Date};
use crate::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use crate::text::nfc;
use crate::{Error, Result};

/// The collaborative texts of the minutes.
pub const TEXTS: [&str; 4] = ["purpose", "summary", "conclusion", "resolution"];

/// The Vietnamese name of a part of the minutes, by the keys of
/// [`crate::approval::SESSION_FIELDS`] (the key itself if unknown).
pub fn field_label_vi(key: &str) -> &str {
    match key {
        "session_date" => "Ngày sinh hoạt",
        "combined_with_regular" => "Kết hợp sinh hoạt thường kỳ",
        "distribution" => "Tài liệu đã gửi",
        "started_at" => "Thời gian bắt đầu",
        "ended_at" => "Thời gian kết thúc",
        "place" => "Địa điểm",
        "chair" => "Chủ trì",
        "clerk" => "Thư ký",
        "presenter" => "Người trình bày",
        "attendance" => "Điểm danh",
        "guests" => "Khách mời, đại biểu",
        "opinions" => "Ý kiến phát biểu",
        "purpose" => "Mục đích, yêu cầu",
        "summary" => "Tóm tắt nội dung trình bày",
        "conclusion" => "Kết luận",
        "resolution" => "Nghị quyết",
        "votes" => "Biểu quyết",
        "tasks" => "Phân công thực hiện",
        "quality" => "Tự chấm điểm chất lượng",
        other => other,
    }
}

/// How a member stood at the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// Có mặt.
    Present,
    /// Vắng có lý do.
    AbsentExcused,
    /// Vắng không lý do.
    AbsentUnexcused,
    /// Miễn sinh hoạt.
    Exempt,
}

impl Attendance {
    /// Every value.
    pub const ALL: [Attendance; 4] = [
        Attendance::Present,
        Attendance::AbsentExcused,
        Attendance::AbsentUnexcused,
        Attendance::Exempt,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Present => "present",
            Attendance::AbsentExcused => "absent_excused",
            Attendance::AbsentUnexcused => "absent_unexcused",
            Attendance::Exempt => "exempt",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Attendance::Present => "Có mặt",
            Attendance::AbsentExcused => "Vắng có lý do",
            Attendance::AbsentUnexcused => "Vắng không lý do",
            Attendance::Exempt => "Miễn sinh hoạt",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown attendance {s:?} (present, absent_excused, absent_unexcused, exempt)"
                ))
            })
    }
}

/// Where a task (or an adopted proposal) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Assigned, not started.
    Open,
    /// Being carried out.
    InProgress,
    /// Carried out.
    Done,
    /// Dropped by the branch.
    Dropped,
}

impl TaskStatus {
    /// Every value.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Open,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Dropped,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Dropped => "dropped",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::Open => "Chưa thực hiện",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Đã hoàn thành",
            TaskStatus::Dropped => "Không thực hiện",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown task status {s:?} (open, in_progress, done, dropped)"
                ))
            })
    }

    /// Finished one way or the other.
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Dropped)
    }
}

/// One line of the meeting-quality grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityCriterion {
    /// The code stored in the minutes' `quality` map.
    pub code: String,
    /// What it scores, in Vietnamese.
    pub label: String,
    /// The most points it gives.
    pub max: u32,
}

/// The meeting-quality self-score grid (local 100-point grids exist; a committee sets its own
/// on the server, which carries it to every phone in the signed directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityGrid {
    /// The criteria; their maxima add up to 100.
    pub criteria: Vec<QualityCriterion>,
}

impl Default for QualityGrid {
    fn default() -> Self {
        let c = |code: &str, label: &str, max| QualityCriterion {
            code: code.into(),
            label: label.into(),
            max,
        };
        QualityGrid {
            criteria: vec![
                c("attendance", "Tỷ lệ đảng viên dự sinh hoạt", 25),
                c("duration", "Thời lượng đúng quy định", 15),
                c("preparation", "Chuẩn bị, gửi tài liệu trước", 20),
                c("opinions", "Ý kiến phát biểu, thảo luận", 25),
                c("minutes", "Biên bản, nghị quyết, phân công", 15),
            ],
        }
    }
}

/// A meeting-quality level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityLevel {
    /// Tốt: ≥ 90.
    Good,
    /// Khá: 70–<90.
    Fair,
    /// Trung bình: 50–<70.
    Average,
    /// Kém: < 50.
    Poor,
}

impl QualityLevel {
    /// The level of a total out of 100.
    pub fn of(total: u32) -> Self {
        match total {
            90.. => QualityLevel::Good,
            70..90 => QualityLevel::Fair,
            50..70 => QualityLevel::Average,
            _ => QualityLevel::Poor,
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            QualityLevel::Good => "Tốt",
            QualityLevel::Fair => "Khá",
            QualityLevel::Average => "Trung bình",
            QualityLevel::Poor => "Kém",
        }
    }
}

impl QualityGrid {
    /// Reads a grid from JSON (the shape it serialises to) and checks it.
    pub fn from_json(json: &str) -> Result<Self> {
        let g: QualityGrid = serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("the quality grid does not read: {e}")))?;
        g.check()?;
        Ok(g)
    }

    /// Checks the grid: codes unique and non-empty, maxima adding up to 100.
    pub fn check(&self) -> Result<()> {
        let mut codes = std::collections::BTreeSet::new();
        for c in &self.criteria {
            if c.code.trim().is_empty() || !codes.insert(c.code.as_str()) {
                return Err(Error::InvalidInput(format!(
                    "quality criterion codes must be unique and non-empty ({:?})",
                    c.code
                )));
            }
        }
        let total: u32 = self.criteria.iter().map(|c| c.max).sum();
        if total != 100 {
            return Err(Error::InvalidInput(format!(
                "the quality grid's maxima add up to {total}, not 100"
            )));
        }
        Ok(())
    }

    /// The session's total (each criterion capped at its maximum; unknown codes ignored)
    /// and its level. Tốt also needs every criterion at its maximum except the ones the
    /// grid says nothing of — the local rule "Tốt ≥ 90 with attendance, duration, opinions
    /// and minutes at maximum" — and a duration that meets HD 42.
    pub fn score(&self, s: &Session) -> (u32, QualityLevel) {
        let total: u32 = self
            .criteria
            .iter()
            .map(|c| s.quality.get(&c.code).copied().unwrap_or(0).min(c.max))
            .sum();
        let mut level = QualityLevel::of(total);
        let at_max = |code: &str| {
            self.criteria
                .iter()
                .find(|c| c.code == code)
                .is_none_or(|c| s.quality.get(code).copied().unwrap_or(0) >= c.max)
        };
        if level == QualityLevel::Good
            && (!["attendance", "duration", "opinions", "minutes"]
                .iter()
                .all(|c| at_max(c))
                || s.duration_ok() == Some(false))
        {
            level = QualityLevel::Fair;
        }
        (total, level)
    }
}

/// A material published to the branch for this session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The draft or material.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// The exact version published (hex change hashes, sorted).
    pub heads: Vec<String>,
    /// When (device clock, Unix seconds).
    pub published_at: i64,
    /// By whom.
    pub published_by: MemberId,
}

/// One member's attendance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceEntry {
    /// The member.
    pub member: MemberId,
    /// How they stood.
    pub status: Attendance,
    /// The reason given for an absence (or exemption).
    pub reason: String,
}

/// A guest or a superior committee's delegate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guest {
    /// Entry id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Position or unit ("Đảng ủy viên, Đảng bộ Công ty").
    pub title: String,
    /// A delegate of the superior committee (đại biểu cấp ủy cấp trên).
    pub delegate: bool,
}

/// Where an opinion or a task came from: a comment or proposal in a draft or material.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceRef {
    /// The draft or material.
    pub doc_id: DocId,
    /// The comment or proposal.
    pub comment_id: CommentId,
}

/// An opinion recorded by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// Entry id.
    pub id: String,
    /// Who spoke.
    pub member: MemberId,
    /// What they said (summary).
    pub body: String,
    /// Picked from this comment or proposal, if it was.
    pub source: Option<SourceRef>,
}

/// A status update on a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskUpdate {
    /// Entry id.
    pub id: String,
    /// When (device clock).
    pub at: i64,
    /// Who posted it.
    pub by: MemberId,
    /// The status it set.
    pub status: TaskStatus,
    /// What was done.
    pub note: String,
}

/// A task assigned by the session (phân công), possibly adopting a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Entry id.
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: MemberId,
    /// By when.
    #[serde(with = "crate::date::serde_opt")]
    pub deadline: Option<Date>,
    /// The proposal it adopts, if any.
    pub source: Option<SourceRef>,
    /// Who recorded it.
    pub created_by: MemberId,
    /// When.
    pub created_at: i64,
    /// Current status (the latest update's, or open).
    pub status: TaskStatus,
    /// Updates, oldest first.
    pub updates: Vec<TaskUpdate>,
}

impl Task {
    /// Past its deadline (before `today`) and not closed.
    pub fn is_overdue(&self, today: Date) -> bool {
        !self.status.is_closed() && self.deadline.is_some_and(|d| d < today)
    }
}

/// A session and its minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Document id.
    pub id: DocId,
    /// Branch.
    pub branch_id: BranchId,
    /// The plan whose topic it holds.
    pub plan_id: DocId,
    /// The topic.
    pub topic_id: TopicId,
    /// The topic's title.
    pub title: String,
    /// The day it is held.
    #[serde(with = "crate::date::serde_opt")]
    pub session_date: Option<Date>,
    /// Shares the sitting with the regular meeting (120 minutes instead of 90).
    pub combined_with_regular: bool,
    /// Materials published for it, by publication time.
    pub distribution: Vec<Publication>,
    /// Start (Unix seconds).
    pub started_at: Option<i64>,
    /// End (Unix seconds).
    pub ended_at: Option<i64>,
    /// Where.
    pub place: String,
    /// Chủ trì.
    pub chair: Option<MemberId>,
    /// Thư ký.
    pub clerk: Option<MemberId>,
    /// Người trình bày.
    pub presenter: Option<MemberId>,
    /// Attendance, by member id.
    pub attendance: Vec<AttendanceEntry>,
    /// Guests and delegates.
    pub guests: Vec<Guest>,
    /// Opinions, in order.
    pub opinions: Vec<Opinion>,
    /// Purpose stated by the chair.
    pub purpose: String,
    /// Summary of the presentation.
    pub summary: String,
    /// Conclusion.
    pub conclusion: String,
    /// The branch resolution.
    pub resolution: String,
    /// Votes for (tán thành).
    pub votes_for: u32,
    /// Votes against (không tán thành).
    pub votes_against: u32,
    /// Tasks assigned.
    pub tasks: Vec<Task>,
    /// Meeting-quality self-score: points per criterion code.
    pub quality: BTreeMap<String, u32>,
}

impl Session {
    /// Length of the sitting in minutes, when start and end are recorded.
    pub fn duration_minutes(&self) -> Option<i64> {
        match (self.started_at, self.ended_at) {
            (Some(s), Some(e)) if e >= s => Some((e - s) / 60),
            _ => None,
        }
    }

    /// The minimum length (HD 42-HD/BTCTW, 28/10/2025): 90 minutes, 120 when combined with
    /// the regular meeting.
    pub fn required_minutes(&self) -> i64 {
        if self.combined_with_regular { 120 } else { 90 }
    }

    /// Whether the recorded length meets the rule (`None` while start or end is missing).
    pub fn duration_ok(&self) -> Option<bool> {
        self.duration_minutes()
            .map(|m| m >= self.required_minutes())
    }

    /// The attendance entry of `member`.
    pub fn attendance_of(&self, member: &MemberId) -> Option<&AttendanceEntry> {
        self.attendance.iter().find(|a| &a.member == member)
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// What a new session needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSession {
    /// Branch.
    pub branch_id: BranchId,
    /// The plan.
    pub plan_id: DocId,
    /// The topic it holds.
    pub topic_id: TopicId,
    /// The topic's title (copied for the record).
    pub title: String,
    /// The day it is held.
    #[serde(with = "crate::date::serde_req")]
    pub session_date: Date,
    /// Combined with the regular meeting.
    pub combined_with_regular: bool,
}

/// A field of the minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionField {
    /// The day it is held.
    SessionDate(Option<Date>),
    /// Combined with the regular meeting.
    CombinedWithRegular(bool),
    /// Start.
    StartedAt(Option<i64>),
    /// End.
    EndedAt(Option<i64>),
    /// Place.
    Place(String),
    /// Chair.
    Chair(Option<MemberId>),
    /// Clerk.
    Clerk(Option<MemberId>),
    /// Presenter.
    Presenter(Option<MemberId>),
    /// Votes for.
    VotesFor(u32),
    /// Votes against.
    VotesAgainst(u32),
}

impl SessionField {
    /// The root key it writes.
    pub fn key(&self) -> &'static str {
        match self {
            SessionField::SessionDate(_) => "session_date",
            SessionField::CombinedWithRegular(_) => "combined_with_regular",
            SessionField::StartedAt(_) => "started_at",
            SessionField::EndedAt(_) => "ended_at",
            SessionField::Place(_) => "place",
            SessionField::Chair(_) => "chair",
            SessionField::Clerk(_) => "clerk",
            SessionField::Presenter(_) => "presenter",
            SessionField::VotesFor(_) => "votes_for",
            SessionField::VotesAgainst(_) => "votes_against",
        }
    }
}

/// A new task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTask {
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: MemberId,
    /// By when.
    #[serde(with = "crate::date::serde_opt")]
    pub deadline: Option<Date>,
    /// The proposal it adopts.
    pub source: Option<SourceRef>,
}

/// Creates a session document.
pub fn create(new: &NewSession, editor: &Editor) -> Result<Document> {
    if new.branch_id.as_str().is_empty() || new.plan_id.as_str().is_empty() {
        return Err(Error::InvalidInput(
            "a session needs its branch and plan".into(),
        ));
    }
    if new.topic_id.as_str().is_empty() {
        return Err(Error::InvalidInput("a session needs its topic".into()));
    }
    Document::create(DocId::random(), DocKind::Session, editor, |doc| {
        put_str(doc, &ROOT, "branch_id", new.branch_id.as_str())?;
        put_str(doc, &ROOT, "plan_id", new.plan_id.as_str())?;
        put_str(doc, &ROOT, "topic_id", new.topic_id.as_str())?;
        put_str(doc, &ROOT, "title", new.title.trim())?;
        put_str(doc, &ROOT, "session_date", &date::format(new.session_date))?;
        doc.put(ROOT, "combined_with_regular", new.combined_with_regular)?;
        for key in [
            "distribution",
            "attendance",
            "absence_reasons",
            "guests",
            "opinions",
            "tasks",
            "quality",
        ] {
            put_map(doc, &ROOT, key)?;
        }
        for key in TEXTS {
            put_text(doc, &ROOT, key, "")?;
        }
        doc.put(ROOT, "started_at", 0i64)?;
        doc.put(ROOT, "ended_at", 0i64)?;
        put_str(doc, &ROOT, "place", "")?;
        for key in ["chair", "clerk", "presenter"] {
            put_str(doc, &ROOT, key, "")?;
        }
        doc.put(ROOT, "votes_for", 0i64)?;
        doc.put(ROOT, "votes_against", 0i64)?;
        Ok(())
    })
}

fn expect_session(doc: &Document) -> Result<()> {
    if doc.kind() != DocKind::Session {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "session",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

fn section(view: View<'_>, key: &str) -> Result<ObjId> {
    let ty = if TEXTS.contains(&key) {
        ObjType::Text
    } else {
        ObjType::Map
    };
    view.obj(&ROOT, key, ty)
        .ok_or_else(|| Error::InvalidDocument(format!("the session has no {key}")))
}

fn opt_member(view: View<'_>, obj: &ObjId, key: &str) -> Option<MemberId> {
    view.opt_str(obj, key).map(MemberId::new)
}

fn source_of(view: View<'_>, obj: &ObjId) -> Option<SourceRef> {
    match (
        view.opt_str(obj, "source_doc"),
        view.opt_str(obj, "source_comment"),
    ) {
        (Some(d), Some(c)) => Some(SourceRef {
            doc_id: DocId::new(d),
            comment_id: CommentId::new(c),
        }),
        _ => None,
    }
}

fn entries(view: View<'_>, map: &ObjId) -> Vec<(String, ObjId)> {
    view.keys(map)
        .into_iter()
        .filter_map(|k| view.obj(map, &k, ObjType::Map).map(|o| (k, o)))
        .collect()
}

/// Reads the session at the view's version.
pub(crate) fn read(doc: &Document, view: View<'_>) -> Result<Session> {
    expect_session(doc)?;
    let nonzero = |key: &str| view.i64(&ROOT, key).filter(|t| *t != 0);
    let text = |key: &str| -> Result<String> { Ok(view.text(&section(view, key)?)) };

    let mut distribution: Vec<Publication> = Vec::new();
    for (key, o) in entries(view, &section(view, "distribution")?) {
        let Some(kind) = view.str(&o, "kind").and_then(|k| DocKind::parse(&k)) else {
            continue;
        };
        distribution.push(Publication {
            doc_id: DocId::new(&key),
            kind,
            heads: view
                .str(&o, "heads")
                .unwrap_or_default()
                .split(',')
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
            published_at: view.i64(&o, "published_at").unwrap_or(0),
            published_by: MemberId::new(view.str(&o, "published_by").unwrap_or_default()),
        });
    }
    distribution.sort_by(|a, b| (a.published_at, &a.doc_id).cmp(&(b.published_at, &b.doc_id)));

    let mut attendance = Vec::new();
    let att = section(view, "attendance")?;
    let reasons = section(view, "absence_reasons")?;
    for key in view.keys(&att) {
        let Some(status) = view
            .str(&att, &key)
            .and_then(|s| Attendance::parse(&s).ok())
        else {
            continue;
        };
        attendance.push(AttendanceEntry {
            reason: view.str(&reasons, &key).unwrap_or_default(),
            member: MemberId::new(&key),
            status,
        });
    }
    attendance.sort_by(|a, b| a.member.cmp(&b.member));

    let mut guests = Vec::new();
    for (key, o) in entries(view, &section(view, "guests")?) {
        if view.bool(&o, "removed").unwrap_or(false) {
            continue;
        }
        guests.push(Guest {
            id: key,
            name: view.str(&o, "name").unwrap_or_default(),
            title: view.str(&o, "title").unwrap_or_default(),
            delegate: view.bool(&o, "delegate").unwrap_or(false),
        });
    }
    guests.sort_by(|a, b| (!a.delegate, &a.name, &a.id).cmp(&(!b.delegate, &b.name, &b.id)));

    let mut opinions = Vec::new();
    for (key, o) in entries(view, &section(view, "opinions")?) {
        if view.bool(&o, "removed").unwrap_or(false) {
            continue;
        }
        let pos = view.str(&o, "position").unwrap_or_default();
        opinions.push((
            pos,
            Opinion {
                member: MemberId::new(view.str(&o, "member").unwrap_or_default()),
                body: view.str(&o, "body").unwrap_or_default(),
                source: source_of(view, &o),
                id: key,
            },
        ));
    }
    opinions.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));

    let mut tasks = Vec::new();
    for (key, o) in entries(view, &section(view, "tasks")?) {
        let mut updates = Vec::new();
        if let Some(u) = view.obj(&o, "updates", ObjType::Map) {
            for (uid, uo) in entries(view, &u) {
                let Some(status) = view
                    .str(&uo, "status")
                    .and_then(|s| TaskStatus::parse(&s).ok())
                else {
                    continue;
                };
                // The update's Lamport counter: an update posted after its poster saw
                // another one always counts higher, whatever the phones' clocks say.
                let lamport = match &uo {
                    ObjId::Id(counter, _, _) => *counter,
                    ObjId::Root => 0,
                };
                updates.push((
                    lamport,
                    TaskUpdate {
                        id: uid,
                        at: view.i64(&uo, "at").unwrap_or(0),
                        by: MemberId::new(view.str(&uo, "by").unwrap_or_default()),
                        status,
                        note: view.str(&uo, "note").unwrap_or_default(),
                    },
                ));
            }
        }
        // Oldest first in causal order (the device clock only orders concurrent updates),
        // so the current status is the one posted last with the others in view.
        updates.sort_by(|(la, a), (lb, b)| (la, a.at, &a.id).cmp(&(lb, b.at, &b.id)));
        let updates: Vec<TaskUpdate> = updates.into_iter().map(|(_, u)| u).collect();
        let status = updates.last().map_or(TaskStatus::Open, |u| u.status);
        tasks.push(Task {
            title: view.str(&o, "title").unwrap_or_default(),
            owner: MemberId::new(view.str(&o, "owner").unwrap_or_default()),
            deadline: view
                .opt_str(&o, "deadline")
                .and_then(|d| date::parse(&d).ok()),
            source: source_of(view, &o),
            created_by: MemberId::new(view.str(&o, "created_by").unwrap_or_default()),
            created_at: view.i64(&o, "created_at").unwrap_or(0),
            status,
            updates,
            id: key,
        });
    }
    tasks.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));

    let quality_obj = section(view, "quality")?;
    let quality = view
        .keys(&quality_obj)
        .into_iter()
        .filter_map(|k| view.u64(&quality_obj, &k).map(|v| (k, v as u32)))
        .collect();

    Ok(Session {
        id: doc.id().clone(),
        branch_id: BranchId::new(view.str(&ROOT, "branch_id").unwrap_or_default()),
        plan_id: DocId::new(view.str(&ROOT, "plan_id").unwrap_or_default()),
        topic_id: TopicId::new(view.str(&ROOT, "topic_id").unwrap_or_default()),
        title: view.str(&ROOT, "title").unwrap_or_default(),
        session_date: view
            .opt_str(&ROOT, "session_date")
            .and_then(|d| date::parse(&d).ok()),
        combined_with_regular: view.bool(&ROOT, "combined_with_regular").unwrap_or(false),
        distribution,
        started_at: nonzero("started_at"),
        ended_at: nonzero("ended_at"),
        place: view.str(&ROOT, "place").unwrap_or_default(),
        chair: opt_member(view, &ROOT, "chair"),
        clerk: opt_member(view, &ROOT, "clerk"),
        presenter: opt_member(view, &ROOT, "presenter"),
        attendance,
        guests,
        opinions: opinions.into_iter().map(|(_, o)| o).collect(),
        purpose: text("purpose")?,
        summary: text("summary")?,
        conclusion: text("conclusion")?,
        resolution: text("resolution")?,
        votes_for: view.u64(&ROOT, "votes_for").unwrap_or(0) as u32,
        votes_against: view.u64(&ROOT, "votes_against").unwrap_or(0) as u32,
        tasks,
        quality,
    })
}

/// Reads the session at its current version.
pub fn get(doc: &Document) -> Result<Session> {
    read(doc, doc.view())
}

/// Reads the session as it was at `heads`.
pub fn get_at(doc: &Document, heads: &[ChangeHash]) -> Result<Session> {
    read(doc, doc.view_at(heads)?)
}

/// The chair and clerk named at `heads` (who adopt the minutes by signing that version).
pub fn signers_at(
    doc: &Document,
    heads: &[ChangeHash],
) -> Result<(Option<MemberId>, Option<MemberId>)> {
    expect_session(doc)?;
    let view = doc.view_at(heads)?;
    Ok((
        opt_member(view, &ROOT, "chair"),
        opt_member(view, &ROOT, "clerk"),
    ))
}

fn edit<R>(
    doc: &mut Document,
    editor: &Editor,
    message: &str,
    f: impl FnOnce(&mut AutoCommit) -> Result<R>,
) -> Result<R> {
    expect_session(doc)?;
    doc.transact(editor, message, f)
}

/// Sets one field of the minutes.
pub fn set_field(doc: &mut Document, editor: &Editor, field: &SessionField) -> Result<()> {
    edit(doc, editor, &format!("session.{}", field.key()), |d| {
        let key = field.key();
        match field {
            SessionField::SessionDate(v) => {
                put_str(d, &ROOT, key, &v.map(date::format).unwrap_or_default())?
            }
            SessionField::CombinedWithRegular(v) => d.put(ROOT, key, *v)?,
            SessionField::StartedAt(v) | SessionField::EndedAt(v) => {
                if v.is_some_and(|t| t <= 0) {
                    return Err(Error::InvalidInput(format!("{key} must be a time")));
                }
                d.put(ROOT, key, v.unwrap_or(0))?
            }
            SessionField::Place(v) => put_str(d, &ROOT, key, v.trim())?,
            SessionField::Chair(v) | SessionField::Clerk(v) | SessionField::Presenter(v) => {
                put_str(d, &ROOT, key, v.as_ref().map_or("", |m| m.as_str()))?
            }
            SessionField::VotesFor(v) | SessionField::VotesAgainst(v) => {
                d.put(ROOT, key, *v as i64)?
            }
        }
        Ok(())
    })
}

/// Splices one of the minutes' texts ([`TEXTS`]).
pub fn splice_text(
    doc: &mut Document,
    editor: &Editor,
    key: &str,
    pos: usize,
    del: usize,
    insert: &str,
) -> Result<()> {
    if !TEXTS.contains(&key) {
        return Err(Error::InvalidInput(format!(
            "{key:?} is not a text of the minutes ({})",
            TEXTS.join(", ")
        )));
    }
    edit(doc, editor, &format!("session.{key}"), |d| {
        let obj = section(View::new(d, None), key)?;
        splice_nfc(d, &obj, pos, del, insert)
    })
}

/// Replaces one of the minutes' texts with `text` (as one splice of the differing middle, so
/// concurrent edits elsewhere in the text survive).
pub fn replace_text(doc: &mut Document, editor: &Editor, key: &str, text: &str) -> Result<()> {
    let current: Vec<char> = {
        expect_session(doc)?;
        let view = doc.view();
        view.text(&section(view, key)?).chars().collect()
    };
    let new: Vec<char> = nfc(text).chars().collect();
    let prefix = current.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = current[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == current.len() && prefix == new.len() {
        return Ok(());
    }
    let insert: String = new[prefix..new.len() - suffix].iter().collect();
    splice_text(
        doc,
        editor,
        key,
        prefix,
        current.len() - prefix - suffix,
        &insert,
    )
}

/// Records `member`'s attendance.
pub fn set_attendance(
    doc: &mut Document,
    editor: &Editor,
    member: &MemberId,
    status: Attendance,
    reason: &str,
) -> Result<()> {
    if member.as_str().is_empty() {
        return Err(Error::InvalidInput("attendance needs a member".into()));
    }
    // Plain values keyed by member (no per-member container): two clerks recording the same
    // member offline leave a visible conflict, never a silently lost entry.
    edit(doc, editor, "session.attendance", |d| {
        let att = section(View::new(d, None), "attendance")?;
        let reasons = section(View::new(d, None), "absence_reasons")?;
        put_str(d, &att, member.as_str(), status.as_str())?;
        put_str(d, &reasons, member.as_str(), reason.trim())?;
        Ok(())
    })
}

/// Adds a guest or delegate; returns its entry id.
pub fn add_guest(
    doc: &mut Document,
    editor: &Editor,
    name: &str,
    title: &str,
    delegate: bool,
) -> Result<String> {
    let name = nfc(name.trim());
    if name.is_empty() {
        return Err(Error::InvalidInput("a guest needs a name".into()));
    }
    edit(doc, editor, "session.guest.add", |d| {
        let guests = section(View::new(d, None), "guests")?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let o = put_map(d, &guests, &id)?;
        put_str(d, &o, "name", &name)?;
        put_str(d, &o, "title", title.trim())?;
        d.put(&o, "delegate", delegate)?;
        Ok(id)
    })
}

/// Records an opinion by name (typed in, or picked from a comment or proposal).
pub fn add_opinion(
    doc: &mut Document,
    editor: &Editor,
    member: &MemberId,
    body: &str,
    source: Option<&SourceRef>,
) -> Result<String> {
    let body = nfc(body.trim());
    if body.is_empty() || member.as_str().is_empty() {
        return Err(Error::InvalidInput(
            "an opinion needs a member and what they said".into(),
        ));
    }
    edit(doc, editor, "session.opinion.add", |d| {
        let view = View::new(d, None);
        let opinions = section(view, "opinions")?;
        let last = entries(view, &opinions)
            .iter()
            .filter_map(|(_, o)| view.str(o, "position"))
            .max();
        let pos = position::between(last.as_deref(), None).ok_or_else(|| {
            Error::InvalidDocument("the opinions' positions leave no room for another".into())
        })?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let o = put_map(d, &opinions, &id)?;
        put_str(d, &o, "member", member.as_str())?;
        put_str(d, &o, "body", &body)?;
        put_str(d, &o, "position", &pos)?;
        put_source(d, &o, source)?;
        Ok(id)
    })
}

fn put_source(d: &mut AutoCommit, o: &ObjId, source: Option<&SourceRef>) -> Result<()> {
    put_str(d, o, "source_doc", source.map_or("", |s| s.doc_id.as_str()))?;
    put_str(
        d,
        o,
        "source_comment",
        source.map_or("", |s| s.comment_id.as_str()),
    )
}

/// Publishes a draft or material for this session at exactly `heads`.
pub fn publish(
    doc: &mut Document,
    editor: &Editor,
    material: &DocId,
    kind: DocKind,
    heads: &[ChangeHash],
) -> Result<()> {
    if !kind.is_text() || heads.is_empty() {
        return Err(Error::InvalidInput(
            "only a draft or a material, at a version, can be published".into(),
        ));
    }
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    edit(doc, editor, "session.publish", |d| {
        let dist = section(View::new(d, None), "distribution")?;
        let o = put_map(d, &dist, material.as_str())?;
        put_str(d, &o, "kind", kind.as_str())?;
        put_str(d, &o, "heads", &hex.join(","))?;
        d.put(&o, "published_at", editor.time)?;
        put_str(d, &o, "published_by", editor.member.as_str())?;
        Ok(())
    })
}

/// Adds a task; returns its id.
pub fn add_task(doc: &mut Document, editor: &Editor, new: &NewTask) -> Result<String> {
    let title = nfc(new.title.trim());
    if title.is_empty() || new.owner.as_str().is_empty() {
        return Err(Error::InvalidInput(
            "a task needs what is to be done and who does it".into(),
        ));
    }
    edit(doc, editor, "session.task.add", |d| {
        let tasks = section(View::new(d, None), "tasks")?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let o = put_map(d, &tasks, &id)?;
        put_str(d, &o, "title", &title)?;
        put_str(d, &o, "owner", new.owner.as_str())?;
        put_str(
            d,
            &o,
            "deadline",
            &new.deadline.map(date::format).unwrap_or_default(),
        )?;
        put_source(d, &o, new.source.as_ref())?;
        put_str(d, &o, "created_by", editor.member.as_str())?;
        d.put(&o, "created_at", editor.time)?;
        put_map(d, &o, "updates")?;
        Ok(id)
    })
}

/// Posts a status update on a task.
pub fn update_task(
    doc: &mut Document,
    editor: &Editor,
    task: &str,
    status: TaskStatus,
    note: &str,
) -> Result<String> {
    edit(doc, editor, "session.task.update", |d| {
        let view = View::new(d, None);
        let tasks = section(view, "tasks")?;
        let o = view
            .obj(&tasks, task, ObjType::Map)
            .ok_or_else(|| Error::InvalidInput(format!("no task {task} in this session")))?;
        let updates = view
            .obj(&o, "updates", ObjType::Map)
            .ok_or_else(|| Error::InvalidDocument(format!("task {task} has no updates")))?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let u = put_map(d, &updates, &id)?;
        d.put(&u, "at", editor.time)?;
        put_str(d, &u, "by", editor.member.as_str())?;
        put_str(d, &u, "status", status.as_str())?;
        put_str(d, &u, "note", note.trim())?;
        Ok(id)
    })
}

/// Sets the points of one quality criterion (`None` clears it).
pub fn set_quality(
    doc: &mut Document,
    editor: &Editor,
    criterion: &str,
    points: Option<u32>,
) -> Result<()> {
    let criterion = nfc(criterion.trim());
    if criterion.is_empty() {
        return Err(Error::InvalidInput(
            "a quality criterion needs a code".into(),
        ));
    }
    edit(doc, editor, "session.quality", |d| {
        let q = section(View::new(d, None), "quality")?;
        match points {
            Some(p) => d.put(&q, criterion.as_str(), p as i64)?,
            None => d.delete(&q, criterion.as_str())?,
        }
        Ok(())
    })
}

/// The raw fields the role rules compare before and after a push (see
/// [`crate::roles::check_push`]): everything but the texts, as plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSession {
    /// Root scalars other than officer-only ones: minutes fields.
    pub minutes: BTreeMap<String, String>,
    /// Chair and clerk (officers only).
    pub officers: (String, String),
    /// Distribution entries, raw.
    pub distribution: BTreeMap<String, Vec<String>>,
    /// Task definitions (everything but updates).
    pub tasks: BTreeMap<String, Vec<String>>,
    /// Task updates: task id → update id → (by, status, note, at).
    pub updates: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// The texts' lengths and contents.
    pub texts: Vec<String>,
}

/// Reads a session's raw fields (current version).
pub fn raw(doc: &Document) -> Result<RawSession> {
    let s = get(doc)?;
    let mut minutes = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        minutes.insert(k.to_owned(), v);
    };
    put("title", s.title.clone());
    put(
        "session_date",
        s.session_date.map(date::format).unwrap_or_default(),
    );
    put("combined", s.combined_with_regular.to_string());
    put("started_at", format!("{:?}", s.started_at));
    put("ended_at", format!("{:?}", s.ended_at));
    put("place", s.place.clone());
    put("presenter", format!("{:?}", s.presenter));
    put("votes", format!("{}/{}", s.votes_for, s.votes_against));
    put("attendance", format!("{:?}", s.attendance));
    put("guests", format!("{:?}", s.guests));
    put("opinions", format!("{:?}", s.opinions));
    put("quality", format!("{:?}", s.quality));
    put(
        "ids",
        format!("{}|{}|{}", s.branch_id, s.plan_id, s.topic_id),
    );
    Ok(RawSession {
        minutes,
        officers: (
            s.chair.map(|m| m.to_string()).unwrap_or_default(),
            s.clerk.map(|m| m.to_string()).unwrap_or_default(),
        ),
        distribution: s
            .distribution
            .iter()
            .map(|p| {
                (
                    p.doc_id.to_string(),
                    vec![
                        p.kind.as_str().to_owned(),
                        p.heads.join(","),
                        p.published_at.to_string(),
                        p.published_by.to_string(),
                    ],
                )
            })
            .collect(),
        tasks: s
            .tasks
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    vec![
                        t.title.clone(),
                        t.owner.to_string(),
                        t.deadline.map(date::format).unwrap_or_default(),
                        format!("{:?}", t.source),
                        t.created_by.to_string(),
                        t.created_at.to_string(),
                    ],
                )
            })
            .collect(),
        updates: s
            .tasks
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    t.updates
                        .iter()
                        .map(|u| {
                            (
                                u.id.clone(),
                                vec![
                                    u.by.to_string(),
                                    u.status.as_str().to_owned(),
                                    u.note.clone(),
                                    u.at.to_string(),
                                ],
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
        texts: vec![s.purpose, s.summary, s.conclusion, s.resolution],
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn editor(m: &str, t: i64) -> Editor {
        Editor {
            member: MemberId::new(m),
            time: t,
        }
    }

    fn new_session() -> Document {
        create(
            &NewSession {
                branch_id: BranchId::new("b1"),
                plan_id: DocId::new("p1"),
                topic_id: TopicId::new("t1"),
                title: "Học tập và làm theo tư tưởng Hồ Chí Minh".into(),
                session_date: date::parse("2026-03-03").unwrap(),
                combined_with_regular: false,
            },
            &editor("m-secretary", 1),
        )
        .unwrap()
    }

    #[test]
    fn minutes_round_trip_and_duration_rule() {
        let mut d = new_session();
        let e = editor("m-clerk", 100);
        set_field(&mut d, &e, &SessionField::StartedAt(Some(1_000_000))).unwrap();
        set_field(
            &mut d,
            &e,
            &SessionField::EndedAt(Some(1_000_000 + 85 * 60)),
        )
        .unwrap();
        set_field(
            &mut d,
            &e,
            &SessionField::Place("Hội trường Phân xưởng".into()),
        )
        .unwrap();
        set_attendance(&mut d, &e, &MemberId::new("m-a"), Attendance::Present, "").unwrap();
        set_attendance(
            &mut d,
            &e,
            &MemberId::new("m-b"),
            Attendance::AbsentExcused,
            "Đi công tác",
        )
        .unwrap();
        add_opinion(&mut d, &e, &MemberId::new("m-a"), "Đề nghị bổ sung", None).unwrap();
        add_opinion(&mut d, &e, &MemberId::new("m-b"), "Nhất trí", None).unwrap();
        replace_text(&mut d, &e, "conclusion", "Chi bộ thống nhất").unwrap();
        let s = get(&d).unwrap();
        assert_eq!(s.duration_minutes(), Some(85));
        assert_eq!(s.duration_ok(), Some(false), "85 minutes is under 90");
        assert_eq!(s.attendance.len(), 2);
        assert_eq!(
            s.attendance_of(&MemberId::new("m-b")).unwrap().reason,
            "Đi công tác"
        );
        assert_eq!(
            s.opinions[0].body, "Đề nghị bổ sung",
            "opinions keep their order"
        );
        assert_eq!(s.conclusion, "Chi bộ thống nhất");
        set_field(&mut d, &e, &SessionField::CombinedWithRegular(true)).unwrap();
        set_field(
            &mut d,
            &e,
            &SessionField::EndedAt(Some(1_000_000 + 100 * 60)),
        )
        .unwrap();
        let s = get(&d).unwrap();
        assert_eq!(s.required_minutes(), 120);
        assert_eq!(
            s.duration_ok(),
            Some(false),
            "100 minutes is under 120 when combined"
        );
    }

    #[test]
    fn tasks_take_the_latest_update_and_flag_overdue() {
        let mut d = new_session();
        let id = add_task(
            &mut d,
            &editor("m-sec", 10),
            &NewTask {
                title: "Lắp cảm biến khí".into(),
                owner: MemberId::new("m-a"),
                deadline: Some(date::parse("2026-04-30").unwrap()),
                source: None,
            },
        )
        .unwrap();
        update_task(
            &mut d,
            &editor("m-a", 20),
            &id,
            TaskStatus::InProgress,
            "Đã khảo sát",
        )
        .unwrap();
        let s = get(&d).unwrap();
        let t = s.task(&id).unwrap();
        assert_eq!(t.status, TaskStatus::InProgress);
        assert!(t.is_overdue(date::parse("2026-05-01").unwrap()));
        assert!(!t.is_overdue(date::parse("2026-04-30").unwrap()));
        update_task(&mut d, &editor("m-a", 30), &id, TaskStatus::Done, "Xong").unwrap();
        let s = get(&d).unwrap();
        assert!(
            !s.task(&id)
                .unwrap()
                .is_overdue(date::parse("2027-01-01").unwrap())
        );
        assert_eq!(s.task(&id).unwrap().updates.len(), 2);
    }

    #[test]
    fn concurrent_attendance_and_opinions_merge() {
        let mut a = new_session();
        let mut b = Document::load(&a.save(), &[]).unwrap();
        set_attendance(
            &mut a,
            &editor("m-clerk", 5),
            &MemberId::new("m-x"),
            Attendance::Present,
            "",
        )
        .unwrap();
        add_opinion(
            &mut b,
            &editor("m-chair", 6),
            &MemberId::new("m-y"),
            "Ý kiến",
            None,
        )
        .unwrap();
        a.merge(&mut b).unwrap();
        let s = get(&a).unwrap();
        assert_eq!(s.attendance.len(), 1);
        assert_eq!(s.opinions.len(), 1);
    }

    #[test]
    fn the_same_member_recorded_twice_offline_is_a_visible_conflict() {
        let mut a = new_session();
        let mut b = Document::load(&a.save(), &[]).unwrap();
        let m = MemberId::new("m-x");
        set_attendance(&mut a, &editor("m-clerk", 5), &m, Attendance::Present, "").unwrap();
        set_attendance(
            &mut b,
            &editor("m-chair", 6),
            &m,
            Attendance::AbsentExcused,
            "Ốm",
        )
        .unwrap();
        a.merge(&mut b).unwrap();
        let s = get(&a).unwrap();
        assert_eq!(s.attendance.len(), 1, "one entry, one of the two values");
        let conflicts = crate::model::conflict::list(&a);
        assert!(
            conflicts
                .iter()
                .any(|c| c.path_string().contains("attendance") && c.values.len() == 2),
            "{conflicts:?}"
        );
    }

    #[test]
    fn publish_records_exact_heads_and_rejects_non_text() {
        let mut d = new_session();
        let mut material = crate::model::text_doc::create(
            &crate::model::text_doc::NewTextDoc {
                kind: DocKind::Material,
                branch_id: BranchId::new("b1"),
                plan_id: None,
                topic_id: None,
                title: "Tài liệu".into(),
                description: String::new(),
                body: "Nội dung".into(),
            },
            &editor("m-sec", 1),
        )
        .unwrap();
        let heads = material.heads();
        publish(
            &mut d,
            &editor("m-sec", 50),
            material.id(),
            DocKind::Material,
            &heads,
        )
        .unwrap();
        let s = get(&d).unwrap();
        assert_eq!(s.distribution.len(), 1);
        assert_eq!(s.distribution[0].heads, vec![heads[0].to_string()]);
        assert_eq!(s.distribution[0].published_at, 50);
        assert!(
            publish(
                &mut d,
                &editor("m-sec", 50),
                material.id(),
                DocKind::Session,
                &heads
            )
            .is_err()
        );
    }
}
