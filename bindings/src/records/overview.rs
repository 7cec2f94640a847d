//! Proposals followed through (the board) and the secretary's overview of a branch's year.

use sotay_core::store as core_store;

use super::column_date;
use super::evidence::AbsenceFlag;
use super::session::TaskStatus;
use super::text_doc::ProposalStatus;

/// Where a proposal stands on the board, all considered (its status, the task adopting it,
/// the task's deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ProposalStage {
    /// Made, not decided.
    Open,
    /// Not adopted (or its task dropped).
    Rejected,
    /// Adopted (accepted, or linked to a task), not yet done.
    Adopted,
    /// Adopted and past its task's deadline.
    Overdue,
    /// Carried out.
    Done,
}

impl From<core_store::ProposalStage> for ProposalStage {
    fn from(s: core_store::ProposalStage) -> Self {
        use core_store::ProposalStage as S;
        match s {
            S::Open => ProposalStage::Open,
            S::Rejected => ProposalStage::Rejected,
            S::Adopted => ProposalStage::Adopted,
            S::Overdue => ProposalStage::Overdue,
            S::Done => ProposalStage::Done,
        }
    }
}

impl From<ProposalStage> for core_store::ProposalStage {
    fn from(s: ProposalStage) -> Self {
        use core_store::ProposalStage as S;
        match s {
            ProposalStage::Open => S::Open,
            ProposalStage::Rejected => S::Rejected,
            ProposalStage::Adopted => S::Adopted,
            ProposalStage::Overdue => S::Overdue,
            ProposalStage::Done => S::Done,
        }
    }
}

/// The task adopting a proposal, as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TaskRef {
    /// The session whose minutes hold it.
    pub session_id: String,
    /// The task (`update_task` takes the session and this id).
    pub task_id: String,
    /// What is to be done.
    pub title: String,
    /// Who does it.
    pub owner: String,
    /// By when (ISO date).
    pub deadline: Option<String>,
    /// Its status.
    pub status: TaskStatus,
    /// When it was closed (done or dropped), if it was.
    pub closed_at: Option<i64>,
    /// Past its deadline and not closed, as of the day asked.
    pub overdue: bool,
}

/// A proposal followed through.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProposalItem {
    /// The draft or material it was made on.
    pub doc_id: String,
    /// Its title.
    pub doc_title: String,
    /// The proposal (a comment id).
    pub comment_id: String,
    /// Who made it.
    pub author: String,
    /// When.
    pub created_at: i64,
    /// What it says (the start of it).
    pub excerpt: String,
    /// Its status in the draft.
    pub status: ProposalStatus,
    /// The task adopting it into a resolution, if any.
    pub task: Option<TaskRef>,
    /// Where it stands.
    pub stage: ProposalStage,
}

impl From<core_store::ProposalItem> for ProposalItem {
    fn from(p: core_store::ProposalItem) -> Self {
        ProposalItem {
            doc_id: p.doc_id.to_string(),
            doc_title: p.doc_title,
            comment_id: p.comment_id.to_string(),
            author: p.author.to_string(),
            created_at: p.created_at,
            excerpt: p.excerpt,
            status: p.status.into(),
            task: p.task.map(|t| TaskRef {
                session_id: t.session_id.to_string(),
                task_id: t.task_id,
                title: t.title,
                owner: t.owner.to_string(),
                deadline: column_date(&t.deadline),
                status: t.status.into(),
                closed_at: t.closed_at,
                overdue: t.overdue,
            }),
            stage: p.stage.into(),
        }
    }
}

/// One session of the year, as the secretary's overview shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionOverview {
    /// The session.
    pub session_id: String,
    /// Topic title.
    pub title: String,
    /// Its day (ISO date).
    pub session_date: Option<String>,
    /// Start and end are recorded.
    pub held: bool,
    /// Its length meets HD 42 (`None` until start and end are recorded).
    pub duration_ok: Option<bool>,
    /// The minutes are adopted (both signatures on one version).
    pub adopted: bool,
    /// Drafts and materials published for it.
    pub published: u32,
    /// Of which published later than the branch's rule.
    pub published_late: u32,
    /// Member–material pairs not opened yet.
    pub unread: u32,
}

/// The secretary's (or an inspector's) view of one branch's year: a session each quarter
/// (HD 12), materials out in time (HD 42), minutes adopted, proposals followed, art. 8
/// absences.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BranchOverview {
    /// The branch.
    pub branch_id: String,
    /// The year.
    pub year: i32,
    /// Sessions held per quarter: four numbers, Q1 first.
    pub held_per_quarter: Vec<u32>,
    /// Quarters (1–4) already over with no session held.
    pub quarters_missed: Vec<u8>,
    /// The year's sessions, by date.
    pub sessions: Vec<SessionOverview>,
    /// Proposals made this year still undecided.
    pub open_proposals: u32,
    /// Adopted proposals past their deadline.
    pub overdue_proposals: u32,
    /// Members with unexcused absences in three months (Điều lệ, art. 8).
    pub absence_flags: Vec<AbsenceFlag>,
}

impl From<core_store::BranchOverview> for BranchOverview {
    fn from(o: core_store::BranchOverview) -> Self {
        BranchOverview {
            branch_id: o.branch_id.to_string(),
            year: o.year,
            held_per_quarter: o.held_per_quarter.to_vec(),
            quarters_missed: o.quarters_missed,
            sessions: o
                .sessions
                .into_iter()
                .map(|s| SessionOverview {
                    session_id: s.session_id.to_string(),
                    title: s.title,
                    session_date: column_date(&s.session_date),
                    held: s.held,
                    duration_ok: s.duration_ok,
                    adopted: s.adopted,
                    published: s.published,
                    published_late: s.published_late,
                    unread: s.unread,
                })
                .collect(),
            open_proposals: o.open_proposals,
            overdue_proposals: o.overdue_proposals,
            absence_flags: o.absence_flags.into_iter().map(Into::into).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_every_stage_converts_both_ways() {
        use core_store::ProposalStage as S;
        for s in [S::Open, S::Rejected, S::Adopted, S::Overdue, S::Done] {
            assert_eq!(S::from(ProposalStage::from(s)), s);
        }
    }
}
