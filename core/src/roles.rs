//! Who may do what — the rules of `docs/roles.md`, in one place that the phone asks before it
//! writes and the server asks before it stores (a phone can be modified; the server cannot be
//! talked around).
//!
//! Every branch member co-authors the plan (topics, texts) and comments; the rules below are
//! the exceptions. Approval rules (who approves which kind) live in
//! [`crate::approval::required_roles`].

use crate::ids::CommentId;
use crate::model::Document;
use crate::model::plan::{self, AnnualPlan};
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

/// Whether the plan's metadata differs between two versions.
pub fn plan_metadata_changed(before: &AnnualPlan, after: &AnnualPlan) -> bool {
    before.number != after.number
        || before.issue_date != after.issue_date
        || before.legal_bases != after.legal_bases
}

/// Checks what a push did to a document, comparing it before (`None`: a new document) and
/// after: the server's gate. `member`/`role` are the pusher's.
pub fn check_push(
    doc: &Document,
    before: Option<&[automerge::ChangeHash]>,
    member: &str,
    role: Role,
) -> Result<()> {
    use crate::ids::DocKind;
    match doc.kind() {
        DocKind::AnnualPlan => {
            let after = plan::get(doc)?;
            match before {
                None => check_create_plan(role),
                Some(heads) => {
                    let before = plan::get_at(doc, heads)?;
                    if plan_metadata_changed(&before, &after) {
                        check_plan_metadata(role)
                    } else {
                        Ok(())
                    }
                }
            }
        }
        DocKind::TopicDraft | DocKind::Material => {
            let after = text_doc::raw_comments(doc, None)?;
            let before = match before {
                Some(heads) => text_doc::raw_comments(doc, Some(heads))?,
                None => Default::default(),
            };
            check_comments(&before, &after, member, role)
        }
    }
}

/// Comment rules: a new comment names its writer as author; only the author changes what
/// they wrote (or deletes it); resolving a thread or deciding a proposal is for the author or
/// a moderator.
fn check_comments(
    before: &std::collections::BTreeMap<CommentId, RawComment>,
    after: &std::collections::BTreeMap<CommentId, RawComment>,
    member: &str,
    role: Role,
) -> Result<()> {
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
