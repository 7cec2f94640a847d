//! Read-model tables: what screens render without loading a document.
//!
//! Every write to a document re-projects that document's rows in the same SQLite
//! transaction that stores its change, so the rows and the document never disagree. A cold
//! start shows the branch's plans and topics from these tables alone.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::date;
use crate::ids::{BranchId, DocId, DocKind, MemberId, TopicId};
use crate::model::conflict::{self, Conflict};
use crate::model::{Document, plan, reading_log, session, text_doc};
use crate::text;

/// A plan in the branch's plan list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    /// Document id.
    pub doc_id: DocId,
    /// Branch.
    pub branch_id: BranchId,
    /// Year.
    pub year: i32,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Issue date (`YYYY-MM-DD` or empty).
    pub issue_date: String,
    /// Topics, cancelled ones included.
    pub topic_count: u32,
    /// Fields with concurrent values waiting for a choice.
    pub conflict_count: u32,
    /// Last local write (Unix seconds).
    pub updated_at: i64,
}

/// A topic row of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRow {
    /// The plan.
    pub plan_id: DocId,
    /// The topic.
    pub topic_id: TopicId,
    /// 1-based order in the plan (STT).
    pub ord: u32,
    /// Title.
    pub title: String,
    /// Topic group code.
    pub group: String,
    /// Session date (`YYYY-MM-DD` or empty).
    pub scheduled_date: String,
    /// Shares the sitting with the regular meeting.
    pub combined_meeting: bool,
    /// Preparers.
    pub preparers: Vec<MemberId>,
    /// Presenter (empty if none).
    pub presenter: String,
    /// Executive in charge (empty if none).
    pub executive: String,
    /// Draft deadline (`YYYY-MM-DD` or empty).
    pub draft_deadline: String,
    /// Expected output.
    pub expected_output: String,
    /// Notes.
    pub notes: String,
    /// Status code.
    pub status: String,
}

/// A draft or material in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDocRow {
    /// Document id.
    pub doc_id: DocId,
    /// `topic_draft` or `material`.
    pub kind: DocKind,
    /// Branch.
    pub branch_id: BranchId,
    /// Plan (empty if none).
    pub plan_id: String,
    /// Topic (empty if none).
    pub topic_id: String,
    /// Title.
    pub title: String,
    /// Length of the text in characters.
    pub body_chars: u32,
    /// Comments and proposals (replies included, deleted ones not).
    pub comment_count: u32,
    /// Proposals.
    pub proposal_count: u32,
    /// Proposals still open.
    pub open_proposal_count: u32,
    /// Threads not yet resolved.
    pub unresolved_threads: u32,
    /// Fields with concurrent values.
    pub conflict_count: u32,
    /// Last local write.
    pub updated_at: i64,
}

/// How a text document's comment counts change with an edit. Recounting reads every comment
/// (~20 µs each), so edits that know what they touched say so.
#[derive(Clone, Debug, Default)]
pub(crate) enum CountsHint {
    /// Count every comment again (merges, rebuilds, unknown edits).
    #[default]
    Recount,
    /// The edit did not touch comments (text splices, titles).
    Keep,
    /// The edit touched one comment, whose contribution before the edit was `before`.
    Changed {
        /// The comment.
        comment: crate::ids::CommentId,
        /// Its contribution before the edit.
        before: text_doc::CommentCounts,
    },
}

/// Re-projects one document's rows. `rescan_conflicts` walks the whole document for
/// concurrent values; a local edit can only remove conflicts, never create one, so callers
/// skip the walk when the document had none.
pub(crate) fn project(
    tx: &Transaction<'_>,
    doc: &mut Document,
    rescan_conflicts: bool,
    counts: &CountsHint,
    now: i64,
) -> Result<()> {
    let id = doc.id().clone();
    let conflicts = if rescan_conflicts {
        let list = conflict::list(doc);
        tx.execute(
            "DELETE FROM rm_conflicts WHERE doc_id = ?1",
            params![id.as_str()],
        )?;
        let mut ins = tx.prepare_cached(
            "INSERT INTO rm_conflicts (doc_id, path, conflict) VALUES (?1, ?2, ?3)",
        )?;
        for c in &list {
            ins.execute(params![
                id.as_str(),
                c.path_string(),
                serde_json::to_string(c)?
            ])?;
        }
        list.len() as u32
    } else {
        tx.query_row(
            "SELECT count(*) FROM rm_conflicts WHERE doc_id = ?1",
            params![id.as_str()],
            |r| r.get(0),
        )?
    };
    match doc.kind() {
        DocKind::AnnualPlan => {
            let p = plan::get(doc)?;
            tx.execute(
                "INSERT OR REPLACE INTO rm_plans (doc_id, branch_id, year, number, title, issue_date, topic_count, conflict_count, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id.as_str(),
                    p.branch_id.as_str(),
                    p.year,
                    p.number,
                    p.title,
                    p.issue_date.map(date::format).unwrap_or_default(),
                    p.topics.len() as u32,
                    conflicts,
                    now
                ],
            )?;
            tx.execute(
                "DELETE FROM rm_topics WHERE plan_id = ?1",
                params![id.as_str()],
            )?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO rm_topics (plan_id, topic_id, ord, title, topic_group, scheduled_date, combined_meeting,
                     preparers, presenter, executive, draft_deadline, expected_output, notes, status, search_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for (i, t) in p.topics.iter().enumerate() {
                ins.execute(params![
                    id.as_str(),
                    t.id.as_str(),
                    i as u32 + 1,
                    t.title,
                    t.group.as_str(),
                    t.scheduled_date.map(date::format).unwrap_or_default(),
                    t.combined_with_regular_meeting,
                    serde_json::to_string(&t.preparers)?,
                    t.presenter.as_ref().map(|m| m.as_str()).unwrap_or_default(),
                    t.executive.as_ref().map(|m| m.as_str()).unwrap_or_default(),
                    t.draft_deadline.map(date::format).unwrap_or_default(),
                    t.expected_output,
                    t.notes,
                    t.status.as_str(),
                    text::search_key(&format!("{} {} {}", t.title, t.expected_output, t.notes)),
                ])?;
            }
        }
        DocKind::TopicDraft | DocKind::Material => {
            project_comments(tx, doc, counts)?;
            let stored = || -> Result<Option<text_doc::CommentCounts>> {
                Ok(tx
                    .query_row(
                        "SELECT comment_count, proposal_count, open_proposal_count, unresolved_threads
                         FROM rm_text_docs WHERE doc_id = ?1",
                        params![id.as_str()],
                        |r| {
                            Ok(text_doc::CommentCounts {
                                total: r.get(0)?,
                                proposals: r.get(1)?,
                                open_proposals: r.get(2)?,
                                unresolved_threads: r.get(3)?,
                            })
                        },
                    )
                    .optional()?)
            };
            let counts = match (counts, stored()?) {
                (CountsHint::Keep, Some(c)) => c,
                (CountsHint::Changed { comment, before }, Some(mut c)) => {
                    c.replace(before, &text_doc::comment_contribution(doc, comment)?);
                    c
                }
                _ => text_doc::comment_counts(doc)?,
            };
            let info = text_doc::header(doc)?;
            tx.execute(
                "INSERT OR REPLACE INTO rm_text_docs (doc_id, kind, branch_id, plan_id, topic_id, title, body_chars,
                     comment_count, proposal_count, open_proposal_count, unresolved_threads, conflict_count, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    id.as_str(),
                    doc.kind().as_str(),
                    info.branch_id.as_str(),
                    info.plan_id.as_ref().map(|p| p.as_str()).unwrap_or_default(),
                    info.topic_id.as_ref().map(|t| t.as_str()).unwrap_or_default(),
                    info.title,
                    info.body_chars as u32,
                    counts.total,
                    counts.proposals,
                    counts.open_proposals,
                    counts.unresolved_threads,
                    conflicts,
                    now
                ],
            )?;
        }
        DocKind::Session => project_session(tx, doc, now)?,
        DocKind::ReadingLog => {
            let opened = reading_log::opened(doc)?;
            let member = reading_log::owner(doc)
                .map(|m| m.to_string())
                .unwrap_or_default();
            let branch = doc.branch_id().map(|b| b.to_string()).unwrap_or_default();
            tx.execute(
                "DELETE FROM rm_receipts WHERE log_id = ?1",
                params![id.as_str()],
            )?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO rm_receipts (log_id, branch_id, member_id, doc_id, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (doc_id, at) in opened {
                ins.execute(params![id.as_str(), branch, member, doc_id.as_str(), at])?;
            }
        }
    }
    Ok(())
}

/// Every comment's who and when (`rm_comments`): one row when the edit says which comment
/// it touched, all rows otherwise.
fn project_comments(tx: &Transaction<'_>, doc: &Document, counts: &CountsHint) -> Result<()> {
    let id = doc.id().as_str();
    let metas = match counts {
        CountsHint::Keep => return Ok(()),
        CountsHint::Changed { comment, .. } => vec![text_doc::comment_meta(doc, comment)?],
        CountsHint::Recount => {
            tx.execute("DELETE FROM rm_comments WHERE doc_id = ?1", params![id])?;
            text_doc::comment_metas(doc)?
        }
    };
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO rm_comments (doc_id, comment_id, kind, author, created_at, reply_to,
             deleted, status, excerpt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for m in metas {
        ins.execute(params![
            id,
            m.id.as_str(),
            match m.kind {
                text_doc::CommentKind::Comment => "comment",
                text_doc::CommentKind::Proposal => "proposal",
            },
            m.author.as_str(),
            m.created_at,
            m.reply_to.as_ref().map(|r| r.as_str()).unwrap_or_default(),
            m.deleted,
            m.status.map(|s| s.as_str()).unwrap_or_default(),
            excerpt(&m.body, 160),
        ])?;
    }
    Ok(())
}

/// The first `n` characters of `s`, with an ellipsis when cut.
pub(crate) fn excerpt(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

fn project_session(tx: &Transaction<'_>, doc: &Document, now: i64) -> Result<()> {
    let s = session::get(doc)?;
    let id = s.id.as_str();
    let member = |m: &Option<MemberId>| m.as_ref().map(|m| m.to_string()).unwrap_or_default();
    tx.execute(
        "INSERT OR REPLACE INTO rm_sessions (doc_id, branch_id, plan_id, topic_id, title, session_date,
             combined, started_at, ended_at, chair, clerk, presenter, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            id,
            s.branch_id.as_str(),
            s.plan_id.as_str(),
            s.topic_id.as_str(),
            s.title,
            s.session_date.map(date::format).unwrap_or_default(),
            s.combined_with_regular,
            s.started_at,
            s.ended_at,
            member(&s.chair),
            member(&s.clerk),
            member(&s.presenter),
            now
        ],
    )?;
    for table in [
        "rm_distribution",
        "rm_attendance",
        "rm_opinions",
        "rm_tasks",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE session_id = ?1"),
            params![id],
        )?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO rm_distribution (session_id, doc_id, kind, heads, published_at, published_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in &s.distribution {
        ins.execute(params![
            id,
            p.doc_id.as_str(),
            p.kind.as_str(),
            p.heads.join(","),
            p.published_at,
            p.published_by.as_str()
        ])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO rm_attendance (session_id, member_id, status, reason) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in &s.attendance {
        ins.execute(params![id, a.member.as_str(), a.status.as_str(), a.reason])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO rm_opinions (session_id, opinion_id, member_id, source_doc, source_comment)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for o in &s.opinions {
        let (d, c) = source_cols(&o.source);
        ins.execute(params![id, o.id, o.member.as_str(), d, c])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO rm_tasks (session_id, task_id, title, owner, deadline, source_doc, source_comment,
             status, created_at, closed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for t in &s.tasks {
        let (d, c) = source_cols(&t.source);
        let closed_at = t
            .updates
            .last()
            .filter(|u| u.status.is_closed())
            .map(|u| u.at);
        ins.execute(params![
            id,
            t.id,
            t.title,
            t.owner.as_str(),
            t.deadline.map(date::format).unwrap_or_default(),
            d,
            c,
            t.status.as_str(),
            t.created_at,
            closed_at
        ])?;
    }
    Ok(())
}

fn source_cols(s: &Option<session::SourceRef>) -> (&str, &str) {
    s.as_ref()
        .map_or(("", ""), |s| (s.doc_id.as_str(), s.comment_id.as_str()))
}

fn plan_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PlanRow> {
    Ok(PlanRow {
        doc_id: DocId::new(r.get::<_, String>(0)?),
        branch_id: BranchId::new(r.get::<_, String>(1)?),
        year: r.get(2)?,
        number: r.get(3)?,
        title: r.get(4)?,
        issue_date: r.get(5)?,
        topic_count: r.get(6)?,
        conflict_count: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// Plans, newest year first.
pub(crate) fn plans(conn: &Connection, branch: Option<&BranchId>) -> Result<Vec<PlanRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, branch_id, year, number, title, issue_date, topic_count, conflict_count, updated_at
         FROM rm_plans WHERE ?1 IS NULL OR branch_id = ?1 ORDER BY year DESC, number, doc_id",
    )?;
    let rows = stmt
        .query_map(params![branch.map(|b| b.as_str())], plan_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A plan's topics in order.
pub(crate) fn topics(conn: &Connection, plan: &DocId) -> Result<Vec<TopicRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT plan_id, topic_id, ord, title, topic_group, scheduled_date, combined_meeting, preparers,
                presenter, executive, draft_deadline, expected_output, notes, status
         FROM rm_topics WHERE plan_id = ?1 ORDER BY ord",
    )?;
    let rows = stmt
        .query_map(params![plan.as_str()], |r| {
            let preparers: String = r.get(7)?;
            Ok(TopicRow {
                plan_id: DocId::new(r.get::<_, String>(0)?),
                topic_id: TopicId::new(r.get::<_, String>(1)?),
                ord: r.get(2)?,
                title: r.get(3)?,
                group: r.get(4)?,
                scheduled_date: r.get(5)?,
                combined_meeting: r.get(6)?,
                preparers: serde_json::from_str(&preparers).unwrap_or_default(),
                presenter: r.get(8)?,
                executive: r.get(9)?,
                draft_deadline: r.get(10)?,
                expected_output: r.get(11)?,
                notes: r.get(12)?,
                status: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Topics of any plan whose title, output or notes contain every word of `query`, accents
/// ignored; those containing the whole phrase come first.
pub(crate) fn search_topics(conn: &Connection, query: &str) -> Result<Vec<TopicRow>> {
    let phrase = text::search_key(query);
    let words: Vec<&str> = phrase.split(' ').filter(|w| !w.is_empty()).collect();
    let mut stmt = conn.prepare_cached("SELECT plan_id, topic_id, search_key FROM rm_topics")?;
    let mut hits: Vec<(bool, String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, _, key)| words.iter().all(|w| key.contains(w)))
        .map(|(plan, topic, key)| (!key.contains(&phrase), plan, topic))
        .collect();
    hits.sort();
    let mut out = Vec::new();
    for (_, plan, topic) in hits {
        if let Some(row) = topics(conn, &DocId::new(&plan))?
            .into_iter()
            .find(|t| t.topic_id.as_str() == topic)
        {
            out.push(row);
        }
    }
    Ok(out)
}

/// Drafts and materials, optionally of one plan.
pub(crate) fn text_docs(conn: &Connection, plan: Option<&DocId>) -> Result<Vec<TextDocRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, kind, branch_id, plan_id, topic_id, title, body_chars, comment_count, proposal_count,
                open_proposal_count, unresolved_threads, conflict_count, updated_at
         FROM rm_text_docs WHERE ?1 IS NULL OR plan_id = ?1 ORDER BY kind DESC, title, doc_id",
    )?;
    let rows = stmt
        .query_map(params![plan.map(|p| p.as_str())], |r| {
            Ok(TextDocRow {
                doc_id: DocId::new(r.get::<_, String>(0)?),
                kind: DocKind::parse(&r.get::<_, String>(1)?).unwrap_or(DocKind::Material),
                branch_id: BranchId::new(r.get::<_, String>(2)?),
                plan_id: r.get(3)?,
                topic_id: r.get(4)?,
                title: r.get(5)?,
                body_chars: r.get(6)?,
                comment_count: r.get(7)?,
                proposal_count: r.get(8)?,
                open_proposal_count: r.get(9)?,
                unresolved_threads: r.get(10)?,
                conflict_count: r.get(11)?,
                updated_at: r.get(12)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Conflicts waiting for a choice, optionally of one document.
pub(crate) fn conflicts(conn: &Connection, doc: Option<&DocId>) -> Result<Vec<(DocId, Conflict)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, conflict FROM rm_conflicts WHERE ?1 IS NULL OR doc_id = ?1 ORDER BY doc_id, path",
    )?;
    let rows = stmt
        .query_map(params![doc.map(|d| d.as_str())], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(d, c)| Ok((DocId::new(d), serde_json::from_str(&c)?)))
        .collect()
}
