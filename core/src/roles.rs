//! Who may do what — the rules of `docs/roles.md`, in one place that the phone asks before it
//! writes and the server asks before it stores (a phone can be modified; the server cannot be
//! talked around).
//!
//! Every branch member co-authors the plan (topics, texts) and comments; the rules below are
//! the exceptions. Approval rules (who approves which kind) live in
//! [`crate::approval::required_roles`].

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::CommentId;
use crate::model::plan;
use crate::model::{DecodedChange, Document};

use crate::model::session::{self, RawSession};
use crate::model::text_doc::{self, RawComment};
use crate::org::Role;
use crate::{Error, Result};

/// Roles that may create a branch's annual plan: the officers who draft it.
pub const PLAN_CREATORS: &[Role] = &[Role::Secretary, Role::DeputySecretary, Role::Executive];

/// Roles that may set a plan's official metadata: number, issue date, legal bases (căn cứ) —
/// what the signed document carries above the secretary's signature.
pub const PLAN_METADATA_EDITORS: &[Role] = &[Role::Secretary, Role::DeputySecretary];

/// Roles that may resolve another member's comment thread or decide a proposal's status
/// (besides its author): the officers who follow proposals into resolutions.
pub const COMMENT_MODERATORS: &[Role] = &[Role::Secretary, Role::DeputySecretary, Role::Executive];

/// Roles that may create a session and name its chair and clerk: the officers.
pub const SESSION_OFFICERS: &[Role] = &[Role::Secretary, Role::DeputySecretary, Role::Executive];

/// Roles that may publish a draft or material to the branch: those who approve drafts
/// (HD 12: "approved by the branch executive or the secretary, then sent to all members").
pub const DISTRIBUTORS: &[Role] = &[Role::Secretary, Role::Executive];

fn refuse(what: &str, allowed: &[Role], role: Role) -> Error {
    Error::NotPermitted(format!(
        "{what} needs the role {}; you hold {}",
        allowed
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
        role.as_str()
    ))
}

/// Checks that `role` may create a plan.
pub fn check_create_plan(role: Role) -> Result<()> {
    if PLAN_CREATORS.contains(&role) {
        Ok(())
    } else {
        Err(refuse("creating an annual plan", PLAN_CREATORS, role))
    }
}

/// Checks that `role` may set plan metadata (number, issue date, legal bases).
pub fn check_plan_metadata(role: Role) -> Result<()> {
    if PLAN_METADATA_EDITORS.contains(&role) {
        Ok(())
    } else {
        Err(refuse(
            "changing the plan's number, issue date or legal bases",
            PLAN_METADATA_EDITORS,
            role,
        ))
    }
}

/// Checks that `member` (holding `role`) may resolve or decide comment `c` written by
/// `author`.
pub fn check_moderate(role: Role, member: &str, author: &str) -> Result<()> {
    if member == author || COMMENT_MODERATORS.contains(&role) {
        Ok(())
    } else {
        Err(refuse(
            "resolving another member's comment or deciding a proposal",
            COMMENT_MODERATORS,
            role,
        ))
    }
}

/// Checks that `role` may create a session or name its chair and clerk.
pub fn check_session_officers(role: Role) -> Result<()> {
    if SESSION_OFFICERS.contains(&role) {
        Ok(())
    } else {
        Err(refuse(
            "creating a session or naming its chair and clerk",
            SESSION_OFFICERS,
            role,
        ))
    }
}

/// Checks that `role` may publish materials.
pub fn check_publish(role: Role) -> Result<()> {
    if DISTRIBUTORS.contains(&role) {
        Ok(())
    } else {
        Err(refuse("publishing a draft or material", DISTRIBUTORS, role))
    }
}

/// Checks that `member` may write the minutes: an officer, or the chair or clerk the session
/// names (`chair_clerk`, as they stood before the edit).
pub fn check_minutes(role: Role, member: &str, chair_clerk: (&str, &str)) -> Result<()> {
    if SESSION_OFFICERS.contains(&role) || member == chair_clerk.0 || member == chair_clerk.1 {
        Ok(())
    } else {
        Err(Error::NotPermitted(format!(
            "writing the minutes is for the session's chair or clerk, or an officer ({}); you hold {}",
            SESSION_OFFICERS
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            role.as_str()
        )))
    }
}

/// Checks that `member` may post progress on a task owned by `owner`.
pub fn check_task_update(role: Role, member: &str, owner: &str) -> Result<()> {
    if member == owner || SESSION_OFFICERS.contains(&role) {
        Ok(())
    } else {
        Err(Error::NotPermitted(format!(
            "only the task's owner ({owner}) or an officer may update it"
        )))
    }
}

/// Checks that `member` may write reading log `doc` (only their own).
pub fn check_reading_log(doc: &Document, member: &str) -> Result<()> {
    use crate::ids::{BranchId, MemberId};
    use crate::model::reading_log;
    let owner = reading_log::owner(doc);
    let expected = doc
        .branch_id()
        .map(|b: BranchId| reading_log::id_for(&b, &MemberId::new(member)));
    if owner.as_ref().map(|m| m.as_str()) == Some(member) && expected.as_ref() == Some(doc.id()) {
        Ok(())
    } else {
        Err(Error::NotPermitted(format!(
            "reading log {} is not {member}'s: members cannot write another member's receipts",
            doc.id()
        )))
    }
}

/// A plan's metadata: number, issue date, legal bases, distribution lead days.
type PlanMeta = (
    String,
    Option<crate::date::Date>,
    Vec<plan::LegalBasis>,
    u32,
);

fn plan_meta(doc: &Document) -> Result<PlanMeta> {
    let p = plan::get(doc)?;
    Ok((
        p.number,
        p.issue_date,
        p.legal_bases,
        plan::distribution_lead_days(doc),
    ))
}

/// What the role rules compare before and after a push: a plan's metadata, or the raw
/// fields of the comments the push writes to. Taken with current reads before the push is
/// applied — reading at old heads instead makes Automerge rebuild a clock for every key read,
/// and reading every comment costs the server milliseconds per push on a busy draft.
#[derive(Clone, Debug, PartialEq)]
pub enum Snapshot {
    /// A plan's metadata.
    Plan(Box<PlanMeta>),
    /// The comments the push touches, and their fields before it.
    Comments {
        /// Comments the push's operations write to.
        ids: BTreeSet<CommentId>,
        /// Their fields before the push (absent: new).
        before: BTreeMap<CommentId, RawComment>,
        /// The attachment keys before the push (attachments are never removed).
        attachments: BTreeSet<String>,
    },
    /// A session's fields.
    Session(Box<RawSession>),
    /// A reading log (only its owner writes it; nothing to compare).
    ReadingLog,
}

impl Snapshot {
    /// The document before `changes` are applied to it.
    pub fn before_push(doc: &Document, changes: &[DecodedChange]) -> Result<Snapshot> {
        use crate::ids::DocKind;
        Ok(match doc.kind() {
            DocKind::AnnualPlan => Snapshot::Plan(Box::new(plan_meta(doc)?)),
            DocKind::TopicDraft | DocKind::Material => {
                let ids = text_doc::comments_touched_by(doc, changes)?;
                let before = text_doc::raw_comments_of(doc, &ids)?;
                Snapshot::Comments {
                    ids,
                    before,
                    attachments: attachment_keys(doc),
                }
            }
            DocKind::Session => Snapshot::Session(Box::new(session::raw(doc)?)),
            DocKind::ReadingLog => Snapshot::ReadingLog,
        })
    }
}

/// Checks what a push did to a document: `before` is its [`Snapshot`] taken before the push
/// (`None`: a new document), `doc` the document after. The server's gate; `member`/`role`
/// are the pusher's.
pub fn check_push(
    doc: &Document,
    before: Option<&Snapshot>,
    member: &str,
    role: Role,
) -> Result<()> {
    use crate::ids::DocKind;
    if doc.kind().is_text() {
        // Who attached each file is who wrote its entry; nobody rewrites another's.
        text_doc::check_attachments(doc)?;
    }
    match (doc.kind(), before) {
        (DocKind::AnnualPlan, None) => check_create_plan(role),
        (DocKind::AnnualPlan, Some(Snapshot::Plan(b))) => {
            if plan_meta(doc)? != **b {
                check_plan_metadata(role)
            } else {
                Ok(())
            }
        }
        (DocKind::TopicDraft | DocKind::Material, None) => check_comments(
            &BTreeMap::new(),
            &text_doc::raw_comments(doc)?,
            member,
            role,
        ),
        (
            DocKind::TopicDraft | DocKind::Material,
            Some(Snapshot::Comments {
                ids,
                before,
                attachments,
            }),
        ) => {
            let now = attachment_keys(doc);
            if let Some(gone) = attachments.iter().find(|k| !now.contains(*k)) {
                return Err(Error::NotPermitted(format!(
                    "{gone} may not be removed: attachments stay with the material"
                )));
            }
            check_comments(before, &text_doc::raw_comments_of(doc, ids)?, member, role)
        }
        // A new session: created by an officer, and everything its first push already
        // holds (a modified phone can push a session published, or with task updates, from
        // its first change) is checked as a change from an empty session.
        (DocKind::Session, None) => {
            check_session_officers(role)?;
            check_session(&empty_session(), &session::raw(doc)?, member, role)
        }
        (DocKind::Session, Some(Snapshot::Session(b))) => {
            check_session(b, &session::raw(doc)?, member, role)
        }
        (DocKind::ReadingLog, _) => check_reading_log(doc, member),
        _ => Err(Error::InvalidDocument(
            "the document changed kind during a push".into(),
        )),
    }
}

/// What a session is compared with when its first push arrives: nothing at all.
fn empty_session() -> RawSession {
    RawSession {
        minutes: BTreeMap::new(),
        officers: (String::new(), String::new()),
        distribution: BTreeMap::new(),
        tasks: BTreeMap::new(),
        updates: BTreeMap::new(),
        texts: Vec::new(),
    }
}

/// The root keys of a draft's or material's attachments.
fn attachment_keys(doc: &Document) -> BTreeSet<String> {
    doc.view()
        .keys(&automerge::ROOT)
        .into_iter()
        .filter(|k| k.starts_with(text_doc::ATTACHMENT_KEY_PREFIX))
        .collect()
}

/// Session rules: chair and clerk are named by officers; publishing is for distributors;
/// the minutes and tasks are written by officers or the chair and clerk named before the
/// push; a task update is posted by the task's owner or an officer, in their own name, and
/// never changed afterwards.
fn check_session(b: &RawSession, a: &RawSession, member: &str, role: Role) -> Result<()> {
    if a.officers != b.officers {
        check_session_officers(role)?;
    }
    if a.distribution != b.distribution {
        check_publish(role)?;
    }
    if a.minutes != b.minutes || a.texts != b.texts || a.tasks != b.tasks {
        check_minutes(role, member, (&b.officers.0, &b.officers.1))?;
    }
    for (task, updates) in &a.updates {
        let before = b.updates.get(task);
        for (id, u) in updates {
            match before.and_then(|m| m.get(id)) {
                Some(old) if old == u => {}
                Some(_) => {
                    return Err(Error::NotPermitted(format!(
                        "task update {id} may not be changed once posted"
                    )));
                }
                None => {
                    if u.first().map(String::as_str) != Some(member) {
                        return Err(Error::NotPermitted(format!(
                            "task update {id} names another member as its author"
                        )));
                    }
                    let owner = a.tasks.get(task).and_then(|t| t.get(1)).map(String::as_str);
                    check_task_update(role, member, owner.unwrap_or_default())?;
                }
            }
        }
    }
    for (task, updates) in &b.updates {
        let after = a.updates.get(task);
        if updates
            .keys()
            .any(|id| after.is_none_or(|m| !m.contains_key(id)))
        {
            return Err(Error::NotPermitted(format!(
                "updates of task {task} may not be removed"
            )));
        }
    }
    Ok(())
}

/// Comment rules: a new comment names its writer as author; only the author changes what
/// they wrote (or deletes it); resolving a thread or deciding a proposal is for the author or
/// a moderator.
fn check_comments(
    before: &BTreeMap<CommentId, RawComment>,
    after: &BTreeMap<CommentId, RawComment>,
    member: &str,
    role: Role,
) -> Result<()> {
    // Comments are never removed from the map (a deletion is a tombstone by the author).
    if let Some((id, _)) = before.iter().find(|(id, _)| !after.contains_key(*id)) {
        return Err(Error::NotPermitted(format!(
            "comment {id} may not be removed"
        )));
    }
    for (id, a) in after {
        match before.get(id) {
            None => {
                if a.author != member {
                    return Err(Error::NotPermitted(format!(
                        "comment {id} names another member as its author"
                    )));
                }
            }
            Some(b) => {
                if b.author != a.author || b.authored != a.authored {
                    if b.author != member {
                        return Err(Error::NotAuthor {
                            comment: id.to_string(),
                            action: "change another member's comment",
                        });
                    }
                    if a.author != b.author {
                        return Err(Error::NotPermitted(format!(
                            "comment {id}'s author cannot change"
                        )));
                    }
                }
                if b.resolved != a.resolved || b.status != a.status {
                    check_moderate(role, member, &b.author)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::blob::BlobHash;
    use crate::ids::{BranchId, DocKind, MemberId};
    use crate::model::Editor;
    use crate::model::text_doc::{NewAttachment, NewTextDoc, add_attachment};
    use automerge::transaction::Transactable;

    #[test]
    fn test_an_attachment_removed_by_a_push_is_refused() {
        let ed = Editor {
            member: MemberId::new("m-viet"),
            time: 1,
        };
        let mut doc = text_doc::create(
            &NewTextDoc {
                kind: DocKind::Material,
                branch_id: BranchId::new("b1"),
                plan_id: None,
                topic_id: None,
                title: "Tài liệu".into(),
                description: String::new(),
                body: String::new(),
            },
            &ed,
        )
        .unwrap();
        let sha = BlobHash::of(b"%PDF-1.7");
        add_attachment(
            &mut doc,
            &ed,
            &NewAttachment {
                sha256: sha,
                name: "quy-trinh.pdf".into(),
                mime: "application/pdf".into(),
                size: 8,
            },
        )
        .unwrap();
        let before = Snapshot::before_push(&doc, &[]).unwrap();
        // An unrelated edit passes.
        check_push(&doc, Some(&before), "m-viet", Role::Member).unwrap();
        // A crafted deletion of the entry is refused, whoever pushes it.
        let key = format!("{}{}", text_doc::ATTACHMENT_KEY_PREFIX, sha.to_hex());
        doc.transact(&ed, "forged", |d| {
            d.delete(automerge::ROOT, key.as_str())?;
            Ok(())
        })
        .unwrap();
        for role in [Role::Member, Role::Secretary] {
            let e = check_push(&doc, Some(&before), "m-viet", role).unwrap_err();
            assert!(matches!(e, Error::NotPermitted(_)), "{e:?}");
        }
    }
}
