//! "What needs me": the comment threads waiting for this member and the documents waiting
//! for their approval — decided here once, so every app shows the same list.
//!
//! # Threads
//!
//! A *thread* is a root comment or proposal of a draft or material with every reply under
//! it (a reply to a reply belongs to its root's thread). Deleted messages do not count, and
//! a thread whose root was deleted is not followed. A thread needs this member when one of
//! these holds, checked in this order ([`ThreadReason`]):
//!
//! 1. **`ProposalDecided`** — the root is this member's proposal and it has been decided
//!    (accepted, rejected or done), resolved or not;
//! 2. **`Reply`** — the thread is not resolved, its newest message is someone else's, and
//!    this member wrote a message in it (someone answered them, or joined in after them);
//! 3. **`OnMyDocument`** — the thread is not resolved, its newest message is someone
//!    else's, and this member created the draft or material (someone commented on what they
//!    wrote);
//!
//! … **and** the thread changed since this member last looked at it. Looking is recorded by
//! [`Store::mark_thread_seen`] (a screen calls it when it shows the thread), and acting on a
//! thread here — replying, deciding or resolving it — counts as looking. What "changed"
//! compares is the thread's newest message and its proposal status: a new reply or a new
//! decision brings a thread back; edits to old messages do not.
//!
//! # Approvals
//!
//! A document needs this member's approval when it has a pending submission
//! ([`Status::Submitted`]: a member asked for a version no valid approval covers) and this
//! member holds the authority to approve it ([`ApprovalRights::has_authority`]: enrolled,
//! member of its branch, a role that approves its kind, delegation considered). Readiness is
//! not a condition — the officer has been asked to look — but is reported with each item.
//!
//! # To read
//!
//! Drafts and materials published for a session of this member's branch
//! ([`Store::publish`]) that this member has not opened yet ([`Store::mark_opened`]).

use std::collections::{BTreeMap, HashMap};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{ApprovalRights, Store, db};
use crate::approval::{NotReady, Signoff, Status};
use crate::ids::{CommentId, DocId, DocKind, MemberId, TopicId};
use crate::model::now_unix;
use crate::model::text_doc::{self, Comment, CommentKind, CommentMeta, ProposalStatus};
use crate::{Error, Result};

/// Why a thread needs this member (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadReason {
    /// This member's proposal was decided.
    ProposalDecided(ProposalStatus),
    /// Someone else wrote last in a thread this member wrote in.
    Reply,
    /// Someone else wrote last in a thread on a draft or material this member created.
    OnMyDocument,
}

/// A thread waiting for this member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadNeedingMe {
    /// The draft or material.
    pub doc_id: DocId,
    /// Its kind.
    pub doc_kind: DocKind,
    /// Its title.
    pub doc_title: String,
    /// Its plan, if any.
    pub plan_id: Option<DocId>,
    /// Its topic, if any.
    pub topic_id: Option<TopicId>,
    /// The thread's root comment or proposal.
    pub root: Comment,
    /// The thread's newest message (the root itself when it has no replies).
    pub latest: Comment,
    /// Why it needs this member.
    pub reason: ThreadReason,
}

/// A document waiting for this member's approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalNeedingMe {
    /// The document.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// Its title (a plan's title, or its number when untitled).
    pub title: String,
    /// The pending submission (who asked, when, for which version).
    pub submission: Signoff,
    /// The approval in force, if any (what changed since is the delta from it).
    pub previous: Option<Signoff>,
    /// What stands in the way of approving the current version, if anything.
    pub not_ready: Option<NotReady>,
}

/// "What needs me": threads and approvals, each newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsMe {
    /// Threads waiting for this member, newest message first.
    pub threads: Vec<ThreadNeedingMe>,
    /// Documents waiting for this member's approval, newest submission first.
    pub approvals: Vec<ApprovalNeedingMe>,
    /// Drafts and materials published to this member's branch that they have not opened,
    /// newest session first.
    pub to_read: Vec<super::ReadingItem>,
}

/// A thread: its root and its messages (root first), as indexes into the comment list.
struct Thread {
    root: usize,
    messages: Vec<usize>,
}

/// Groups comments (in list order) into threads, roots in list order.
fn threads(comments: &[CommentMeta]) -> Vec<Thread> {
    let by_id: HashMap<&CommentId, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.id, i))
        .collect();
    let root_of = |mut i: usize| {
        // A reply whose parent is missing heads a thread of its own; a cycle (only a crafted
        // document makes one) stops where it closes.
        for _ in 0..comments.len() {
            match comments[i].reply_to.as_ref().and_then(|p| by_id.get(p)) {
                Some(&parent) if parent != i => i = parent,
                _ => break,
            }
        }
        i
    };
    let mut grouped: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..comments.len() {
        grouped.entry(root_of(i)).or_default().push(i);
    }
    grouped
        .into_iter()
        .map(|(root, messages)| Thread { root, messages })
        .collect()
}

/// What "changed since last looked" compares: the newest message and the proposal status.
fn fingerprint(latest: &CommentMeta, root: &CommentMeta) -> String {
    format!(
        "{}|{}",
        latest.id,
        root.status.map(ProposalStatus::as_str).unwrap_or_default()
    )
}

/// A thread's newest live message (`None` when every message was deleted).
fn latest<'a>(comments: &'a [CommentMeta], t: &Thread) -> Option<&'a CommentMeta> {
    t.messages
        .iter()
        .rev()
        .map(|&i| &comments[i])
        .find(|c| !c.deleted)
}

/// Why thread `t` needs `me`, before asking whether they have seen it.
fn reason(
    comments: &[CommentMeta],
    t: &Thread,
    me: &MemberId,
    creator: Option<&MemberId>,
) -> Option<ThreadReason> {
    let root = &comments[t.root];
    if root.deleted {
        return None;
    }
    if root.kind == CommentKind::Proposal && &root.author == me {
        if let Some(status) = root.status.filter(|s| *s != ProposalStatus::Open) {
            return Some(ThreadReason::ProposalDecided(status));
        }
    }
    let newest = latest(comments, t)?;
    if root.resolved || &newest.author == me {
        return None;
    }
    let wrote = t
        .messages
        .iter()
        .any(|&i| !comments[i].deleted && &comments[i].author == me);
    if wrote {
        Some(ThreadReason::Reply)
    } else if creator == Some(me) {
        Some(ThreadReason::OnMyDocument)
    } else {
        None
    }
}

impl Store {
    /// "What needs me" for this device's member: the threads waiting for them and the
    /// documents waiting for their approval (see the module docs for the rules). Empty
    /// without an identity.
    pub fn needs_me(&mut self) -> Result<NeedsMe> {
        Ok(NeedsMe {
            threads: self.threads_needing_me()?,
            approvals: self.approvals_needing_me()?,
            to_read: self.unread_materials()?,
        })
    }

    /// The threads waiting for this member, newest message first.
    pub fn threads_needing_me(&mut self) -> Result<Vec<ThreadNeedingMe>> {
        let Some(me) = self.identity().cloned() else {
            return Ok(Vec::new());
        };
        let seen = self.threads_seen(&me)?;
        let mut out = Vec::new();
        for row in self.text_doc_rows(None)? {
            // The read model says which documents can have a thread for anyone: an open
            // thread or a decided proposal.
            if row.unresolved_threads == 0 && row.proposal_count == row.open_proposal_count {
                continue;
            }
            let doc = match self.doc(&row.doc_id) {
                Ok(d) => d,
                Err(Error::DocumentDamaged { .. }) => continue,
                Err(e) => return Err(e),
            };
            let creator = text_doc::creator(doc);
            let comments = text_doc::comment_metas(doc)?;
            let mut found = Vec::new();
            for t in threads(&comments) {
                let Some(why) = reason(&comments, &t, &me, creator.as_ref()) else {
                    continue;
                };
                let Some(newest) = latest(&comments, &t) else {
                    continue;
                };
                let root = &comments[t.root];
                let key = (row.doc_id.to_string(), root.id.to_string());
                if seen.get(&key) == Some(&fingerprint(newest, root)) {
                    continue;
                }
                found.push((root.id.clone(), newest.id.clone(), why));
            }
            if found.is_empty() {
                continue;
            }
            let full = text_doc::get(doc)?;
            let by_id: HashMap<&CommentId, &Comment> =
                full.comments.iter().map(|c| (&c.id, c)).collect();
            for (root, newest, why) in found {
                let (Some(root), Some(newest)) = (by_id.get(&root), by_id.get(&newest)) else {
                    continue;
                };
                out.push(ThreadNeedingMe {
                    doc_id: full.id.clone(),
                    doc_kind: full.kind,
                    doc_title: full.title.clone(),
                    plan_id: full.plan_id.clone(),
                    topic_id: full.topic_id.clone(),
                    root: (*root).clone(),
                    latest: (*newest).clone(),
                    reason: why,
                });
            }
        }
        out.sort_by(|a, b| {
            (b.latest.created_at, &b.doc_id, &b.latest.id).cmp(&(
                a.latest.created_at,
                &a.doc_id,
                &a.latest.id,
            ))
        });
        Ok(out)
    }

    /// The documents waiting for this member's approval, newest submission first.
    pub fn approvals_needing_me(&mut self) -> Result<Vec<ApprovalNeedingMe>> {
        let mut out = Vec::new();
        for id in self.documents_with_submissions()? {
            let rights: ApprovalRights = match self.can_approve(&id) {
                Ok(r) => r,
                Err(Error::DocumentDamaged { .. } | Error::DocumentNotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            if !rights.has_authority() {
                continue;
            }
            let Status::Submitted {
                submission,
                previous,
                ..
            } = self.approval_status(&id)?
            else {
                continue;
            };
            let title = self.title_of(&id, rights.kind)?;
            let not_ready = rights.blockers.into_iter().find_map(|b| match b {
                super::ApproveBlocker::NotReady(n) => Some(n),
                _ => None,
            });
            out.push(ApprovalNeedingMe {
                doc_id: id,
                kind: rights.kind,
                title,
                submission: *submission,
                previous: previous.map(|p| *p),
                not_ready,
            });
        }
        out.sort_by(|a, b| {
            (b.submission.signed_at, &b.doc_id).cmp(&(a.submission.signed_at, &a.doc_id))
        });
        Ok(out)
    }

    /// Records that this member looked at the thread of comment `comment` (any message of
    /// it) as it is now: it leaves "what needs me" until a new message or decision arrives.
    pub fn mark_thread_seen(&mut self, doc: &DocId, comment: &CommentId) -> Result<()> {
        let me = self.identity().cloned().ok_or(Error::NoIdentity)?;
        let comments = text_doc::comment_metas(self.doc(doc)?)?;
        let t = threads(&comments)
            .into_iter()
            .find(|t| t.messages.iter().any(|&i| &comments[i].id == comment))
            .ok_or_else(|| Error::CommentNotFound(comment.to_string()))?;
        let root = &comments[t.root];
        let seen = latest(&comments, &t).map(|newest| fingerprint(newest, root));
        let root_id = root.id.to_string();
        db::write(&mut self.writer, |tx| {
            match seen {
                Some(seen) => tx.execute(
                    "INSERT INTO threads_seen (member_id, doc_id, root_id, seen, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (member_id, doc_id, root_id)
                     DO UPDATE SET seen = excluded.seen, at = excluded.at",
                    params![me.as_str(), doc.as_str(), root_id, seen, now_unix()],
                )?,
                None => tx.execute(
                    "DELETE FROM threads_seen WHERE member_id = ?1 AND doc_id = ?2 AND root_id = ?3",
                    params![me.as_str(), doc.as_str(), root_id],
                )?,
            };
            Ok(())
        })
    }

    /// [`Store::mark_thread_seen`] after this member acted on a thread. The action is
    /// already durable, so a failure here is only logged.
    pub(crate) fn acted_on_thread(&mut self, doc: &DocId, comment: &CommentId) {
        if let Err(e) = self.mark_thread_seen(doc, comment) {
            tracing::warn!(doc = %doc, comment = %comment, error = %e, "could not mark a thread seen");
        }
    }

    fn threads_seen(&self, me: &MemberId) -> Result<HashMap<(String, String), String>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT doc_id, root_id, seen FROM threads_seen WHERE member_id = ?1",
        )?;
        let rows = stmt
            .query_map([me.as_str()], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(rows)
    }

    fn title_of(&mut self, id: &DocId, kind: DocKind) -> Result<String> {
        Ok(match kind {
            DocKind::AnnualPlan => {
                let p = self.plan(id)?;
                if p.title.trim().is_empty() {
                    p.number
                } else {
                    p.title
                }
            }
            DocKind::TopicDraft | DocKind::Material => text_doc::header(self.doc(id)?)?.title,
            DocKind::Session => crate::model::session::get(self.doc(id)?)?.title,
            DocKind::ReadingLog => id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, author: &str, reply_to: Option<&str>) -> CommentMeta {
        CommentMeta {
            id: CommentId::new(id),
            kind: CommentKind::Comment,
            author: MemberId::new(author),
            reply_to: reply_to.map(CommentId::new),
            deleted: false,
            resolved: false,
            status: None,
            created_at: 0,
            body: String::new(),
        }
    }

    #[test]
    fn test_replies_to_replies_join_their_roots_thread_and_orphans_head_their_own() {
        let comments = vec![
            meta("a", "m-luong", None),
            meta("b", "m-viet", Some("a")),
            meta("c", "m-luong", Some("b")),
            meta("d", "m-hoa", Some("gone")),
            meta("e", "m-hoa", None),
        ];
        let t = threads(&comments);
        let shape: Vec<(usize, Vec<usize>)> =
            t.iter().map(|t| (t.root, t.messages.clone())).collect();
        assert_eq!(shape, vec![(0, vec![0, 1, 2]), (3, vec![3]), (4, vec![4])]);
    }

    #[test]
    fn test_reasons_follow_the_documented_order() {
        let me = MemberId::new("m-luong");
        let mut comments = vec![meta("a", "m-luong", None), meta("b", "m-viet", Some("a"))];
        let t = &threads(&comments)[0];
        assert_eq!(reason(&comments, t, &me, None), Some(ThreadReason::Reply));
        // My own answer last: nothing waits for me.
        comments.push(meta("c", "m-luong", Some("b")));
        let t = &threads(&comments)[0];
        assert_eq!(reason(&comments, t, &me, None), None);
        // Someone else's thread on my document.
        let others = vec![meta("x", "m-hoa", None)];
        let t = &threads(&others)[0];
        assert_eq!(
            reason(&others, t, &me, Some(&me)),
            Some(ThreadReason::OnMyDocument)
        );
        assert_eq!(reason(&others, t, &me, None), None);
        // My proposal decided, even resolved.
        let mut p = meta("p", "m-luong", None);
        p.kind = CommentKind::Proposal;
        p.status = Some(ProposalStatus::Accepted);
        p.resolved = true;
        let decided = vec![p];
        let t = &threads(&decided)[0];
        assert_eq!(
            reason(&decided, t, &me, None),
            Some(ThreadReason::ProposalDecided(ProposalStatus::Accepted))
        );
    }
}
