//! The session cycle on the phone (Step 5, `docs/sessions.md`): sessions and their minutes,
//! publishing materials, receipts (what each member opened, when), minutes adopted by the
//! chair's and the clerk's signatures, and tasks that follow proposals until done.
//!
//! Every write checks the same role rules the server applies ([`crate::roles`]) before it
//! touches the document, so a refused edit is never made locally only to bounce at sync.
//! Lists (reading list, distribution report, proposals board) read the read-model tables
//! of migration 007, never whole documents.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::approval::{self, Adoption, Signoff, Status};
use crate::date::{self, Date};
use crate::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use crate::model::session::{
    self, Attendance, NewSession, NewTask, Session, SessionField, SourceRef, TaskStatus,
};
use crate::model::text_doc::{self, ProposalStatus};
use crate::model::{plan, reading_log};
use crate::roles;
use crate::{Error, Result};

const DAY: i64 = 86_400;

/// A session in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Document id.
    pub doc_id: DocId,
    /// Branch.
    pub branch_id: BranchId,
    /// Plan.
    pub plan_id: DocId,
    /// Topic.
    pub topic_id: TopicId,
    /// Topic title.
    pub title: String,
    /// `YYYY-MM-DD` or empty.
    pub session_date: String,
    /// Materials published for it.
    pub published: u32,
}

/// A material on a member's reading list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingItem {
    /// The session it was published for.
    pub session_id: DocId,
    /// The session's topic title.
    pub session_title: String,
    /// The session date (`YYYY-MM-DD` or empty).
    pub session_date: String,
    /// The draft or material.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published_at: i64,
    /// When this member first opened it, if they have.
    pub opened_at: Option<i64>,
}

/// Who has read one published material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionStatus {
    /// The draft or material.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// Its title.
    pub title: String,
    /// When it was published, and by whom.
    pub published_at: i64,
    /// Publisher.
    pub published_by: MemberId,
    /// The moment from which a publication is late, when the session has a date: 00:00
    /// (Vietnam time, UTC+7) of the day `lead days − 1` before the session day — with HD 42's
    /// one day, anything published by the end of the day before the session is in time.
    pub due_by: Option<i64>,
    /// Published at or after `due_by` (HD 42: ≥ 1 day before; the branch may ask more).
    pub late: bool,
    /// The lead days applied.
    pub lead_days: u32,
    /// Members who opened it, with when, in the directory's order.
    pub opened: Vec<(MemberId, i64)>,
    /// Members of the branch (exempt members excluded) who have not opened it.
    pub not_opened: Vec<MemberId>,
}

/// A proposal followed through (the proposals board and the year-end review list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalItem {
    /// The draft or material it was made on.
    pub doc_id: DocId,
    /// Its title.
    pub doc_title: String,
    /// The proposal.
    pub comment_id: CommentId,
    /// Who made it.
    pub author: MemberId,
    /// When.
    pub created_at: i64,
    /// What it says (excerpt).
    pub excerpt: String,
    /// Its status in the draft (open, accepted, rejected, done).
    pub status: ProposalStatus,
    /// The task adopting it into a resolution, if any.
    pub task: Option<TaskRef>,
    /// Where it stands, all considered.
    pub stage: ProposalStage,
}

/// A task as the board shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// The session whose minutes hold it.
    pub session_id: DocId,
    /// The task.
    pub task_id: String,
    /// What is to be done.
    pub title: String,
    /// Who.
    pub owner: MemberId,
    /// By when (`YYYY-MM-DD` or empty).
    pub deadline: String,
    /// Its status.
    pub status: TaskStatus,
    /// When it was closed, if it was.
    pub closed_at: Option<i64>,
    /// Past its deadline and not closed (as of the day asked).
    pub overdue: bool,
}

/// Where a proposal stands on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStage {
    /// Made, not decided.
    Open,
    /// Not adopted.
    Rejected,
    /// Adopted (accepted or linked to a task), not yet done.
    Adopted,
    /// Adopted and past its deadline.
    Overdue,
    /// Carried out.
    Done,
}

impl ProposalStage {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStage::Open => "open",
            ProposalStage::Rejected => "rejected",
            ProposalStage::Adopted => "adopted",
            ProposalStage::Overdue => "overdue",
            ProposalStage::Done => "done",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            ProposalStage::Open => "Chưa xem xét",
            ProposalStage::Rejected => "Không tiếp thu",
            ProposalStage::Adopted => "Đã đưa vào nghị quyết",
            ProposalStage::Overdue => "Quá hạn",
            ProposalStage::Done => "Đã thực hiện xong",
        }
    }
}

/// Midnight at the start of `d` in Vietnam (UTC+7), Unix seconds.
pub fn day_start_vn(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp() - 7 * 3600
}

/// Today's date in Vietnam (UTC+7).
pub fn today_vn() -> Date {
    let now = crate::model::now_unix() + 7 * 3600;
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}

impl Store {
    /// The committee's own settings, from the signed directory (the defaults before the first
    /// sync brought one, or when the committee set none).
    pub fn committee_settings(&self) -> Result<crate::protocol::CommitteeSettings> {
        Ok(self.directory()?.map(|d| d.settings).unwrap_or_default())
    }

    /// The meeting-quality grid in use: the committee's (set by its admin on the server, carried
    /// in the signed directory), else the default.
    pub fn quality_grid(&self) -> Result<session::QualityGrid> {
        match self.committee_settings()?.quality_grid {
            Some(j) => session::QualityGrid::from_json(&j),
            None => Ok(session::QualityGrid::default()),
        }
    }

    fn me(&self) -> Result<MemberId> {
        self.identity().cloned().ok_or(Error::NoIdentity)
    }

    fn session_doc(&mut self, id: &DocId) -> Result<Session> {
        session::get(self.doc(id)?)
    }

    /// Creates a session for a topic of a plan (officers: `docs/roles.md`). The title and
    /// date come from the topic unless given.
    pub fn create_session(&mut self, new: &NewSession) -> Result<DocId> {
        self.check_role(roles::check_session_officers)?;
        let doc = session::create(new, &self.editor()?)?;
        self.insert_new(doc, &new.branch_id)
    }

    /// Creates the session of `topic` in `plan`, dated the topic's scheduled date (or
    /// `date`), titled after it.
    pub fn create_session_for_topic(
        &mut self,
        plan_id: &DocId,
        topic: &TopicId,
        date: Option<Date>,
    ) -> Result<DocId> {
        let p = self.plan(plan_id)?;
        let t = p
            .topics
            .iter()
            .find(|t| &t.id == topic)
            .ok_or_else(|| Error::TopicNotFound(topic.to_string()))?;
        let session_date = date.or(t.scheduled_date).ok_or_else(|| {
            Error::InvalidInput(format!(
                "topic \"{}\" has no date; give the session's date",
                t.title
            ))
        })?;
        self.create_session(&NewSession {
            branch_id: p.branch_id.clone(),
            plan_id: plan_id.clone(),
            topic_id: topic.clone(),
            title: t.title.clone(),
            session_date,
            combined_with_regular: t.combined_with_regular_meeting,
        })
    }

    /// The session and its minutes.
    pub fn session(&mut self, id: &DocId) -> Result<Session> {
        self.session_doc(id)
    }

    /// The session exactly as it was at `heads` (the adopted version, say).
    pub fn session_at(&mut self, id: &DocId, heads: &[automerge::ChangeHash]) -> Result<Session> {
        session::get_at(self.doc(id)?, heads)
    }

    /// Sessions, by date (of one branch, or every branch held here).
    pub fn session_rows(&self, branch: Option<&BranchId>) -> Result<Vec<SessionRow>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT s.doc_id, s.branch_id, s.plan_id, s.topic_id, s.title, s.session_date,
                    (SELECT count(*) FROM rm_distribution d WHERE d.session_id = s.doc_id)
             FROM rm_sessions s WHERE ?1 IS NULL OR s.branch_id = ?1
             ORDER BY s.session_date, s.doc_id",
        )?;
        let rows = stmt.query_map(params![branch.map(|b| b.as_str())], |r| {
            Ok(SessionRow {
                doc_id: DocId::new(r.get::<_, String>(0)?),
                branch_id: BranchId::new(r.get::<_, String>(1)?),
                plan_id: DocId::new(r.get::<_, String>(2)?),
                topic_id: TopicId::new(r.get::<_, String>(3)?),
                title: r.get(4)?,
                session_date: r.get(5)?,
                published: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Checks that this member may write the minutes of `id` (officer, or its chair/clerk).
    fn check_minutes_writer(&mut self, id: &DocId) -> Result<()> {
        let Some(role) = self.my_role()? else {
            return Ok(());
        };
        let me = self.me()?;
        let s = self.session_doc(id)?;
        let chair = s.chair.map(|m| m.to_string()).unwrap_or_default();
        let clerk = s.clerk.map(|m| m.to_string()).unwrap_or_default();
        roles::check_minutes(role, me.as_str(), (&chair, &clerk))
    }

    /// Sets a field of the minutes. Naming the chair or the clerk is for officers; the
    /// rest for officers and the session's chair and clerk.
    pub fn set_session_field(&mut self, id: &DocId, field: &SessionField) -> Result<()> {
        match field {
            SessionField::Chair(_) | SessionField::Clerk(_) => {
                self.check_role(roles::check_session_officers)?
            }
            _ => self.check_minutes_writer(id)?,
        }
        self.edit(id, |d, e| session::set_field(d, e, field))
    }

    /// Replaces one of the minutes' texts (`purpose`, `summary`, `conclusion`, `resolution`).
    pub fn replace_session_text(&mut self, id: &DocId, key: &str, text: &str) -> Result<()> {
        self.check_minutes_writer(id)?;
        self.edit(id, |d, e| session::replace_text(d, e, key, text))
    }

    /// Records a member's attendance.
    pub fn set_attendance(
        &mut self,
        id: &DocId,
        member: &MemberId,
        status: Attendance,
        reason: &str,
    ) -> Result<()> {
        self.check_minutes_writer(id)?;
        self.edit(id, |d, e| {
            session::set_attendance(d, e, member, status, reason)
        })
    }

    /// Marks every member of the session's branch not yet recorded: exempt members as
    /// exempt, everyone else as present (the clerk then corrects the absent).
    pub fn fill_attendance(&mut self, id: &DocId) -> Result<u32> {
        self.check_minutes_writer(id)?;
        let s = self.session_doc(id)?;
        let recorded: HashSet<MemberId> = s.attendance.iter().map(|a| a.member.clone()).collect();
        let todo: Vec<(MemberId, Attendance)> = self
            .members()?
            .into_iter()
            .filter(|m| m.branch_id == s.branch_id && !recorded.contains(&m.id))
            .map(|m| {
                let status = if m.status == crate::org::MemberStatus::Exempt {
                    Attendance::Exempt
                } else {
                    Attendance::Present
                };
                (m.id, status)
            })
            .collect();
        for (m, status) in &todo {
            self.edit(id, |d, e| session::set_attendance(d, e, m, *status, ""))?;
        }
        Ok(todo.len() as u32)
    }

    /// Adds a guest or a superior committee's delegate.
    pub fn add_guest(
        &mut self,
        id: &DocId,
        name: &str,
        title: &str,
        delegate: bool,
    ) -> Result<String> {
        self.check_minutes_writer(id)?;
        self.edit(id, |d, e| session::add_guest(d, e, name, title, delegate))
    }

    /// Records an opinion by name: typed in, or picked from a comment or proposal (whose
    /// author and text are then taken from it).
    pub fn add_opinion(
        &mut self,
        id: &DocId,
        member: Option<&MemberId>,
        body: &str,
        source: Option<&SourceRef>,
    ) -> Result<String> {
        self.check_minutes_writer(id)?;
        let (member, body) = match source {
            Some(src) => {
                let c = text_doc::comment_meta(self.doc(&src.doc_id)?, &src.comment_id)?;
                let body = if body.trim().is_empty() {
                    c.body
                } else {
                    body.to_owned()
                };
                (c.author, body)
            }
            None => (
                member
                    .cloned()
                    .ok_or_else(|| Error::InvalidInput("an opinion needs who said it".into()))?,
                body.to_owned(),
            ),
        };
        self.edit(id, |d, e| {
            session::add_opinion(d, e, &member, &body, source)
        })
    }

    /// Sets the points of one quality criterion. Points above the maximum of a criterion of
    /// the grid in use ([`Store::quality_grid`]) are refused (the score would silently cap
    /// them); a code this device's grid does not know is kept as given (the committee's grid
    /// is a setting of each device, and the minutes may be typed on one without it).
    pub fn set_session_quality(
        &mut self,
        id: &DocId,
        criterion: &str,
        points: Option<u32>,
    ) -> Result<()> {
        self.check_minutes_writer(id)?;
        let code = criterion.trim();
        let grid = self.quality_grid()?;
        if let (Some(c), Some(p)) = (grid.criteria.iter().find(|c| c.code == code), points)
            && p > c.max
        {
            return Err(Error::InvalidInput(format!(
                "{code} («{}») gives at most {} points, not {p}",
                c.label, c.max
            )));
        }
        self.edit(id, |d, e| session::set_quality(d, e, code, points))
    }

    /// Publishes a draft or material to the branch for session `id` (secretary or an
    /// executive). A topic draft goes out exactly as approved and only once approved; a
    /// study material goes out as it stands.
    pub fn publish(&mut self, id: &DocId, material: &DocId) -> Result<()> {
        self.check_role(roles::check_publish)?;
        let kind = self.kind_of(material)?;
        if !kind.is_text() {
            return Err(Error::InvalidInput(format!(
                "{material} is a {kind}; only drafts and materials are published"
            )));
        }
        let heads = if kind == DocKind::TopicDraft {
            match self.approval_status(material)? {
                Status::Approved { approval } | Status::ApprovedWithChanges { approval, .. } => {
                    approval.change_hashes()
                }
                _ => {
                    return Err(Error::NotReady(format!(
                        "draft {material} is not approved: a draft goes out once the secretary or the executive approved it"
                    )));
                }
            }
        } else {
            self.doc(material)?.heads()
        };
        let s = self.session_doc(id)?;
        let branch = self.doc(material)?.branch_id();
        if branch.as_ref() != Some(&s.branch_id) {
            return Err(Error::InvalidInput(format!(
                "{material} belongs to another branch than the session"
            )));
        }
        self.edit(id, |d, e| session::publish(d, e, material, kind, &heads))
    }

    /// Adds a task to the minutes. With `source`, the task adopts that proposal into the
    /// resolution, and the proposal is marked accepted (when this member may decide it).
    pub fn add_task(&mut self, id: &DocId, new: &NewTask) -> Result<String> {
        self.check_minutes_writer(id)?;
        if let Some(src) = &new.source {
            let c = text_doc::comment_meta(self.doc(&src.doc_id)?, &src.comment_id)?;
            if c.kind != text_doc::CommentKind::Proposal {
                return Err(Error::InvalidInput(format!(
                    "{} is a comment, not a proposal",
                    src.comment_id
                )));
            }
        }
        let task = self.edit(id, |d, e| session::add_task(d, e, new))?;
        if let Some(src) = &new.source {
            self.follow_proposal(src, ProposalStatus::Accepted)?;
        }
        Ok(task)
    }

    /// Moves the linked proposal's status along when this member may decide it.
    fn follow_proposal(&mut self, src: &SourceRef, status: ProposalStatus) -> Result<()> {
        if self.check_moderation(&src.doc_id, &src.comment_id).is_ok() {
            let c = text_doc::comment_meta(self.doc(&src.doc_id)?, &src.comment_id)?;
            if c.status != Some(status) {
                self.set_proposal_status(&src.doc_id, &src.comment_id, status)?;
            }
        }
        Ok(())
    }

    /// Posts progress on a task (its owner or an officer). `done` also marks the proposal
    /// it adopts as done.
    pub fn update_task(
        &mut self,
        id: &DocId,
        task: &str,
        status: TaskStatus,
        note: &str,
    ) -> Result<String> {
        let s = self.session_doc(id)?;
        let t = s
            .task(task)
            .ok_or_else(|| Error::InvalidInput(format!("no task {task} in this session")))?
            .clone();
        if let Some(role) = self.my_role()? {
            roles::check_task_update(role, self.me()?.as_str(), t.owner.as_str())?;
        }
        let update = self.edit(id, |d, e| session::update_task(d, e, task, status, note))?;
        if let (Some(src), TaskStatus::Done) = (&t.source, status) {
            self.follow_proposal(src, ProposalStatus::Done)?;
        }
        Ok(update)
    }

    /// Signs the minutes' current version as their chair or clerk. Refused unless this
    /// member is named chair or clerk, the two are different people, and the minutes have
    /// start and end times.
    pub fn sign_minutes(&mut self, id: &DocId, note: &str) -> Result<Signoff> {
        let me = self.me()?;
        let s = self.session_doc(id)?;
        if s.chair.is_none() || s.clerk.is_none() || s.chair == s.clerk {
            return Err(Error::NotReady(
                "the minutes need a chair and a clerk, two different members".into(),
            ));
        }
        if s.chair.as_ref() != Some(&me) && s.clerk.as_ref() != Some(&me) {
            return Err(Error::NotPermitted(
                "minutes are adopted by the chair's and the clerk's signatures".into(),
            ));
        }
        // The times (and everything else readiness asks) are checked by `approve`.
        self.approve(id, note)
    }

    /// Whether the minutes are adopted (both signatures on one version), checked here.
    pub fn minutes_adoption(&mut self, id: &DocId) -> Result<Adoption> {
        let signoffs = self.signoffs(id)?;
        let dir = self
            .directory()?
            .unwrap_or_else(super::approvals::empty_directory);
        let d = self.doc(id)?;
        if d.kind() != DocKind::Session {
            return Err(Error::WrongKind {
                id: id.to_string(),
                expected: "session",
                actual: d.kind().to_string(),
            });
        }
        Ok(approval::adoption(d, &signoffs, &dir))
    }

    // ----- receipts ------------------------------------------------------------------------

    /// Records that this member opened `material` (once; the first time counts). Call it
    /// when a screen shows the material. Returns whether this was the first opening.
    pub fn mark_opened(&mut self, material: &DocId) -> Result<bool> {
        let (branch, log_id) = self.reading_log_branch(material)?;
        if !self.has_document(&log_id)? {
            let doc = reading_log::create(&branch, &self.editor()?)?;
            self.insert_new(doc, &branch)?;
        }
        self.edit(&log_id, |d, e| reading_log::mark_opened(d, e, material))
    }

    /// The reading log [`Store::mark_opened`] writes for `material`: this member's, in the
    /// material's branch (it may not exist yet) — the document a screen listening for
    /// changes hears of when the material is opened.
    pub fn reading_log_id(&mut self, material: &DocId) -> Result<DocId> {
        Ok(self.reading_log_branch(material)?.1)
    }

    /// `material`'s branch and this member's reading log in it.
    fn reading_log_branch(&mut self, material: &DocId) -> Result<(BranchId, DocId)> {
        let me = self.me()?;
        let branch = self
            .doc(material)?
            .branch_id()
            .ok_or_else(|| Error::InvalidDocument(format!("{material} names no branch")))?;
        let log_id = reading_log::id_for(&branch, &me);
        Ok((branch, log_id))
    }

    /// When `member` first opened `material`, from the reading logs held here.
    pub fn opened_at(&self, member: &MemberId, material: &DocId) -> Result<Option<i64>> {
        Ok(self.reader.query_row(
            "SELECT min(opened_at) FROM rm_receipts WHERE member_id = ?1 AND doc_id = ?2",
            params![member.as_str(), material.as_str()],
            |r| r.get::<_, Option<i64>>(0),
        )?)
    }

    /// When each member first opened each material (from every reading log held here).
    fn receipts(&self, branch: &BranchId) -> Result<HashMap<(MemberId, DocId), i64>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT member_id, doc_id, min(opened_at) FROM rm_receipts WHERE branch_id = ?1
             GROUP BY member_id, doc_id",
        )?;
        let rows = stmt.query_map(params![branch.as_str()], |r| {
            Ok((
                (
                    MemberId::new(r.get::<_, String>(0)?),
                    DocId::new(r.get::<_, String>(1)?),
                ),
                r.get::<_, i64>(2)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// This member's reading list: every material published to their branch, newest
    /// session first, with when they opened it.
    pub fn reading_list(&mut self) -> Result<Vec<ReadingItem>> {
        let me = self.me()?;
        let mut stmt = self.reader.prepare_cached(
            "SELECT d.session_id, s.title, s.session_date, d.doc_id, d.kind, coalesce(t.title, d.doc_id),
                    d.published_at,
                    (SELECT min(r.opened_at) FROM rm_receipts r WHERE r.member_id = ?1 AND r.doc_id = d.doc_id)
             FROM rm_distribution d
             JOIN rm_sessions s ON s.doc_id = d.session_id
             LEFT JOIN rm_text_docs t ON t.doc_id = d.doc_id
             WHERE s.branch_id IN (SELECT branch_id FROM members WHERE member_id = ?1)
                OR NOT EXISTS (SELECT 1 FROM members WHERE member_id = ?1)
             ORDER BY s.session_date DESC, d.published_at, d.doc_id",
        )?;
        let rows = stmt.query_map(params![me.as_str()], |r| {
            Ok(ReadingItem {
                session_id: DocId::new(r.get::<_, String>(0)?),
                session_title: r.get(1)?,
                session_date: r.get(2)?,
                doc_id: DocId::new(r.get::<_, String>(3)?),
                kind: DocKind::parse(&r.get::<_, String>(4)?).unwrap_or(DocKind::Material),
                title: r.get(5)?,
                published_at: r.get(6)?,
                opened_at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Materials published to this member that they have not opened yet ("drafts to read").
    pub fn unread_materials(&mut self) -> Result<Vec<ReadingItem>> {
        Ok(self
            .reading_list()?
            .into_iter()
            .filter(|i| i.opened_at.is_none())
            .collect())
    }

    /// For each material published for session `id`: who opened it and who has not, and
    /// whether it went out later than the branch's rule.
    pub fn distribution_report(&mut self, id: &DocId) -> Result<Vec<DistributionStatus>> {
        let s = self.session_doc(id)?;
        let lead_days = match self.doc(&s.plan_id) {
            Ok(p) => plan::distribution_lead_days(p),
            Err(Error::DocumentNotFound(_)) => plan::DEFAULT_DISTRIBUTION_LEAD_DAYS,
            Err(e) => return Err(e),
        };
        let due_by = s
            .session_date
            .map(|d| day_start_vn(d) - i64::from(lead_days.saturating_sub(1)) * DAY);
        let receipts = self.receipts(&s.branch_id)?;
        let members: Vec<MemberId> = self
            .members()?
            .into_iter()
            .filter(|m| m.branch_id == s.branch_id && m.status != crate::org::MemberStatus::Exempt)
            .map(|m| m.id)
            .collect();
        let mut out = Vec::new();
        for p in &s.distribution {
            let title = match self.doc(&p.doc_id) {
                Ok(d) => text_doc::header(d)?.title,
                Err(Error::DocumentNotFound(_)) => p.doc_id.to_string(),
                Err(e) => return Err(e),
            };
            let mut opened = Vec::new();
            let mut not_opened = Vec::new();
            for m in &members {
                match receipts.get(&(m.clone(), p.doc_id.clone())) {
                    Some(at) => opened.push((m.clone(), *at)),
                    None => not_opened.push(m.clone()),
                }
            }
            out.push(DistributionStatus {
                doc_id: p.doc_id.clone(),
                kind: p.kind,
                title,
                published_at: p.published_at,
                published_by: p.published_by.clone(),
                due_by,
                late: due_by.is_some_and(|d| p.published_at >= d),
                lead_days,
                opened,
                not_opened,
            });
        }
        Ok(out)
    }

    /// Sets how many days before a session its materials must go out in this plan's branch
    /// (secretary or deputy; at least HD 42's one day).
    pub fn set_distribution_lead_days(&mut self, plan_id: &DocId, days: u32) -> Result<()> {
        self.check_role(roles::check_plan_metadata)?;
        self.edit(plan_id, |d, e| plan::set_distribution_lead_days(d, e, days))
    }

    // ----- proposals followed through ------------------------------------------------------

    /// Every proposal of `branch` (every branch held here when `None`) made in `year` (any
    /// year when `None`), with the task that adopted it and where it stands on `today`.
    /// Oldest first: the year-end review list.
    pub fn proposals_board(
        &self,
        branch: Option<&BranchId>,
        year: Option<i32>,
        today: Date,
    ) -> Result<Vec<ProposalItem>> {
        let (from, to) = match year {
            Some(y) => (
                day_start_vn(date::day_of_month(y, 1, 1)?),
                day_start_vn(date::day_of_month(y + 1, 1, 1)?),
            ),
            None => (i64::MIN, i64::MAX),
        };
        let mut stmt = self.reader.prepare_cached(
            "SELECT c.doc_id, t.title, c.comment_id, c.author, c.created_at, c.excerpt, c.status,
                    k.session_id, k.task_id, k.title, k.owner, k.deadline, k.status, k.closed_at
             FROM rm_comments c
             JOIN rm_text_docs t ON t.doc_id = c.doc_id
             LEFT JOIN rm_tasks k ON k.source_doc = c.doc_id AND k.source_comment = c.comment_id
             WHERE c.kind = 'proposal' AND c.deleted = 0
               AND (?1 IS NULL OR t.branch_id = ?1)
               AND c.created_at >= ?2 AND c.created_at < ?3
             ORDER BY c.created_at, c.doc_id, c.comment_id, k.created_at",
        )?;
        let rows = stmt.query_map(params![branch.map(|b| b.as_str()), from, to], |r| {
            Ok((
                (
                    DocId::new(r.get::<_, String>(0)?),
                    r.get::<_, String>(1)?,
                    CommentId::new(r.get::<_, String>(2)?),
                    MemberId::new(r.get::<_, String>(3)?),
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ),
                match r.get::<_, Option<String>>(7)? {
                    None => None,
                    Some(session_id) => Some((
                        DocId::new(session_id),
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                        MemberId::new(r.get::<_, String>(10)?),
                        r.get::<_, String>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, Option<i64>>(13)?,
                    )),
                },
            ))
        })?;
        let mut out: Vec<ProposalItem> = Vec::new();
        let mut seen: BTreeMap<(DocId, CommentId), usize> = BTreeMap::new();
        for row in rows {
            let ((doc_id, doc_title, comment_id, author, created_at, excerpt, status), task) = row?;
            let status = ProposalStatus::parse(&status).unwrap_or(ProposalStatus::Open);
            let task = task.map(
                |(session_id, task_id, title, owner, deadline, st, closed_at)| {
                    let status = TaskStatus::parse(&st).unwrap_or(TaskStatus::Open);
                    let overdue =
                        !status.is_closed() && date::parse(&deadline).is_ok_and(|d| d < today);
                    TaskRef {
                        session_id,
                        task_id,
                        title,
                        owner,
                        deadline,
                        status,
                        closed_at,
                        overdue,
                    }
                },
            );
            // A proposal adopted by two tasks shows once, with the first task.
            let key = (doc_id.clone(), comment_id.clone());
            if seen.contains_key(&key) {
                continue;
            }
            seen.insert(key, out.len());
            let stage = match (&task, status) {
                (Some(t), _) if t.status == TaskStatus::Done => ProposalStage::Done,
                (_, ProposalStatus::Done) => ProposalStage::Done,
                (Some(t), _) if t.overdue => ProposalStage::Overdue,
                (Some(t), _) if t.status == TaskStatus::Dropped => ProposalStage::Rejected,
                (Some(_), _) | (None, ProposalStatus::Accepted) => ProposalStage::Adopted,
                (None, ProposalStatus::Rejected) => ProposalStage::Rejected,
                (None, _) => ProposalStage::Open,
            };
            out.push(ProposalItem {
                doc_id,
                doc_title,
                comment_id,
                author,
                created_at,
                excerpt,
                status,
                task,
                stage,
            });
        }
        Ok(out)
    }

    /// The session id whose minutes hold `task`, looked up in the read model.
    pub fn session_of_task(&self, task: &str) -> Result<Option<DocId>> {
        Ok(self
            .reader
            .query_row(
                "SELECT session_id FROM rm_tasks WHERE task_id = ?1",
                params![task],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(DocId::new))
    }
}

/// One session as the secretary's overview shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOverview {
    /// The session.
    pub session_id: DocId,
    /// Topic title.
    pub title: String,
    /// `YYYY-MM-DD` or empty.
    pub session_date: String,
    /// Start and end recorded.
    pub held: bool,
    /// Length meets HD 42 (`None` until start and end are recorded).
    pub duration_ok: Option<bool>,
    /// Minutes adopted (both signatures on one version).
    pub adopted: bool,
    /// Materials published.
    pub published: u32,
    /// Of which published later than the rule.
    pub published_late: u32,
    /// Member-material pairs not opened yet.
    pub unread: u32,
}

/// The secretary's (or an inspector's) view of one branch's year: is the branch doing what
/// the rules ask (a session every quarter, HD 12; materials out in time, HD 42; minutes
/// adopted; proposals followed; art. 8 absences)?
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchOverview {
    /// The branch.
    pub branch_id: BranchId,
    /// The year.
    pub year: i32,
    /// Sessions held per quarter (index 0 = Q1); HD 12 asks for at least one each.
    pub held_per_quarter: [u32; 4],
    /// Quarters already over (as of the day asked) with no session held.
    pub quarters_missed: Vec<u8>,
    /// The year's sessions, by date.
    pub sessions: Vec<SessionOverview>,
    /// Proposals made this year still undecided.
    pub open_proposals: u32,
    /// Adopted proposals past their deadline.
    pub overdue_proposals: u32,
    /// Members with unexcused absences in three months (Điều lệ, art. 8).
    pub absence_flags: Vec<super::evidence::AbsenceFlag>,
}

impl Store {
    /// The overview of `branch` for `year`, as of `today`.
    pub fn branch_overview(
        &mut self,
        branch: &BranchId,
        year: i32,
        today: Date,
    ) -> Result<BranchOverview> {
        let mut held_per_quarter = [0u32; 4];
        let mut sessions = Vec::new();
        for row in self.session_rows(Some(branch))? {
            let Ok(d) = date::parse(&row.session_date) else {
                continue;
            };
            if d.year() != year {
                continue;
            }
            let s = self.session_doc(&row.doc_id)?;
            let held = s.started_at.is_some() && s.ended_at.is_some();
            if held {
                held_per_quarter[usize::from((d.month() as u8 - 1) / 3)] += 1;
            }
            let adopted = self.minutes_adoption(&row.doc_id)?.is_adopted();
            let report = self.distribution_report(&row.doc_id)?;
            sessions.push(SessionOverview {
                session_id: row.doc_id.clone(),
                title: row.title.clone(),
                session_date: row.session_date.clone(),
                held,
                duration_ok: s.duration_ok(),
                adopted,
                published: report.len() as u32,
                published_late: report.iter().filter(|r| r.late).count() as u32,
                unread: report.iter().map(|r| r.not_opened.len() as u32).sum(),
            });
        }
        let quarters_missed = (1..=4u8)
            .filter(|q| {
                let end = if *q == 4 {
                    date::day_of_month(year + 1, 1, 1)
                } else {
                    date::day_of_month(year, q * 3 + 1, 1)
                };
                end.is_ok_and(|e| today >= e) && held_per_quarter[usize::from(q - 1)] == 0
            })
            .collect();
        let board = self.proposals_board(Some(branch), Some(year), today)?;
        let evidence = self.participation_evidence(Some(branch), year, day_start_vn(today))?;
        Ok(BranchOverview {
            branch_id: branch.clone(),
            year,
            held_per_quarter,
            quarters_missed,
            sessions,
            open_proposals: board
                .iter()
                .filter(|p| p.stage == ProposalStage::Open)
                .count() as u32,
            overdue_proposals: board
                .iter()
                .filter(|p| p.stage == ProposalStage::Overdue)
                .count() as u32,
            absence_flags: evidence.flags,
        })
    }
}
