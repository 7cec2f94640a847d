//! The session cycle (Step 5, `docs/sessions.md`): a session and its minutes, the inputs
//! that edit them, their adoption by the chair's and the clerk's signatures, and the lists
//! the screens show (sessions, the reading list, who has read a material).

use std::collections::HashMap;

use sotay_core::approval as core_approval;
use sotay_core::date::{self, Date};
use sotay_core::ids::{CommentId, DocId, MemberId};
use sotay_core::model::session as core_session;
use sotay_core::store as core_store;

use super::approval::Signoff;
use super::delta::Delta;
use super::text_doc::DocKind;
use super::{column_date, date_in, date_out};
use crate::error::Result;

/// How a member stood at the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<core_session::Attendance> for Attendance {
    fn from(a: core_session::Attendance) -> Self {
        use core_session::Attendance as A;
        match a {
            A::Present => Attendance::Present,
            A::AbsentExcused => Attendance::AbsentExcused,
            A::AbsentUnexcused => Attendance::AbsentUnexcused,
            A::Exempt => Attendance::Exempt,
        }
    }
}

impl From<Attendance> for core_session::Attendance {
    fn from(a: Attendance) -> Self {
        use core_session::Attendance as A;
        match a {
            Attendance::Present => A::Present,
            Attendance::AbsentExcused => A::AbsentExcused,
            Attendance::AbsentUnexcused => A::AbsentUnexcused,
            Attendance::Exempt => A::Exempt,
        }
    }
}

/// Where a task (or the proposal it adopts) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<core_session::TaskStatus> for TaskStatus {
    fn from(s: core_session::TaskStatus) -> Self {
        use core_session::TaskStatus as S;
        match s {
            S::Open => TaskStatus::Open,
            S::InProgress => TaskStatus::InProgress,
            S::Done => TaskStatus::Done,
            S::Dropped => TaskStatus::Dropped,
        }
    }
}

impl From<TaskStatus> for core_session::TaskStatus {
    fn from(s: TaskStatus) -> Self {
        use core_session::TaskStatus as S;
        match s {
            TaskStatus::Open => S::Open,
            TaskStatus::InProgress => S::InProgress,
            TaskStatus::Done => S::Done,
            TaskStatus::Dropped => S::Dropped,
        }
    }
}

/// A meeting-quality level (the self-score's total, with the local rule for "Tốt").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum QualityLevel {
    /// Tốt.
    Good,
    /// Khá.
    Fair,
    /// Trung bình.
    Average,
    /// Kém.
    Poor,
}

impl From<core_session::QualityLevel> for QualityLevel {
    fn from(l: core_session::QualityLevel) -> Self {
        use core_session::QualityLevel as L;
        match l {
            L::Good => QualityLevel::Good,
            L::Fair => QualityLevel::Fair,
            L::Average => QualityLevel::Average,
            L::Poor => QualityLevel::Poor,
        }
    }
}

impl From<QualityLevel> for core_session::QualityLevel {
    fn from(l: QualityLevel) -> Self {
        use core_session::QualityLevel as L;
        match l {
            QualityLevel::Good => L::Good,
            QualityLevel::Fair => L::Fair,
            QualityLevel::Average => L::Average,
            QualityLevel::Poor => L::Poor,
        }
    }
}

/// One line of the meeting-quality grid.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QualityCriterion {
    /// The code the minutes store points under (`set_session_quality`).
    pub code: String,
    /// What it scores, in Vietnamese.
    pub label: String,
    /// The most points it gives.
    pub max: u32,
}

/// The meeting-quality grid in use on this phone (maxima adding up to 100).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QualityGrid {
    /// The criteria, in the grid's order.
    pub criteria: Vec<QualityCriterion>,
}

impl From<core_session::QualityGrid> for QualityGrid {
    fn from(g: core_session::QualityGrid) -> Self {
        QualityGrid {
            criteria: g
                .criteria
                .into_iter()
                .map(|c| QualityCriterion {
                    code: c.code,
                    label: c.label,
                    max: c.max,
                })
                .collect(),
        }
    }
}

/// A comment or proposal in a draft or material that an opinion or a task comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct SourceRef {
    /// The draft or material.
    pub doc_id: String,
    /// The comment or proposal.
    pub comment_id: String,
}

impl From<core_session::SourceRef> for SourceRef {
    fn from(s: core_session::SourceRef) -> Self {
        SourceRef {
            doc_id: s.doc_id.to_string(),
            comment_id: s.comment_id.to_string(),
        }
    }
}

impl From<&SourceRef> for core_session::SourceRef {
    fn from(s: &SourceRef) -> Self {
        core_session::SourceRef {
            doc_id: DocId::new(&s.doc_id),
            comment_id: CommentId::new(&s.comment_id),
        }
    }
}

/// A draft or material published to the branch for the session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Publication {
    /// The draft or material.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// The exact version published (hex change hashes; `text_doc_at` reads it).
    pub heads: Vec<String>,
    /// When (the publishing phone's clock, Unix seconds).
    pub published_at: i64,
    /// Who published it.
    pub published_by: String,
}

/// One member's attendance.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttendanceEntry {
    /// The member.
    pub member_id: String,
    /// How they stood.
    pub status: Attendance,
    /// The reason given for an absence (or an exemption); empty when none.
    pub reason: String,
}

/// A guest or a superior committee's delegate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Guest {
    /// Entry id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Position or unit.
    pub title: String,
    /// A delegate of the superior committee.
    pub delegate: bool,
}

/// An opinion recorded by name.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Opinion {
    /// Entry id.
    pub id: String,
    /// Who spoke.
    pub member_id: String,
    /// What they said.
    pub body: String,
    /// Picked from this comment or proposal, if it was.
    pub source: Option<SourceRef>,
}

/// Progress posted on a task.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TaskUpdate {
    /// Entry id.
    pub id: String,
    /// When (the posting phone's clock).
    pub at: i64,
    /// Who posted it.
    pub by: String,
    /// The status it set.
    pub status: TaskStatus,
    /// What was done.
    pub note: String,
}

/// A task the session assigned (phân công), possibly adopting a proposal. (Not `Task`, which
/// Swift's concurrency already names.)
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionTask {
    /// Entry id.
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: String,
    /// By when (ISO date).
    pub deadline: Option<String>,
    /// The proposal it adopts, if any.
    pub source: Option<SourceRef>,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: i64,
    /// Its status now (the latest update's, or open).
    pub status: TaskStatus,
    /// Updates, oldest first.
    pub updates: Vec<TaskUpdate>,
    /// Past its deadline (before today, Vietnam time) and neither done nor dropped.
    pub overdue: bool,
}

/// A session and its minutes, with the figures the core computes from them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Session {
    /// Document id.
    pub id: String,
    /// Branch.
    pub branch_id: String,
    /// The plan whose topic it holds.
    pub plan_id: String,
    /// The topic.
    pub topic_id: String,
    /// The topic's title.
    pub title: String,
    /// The day it is held (ISO date).
    pub session_date: Option<String>,
    /// Shares the sitting with the regular meeting (120 minutes instead of 90).
    pub combined_with_regular: bool,
    /// Drafts and materials published for it, by publication time.
    pub distribution: Vec<Publication>,
    /// Start (Unix seconds).
    pub started_at: Option<i64>,
    /// End (Unix seconds).
    pub ended_at: Option<i64>,
    /// Where.
    pub place: String,
    /// Chủ trì (member id).
    pub chair: Option<String>,
    /// Thư ký (member id).
    pub clerk: Option<String>,
    /// Người trình bày (member id).
    pub presenter: Option<String>,
    /// Attendance, one entry per member recorded.
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
    /// Votes for.
    pub votes_for: u32,
    /// Votes against.
    pub votes_against: u32,
    /// Tasks assigned.
    pub tasks: Vec<SessionTask>,
    /// The quality self-score: points per criterion code.
    pub quality: HashMap<String, u32>,
    /// Minutes between start and end, when both are recorded.
    pub duration_minutes: Option<i64>,
    /// HD 42's minimum: 90 minutes, 120 when combined with the regular meeting.
    pub required_minutes: i64,
    /// Whether the recorded length meets it (`None` while start or end is missing).
    pub duration_ok: Option<bool>,
    /// The self-score's total out of 100, on the grid in use here.
    pub quality_total: u32,
    /// Its level.
    pub quality_level: QualityLevel,
}

impl Session {
    /// Converts core's session, with its figures on `grid` as of `today`.
    pub(crate) fn new(
        s: core_session::Session,
        grid: &core_session::QualityGrid,
        today: Date,
    ) -> Self {
        let (quality_total, level) = grid.score(&s);
        let duration_minutes = s.duration_minutes();
        let required_minutes = s.required_minutes();
        let duration_ok = s.duration_ok();
        Session {
            id: s.id.to_string(),
            branch_id: s.branch_id.to_string(),
            plan_id: s.plan_id.to_string(),
            topic_id: s.topic_id.to_string(),
            title: s.title,
            session_date: date_out(s.session_date),
            combined_with_regular: s.combined_with_regular,
            distribution: s
                .distribution
                .into_iter()
                .map(|p| Publication {
                    doc_id: p.doc_id.to_string(),
                    kind: p.kind.into(),
                    heads: p.heads,
                    published_at: p.published_at,
                    published_by: p.published_by.to_string(),
                })
                .collect(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            place: s.place,
            chair: id_out(s.chair),
            clerk: id_out(s.clerk),
            presenter: id_out(s.presenter),
            attendance: s
                .attendance
                .into_iter()
                .map(|a| AttendanceEntry {
                    member_id: a.member.to_string(),
                    status: a.status.into(),
                    reason: a.reason,
                })
                .collect(),
            guests: s
                .guests
                .into_iter()
                .map(|g| Guest {
                    id: g.id,
                    name: g.name,
                    title: g.title,
                    delegate: g.delegate,
                })
                .collect(),
            opinions: s
                .opinions
                .into_iter()
                .map(|o| Opinion {
                    id: o.id,
                    member_id: o.member.to_string(),
                    body: o.body,
                    source: o.source.map(Into::into),
                })
                .collect(),
            purpose: s.purpose,
            summary: s.summary,
            conclusion: s.conclusion,
            resolution: s.resolution,
            votes_for: s.votes_for,
            votes_against: s.votes_against,
            tasks: s
                .tasks
                .into_iter()
                .map(|t| SessionTask {
                    overdue: t.is_overdue(today),
                    id: t.id,
                    title: t.title,
                    owner: t.owner.to_string(),
                    deadline: date_out(t.deadline),
                    source: t.source.map(Into::into),
                    created_by: t.created_by.to_string(),
                    created_at: t.created_at,
                    status: t.status.into(),
                    updates: t
                        .updates
                        .into_iter()
                        .map(|u| TaskUpdate {
                            id: u.id,
                            at: u.at,
                            by: u.by.to_string(),
                            status: u.status.into(),
                            note: u.note,
                        })
                        .collect(),
                })
                .collect(),
            quality: s.quality.into_iter().collect(),
            duration_minutes,
            required_minutes,
            duration_ok,
            quality_total,
            quality_level: level.into(),
        }
    }
}

/// A short field of the minutes, with its new value.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionField {
    /// The day it is held (ISO or `DD/MM/YYYY`; `None` clears it).
    SessionDate { date: Option<String> },
    /// Combined with the regular meeting (120 minutes instead of 90).
    CombinedWithRegular { value: bool },
    /// Start, Unix seconds (`vietnam_time` reads "08:00" on the session's day).
    StartedAt { at: Option<i64> },
    /// End, Unix seconds.
    EndedAt { at: Option<i64> },
    /// Where.
    Place { value: String },
    /// The chair (officers name them).
    Chair { member_id: Option<String> },
    /// The clerk (officers name them).
    Clerk { member_id: Option<String> },
    /// The presenter.
    Presenter { member_id: Option<String> },
    /// Votes for the resolution.
    VotesFor { count: u32 },
    /// Votes against.
    VotesAgainst { count: u32 },
}

impl TryFrom<SessionField> for core_session::SessionField {
    type Error = crate::error::ApiError;

    fn try_from(f: SessionField) -> Result<Self> {
        use core_session::SessionField as F;
        let member = |m: Option<String>| m.as_deref().map(MemberId::new);
        Ok(match f {
            SessionField::SessionDate { date } => F::SessionDate(date_in(date.as_deref())?),
            SessionField::CombinedWithRegular { value } => F::CombinedWithRegular(value),
            SessionField::StartedAt { at } => F::StartedAt(at),
            SessionField::EndedAt { at } => F::EndedAt(at),
            SessionField::Place { value } => F::Place(value),
            SessionField::Chair { member_id } => F::Chair(member(member_id)),
            SessionField::Clerk { member_id } => F::Clerk(member(member_id)),
            SessionField::Presenter { member_id } => F::Presenter(member(member_id)),
            SessionField::VotesFor { count } => F::VotesFor(count),
            SessionField::VotesAgainst { count } => F::VotesAgainst(count),
        })
    }
}

/// One of the minutes' collaborative texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SessionText {
    /// Mục đích, yêu cầu (stated by the chair).
    Purpose,
    /// Tóm tắt nội dung trình bày.
    Summary,
    /// Kết luận.
    Conclusion,
    /// Nghị quyết.
    Resolution,
}

impl SessionText {
    /// The document key core stores it under (one of `model::session::TEXTS`).
    pub(crate) fn key(self) -> &'static str {
        let [purpose, summary, conclusion, resolution] = core_session::TEXTS;
        match self {
            SessionText::Purpose => purpose,
            SessionText::Summary => summary,
            SessionText::Conclusion => conclusion,
            SessionText::Resolution => resolution,
        }
    }
}

/// A new task.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewTask {
    /// What is to be done.
    pub title: String,
    /// Who does it (member id).
    pub owner: String,
    /// By when (ISO or `DD/MM/YYYY`).
    #[uniffi(default = None)]
    pub deadline: Option<String>,
    /// The proposal it adopts into the resolution.
    #[uniffi(default = None)]
    pub source: Option<SourceRef>,
}

impl TryFrom<NewTask> for core_session::NewTask {
    type Error = crate::error::ApiError;

    fn try_from(t: NewTask) -> Result<Self> {
        Ok(core_session::NewTask {
            title: t.title,
            owner: MemberId::new(&t.owner),
            deadline: date_in(t.deadline.as_deref())?,
            source: t.source.as_ref().map(Into::into),
        })
    }
}

/// A session in lists.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionRow {
    /// Document id.
    pub doc_id: String,
    /// Branch.
    pub branch_id: String,
    /// Plan.
    pub plan_id: String,
    /// Topic.
    pub topic_id: String,
    /// Topic title.
    pub title: String,
    /// The day it is held (ISO date).
    pub session_date: Option<String>,
    /// How many drafts and materials were published for it.
    pub published: u32,
}

impl From<core_store::SessionRow> for SessionRow {
    fn from(r: core_store::SessionRow) -> Self {
        SessionRow {
            doc_id: r.doc_id.to_string(),
            branch_id: r.branch_id.to_string(),
            plan_id: r.plan_id.to_string(),
            topic_id: r.topic_id.to_string(),
            title: r.title,
            session_date: column_date(&r.session_date),
            published: r.published,
        }
    }
}

/// Where the minutes stand: adopted once their chair and their clerk signed the same
/// version (checked on this phone).
// The variants carry the signatures by value: UniFFI enums cannot hold a `Box`, and the value
// is lowered into a buffer at the boundary anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MinutesAdoption {
    /// Nobody has signed.
    NotSigned,
    /// One of the two signed; the other has not signed that version yet.
    PartlySigned {
        /// The valid signatures of the newest signed version.
        signed: Vec<Signoff>,
        /// Who still has to sign it (member ids).
        awaiting: Vec<String>,
    },
    /// Both signed this version, and nothing changed since (progress on tasks aside).
    Adopted {
        /// The chair's signature.
        chair: Signoff,
        /// The clerk's signature.
        clerk: Signoff,
    },
    /// Both signed a version; the minutes changed since.
    AdoptedWithChanges {
        /// The chair's signature.
        chair: Signoff,
        /// The clerk's signature.
        clerk: Signoff,
        /// What changed since (`DeltaContent::Session`); `None` if a version could not be read.
        delta: Option<Delta>,
    },
}

impl From<core_approval::Adoption> for MinutesAdoption {
    fn from(a: core_approval::Adoption) -> Self {
        use core_approval::Adoption as A;
        match a {
            A::NotSigned => MinutesAdoption::NotSigned,
            A::PartlySigned { signed, awaiting } => MinutesAdoption::PartlySigned {
                signed: signed.iter().map(Into::into).collect(),
                awaiting: awaiting.iter().map(ToString::to_string).collect(),
            },
            A::Adopted { chair, clerk } => MinutesAdoption::Adopted {
                chair: (&*chair).into(),
                clerk: (&*clerk).into(),
            },
            A::AdoptedWithChanges {
                chair,
                clerk,
                delta,
            } => MinutesAdoption::AdoptedWithChanges {
                chair: (&*chair).into(),
                clerk: (&*clerk).into(),
                delta: delta.map(|d| (*d).into()),
            },
        }
    }
}

/// A draft or material on a member's reading list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReadingItem {
    /// The session it was published for.
    pub session_id: String,
    /// The session's topic title.
    pub session_title: String,
    /// The session's day (ISO date).
    pub session_date: Option<String>,
    /// The draft or material.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published_at: i64,
    /// When this member first opened it (on any of their phones), if they have.
    pub opened_at: Option<i64>,
}

impl From<core_store::ReadingItem> for ReadingItem {
    fn from(i: core_store::ReadingItem) -> Self {
        ReadingItem {
            session_id: i.session_id.to_string(),
            session_title: i.session_title,
            session_date: column_date(&i.session_date),
            doc_id: i.doc_id.to_string(),
            kind: i.kind.into(),
            title: i.title,
            published_at: i.published_at,
            opened_at: i.opened_at,
        }
    }
}

/// A member's first opening of a material.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Receipt {
    /// The member.
    pub member_id: String,
    /// When they first opened it (Unix seconds).
    pub opened_at: i64,
}

/// Who has read one published draft or material, and whether it went out in time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DistributionStatus {
    /// The draft or material.
    pub doc_id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published_at: i64,
    /// Who published it.
    pub published_by: String,
    /// From this moment a publication is late (`None` when the session has no date).
    pub due_by: Option<i64>,
    /// Published at or after `due_by` (HD 42: at least a day before; the branch may ask more).
    pub late: bool,
    /// The lead days applied (the plan's `set_distribution_lead_days`, at least 1).
    pub lead_days: u32,
    /// Members who opened it, in the directory's order.
    pub opened: Vec<Receipt>,
    /// Members of the branch (exempt members aside) who have not opened it.
    pub not_opened: Vec<String>,
}

impl From<core_store::DistributionStatus> for DistributionStatus {
    fn from(d: core_store::DistributionStatus) -> Self {
        DistributionStatus {
            doc_id: d.doc_id.to_string(),
            kind: d.kind.into(),
            title: d.title,
            published_at: d.published_at,
            published_by: d.published_by.to_string(),
            due_by: d.due_by,
            late: d.late,
            lead_days: d.lead_days,
            opened: d
                .opened
                .into_iter()
                .map(|(m, at)| Receipt {
                    member_id: m.to_string(),
                    opened_at: at,
                })
                .collect(),
            not_opened: d.not_opened.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A local Vietnam time (UTC+7) as Unix seconds: a day and a time ("2026-03-03 08:00",
/// "03/03/2026 08:00") or a time alone ("08:00", "8h30") on `day` — how the clerk types the
/// session's start and end. `InvalidInput` when it does not read.
#[uniffi::export]
pub fn vietnam_time(text: String, day: Option<String>) -> Result<i64> {
    let day = date_in(day.as_deref())?;
    Ok(date::parse_time_vn(&text, day)?)
}

fn id_out(m: Option<MemberId>) -> Option<String> {
    m.map(|m| m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_inputs_convert_and_times_read_as_vietnam_time() {
        let f: core_session::SessionField = SessionField::SessionDate {
            date: Some("02/12/2026".into()),
        }
        .try_into()
        .expect("a date");
        assert_eq!(
            f,
            core_session::SessionField::SessionDate(Some(date::parse("2026-12-02").expect("d")))
        );
        assert!(
            core_session::SessionField::try_from(SessionField::SessionDate {
                date: Some("hôm nay".into())
            })
            .is_err()
        );
        let t: core_session::NewTask = NewTask {
            title: "Lập lịch bảo dưỡng".into(),
            owner: "m-luong".into(),
            deadline: Some("2027-01-10".into()),
            source: Some(SourceRef {
                doc_id: "d".into(),
                comment_id: "c".into(),
            }),
        }
        .try_into()
        .expect("task");
        assert_eq!(t.owner, MemberId::new("m-luong"));
        assert_eq!(t.source.map(|s| s.comment_id), Some(CommentId::new("c")));
        // 08:00 in Vietnam is 01:00 UTC.
        let at = vietnam_time("08:00".into(), Some("2026-12-02".into())).expect("time");
        assert_eq!(at % 86_400, 3_600);
        assert!(vietnam_time("08:00".into(), None).is_err());
        let keys: Vec<&str> = [
            SessionText::Purpose,
            SessionText::Summary,
            SessionText::Conclusion,
            SessionText::Resolution,
        ]
        .map(SessionText::key)
        .to_vec();
        assert_eq!(keys, core_session::TEXTS);
    }
}
