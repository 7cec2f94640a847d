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

/// A plan's metadata: number, issue date, legal bases.
type PlanMeta = (String, Option<crate::date::Date>, Vec<plan::LegalBasis>);

fn plan_meta(doc: &Document) -> Result<PlanMeta> {
    let p = plan::get(doc)?;
    Ok((p.number, p.issue_date, p.legal_bases))
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
    },
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
                Snapshot::Comments { ids, before }
            }
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
        (DocKind::TopicDraft | DocKind::Material, Some(Snapshot::Comments { ids, before })) => {
            check_comments(before, &text_doc::raw_comments_of(doc, ids)?, member, role)
        }
        _ => Err(Error::InvalidDocument(
            "the document changed kind during a push".into(),
        )),
    }
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
