//! Where a document stands: not submitted, submitted, approved, approved and changed since,
//! or carrying an approval that does not verify.
//!
//! # Which approval is current
//!
//! Records reach phones in any order, and two officers (the secretary and, with delegation,
//! the deputy) may approve on two phones offline. The rule, the same on every device:
//!
//! 1. Only `Approve` records whose `doc_id` is this document's take part. Each is checked
//!    ([`verify`] then [`check_document`]). Records with the same id are one record (the
//!    first that verifies is kept).
//! 2. `B.supersedes = A` counts only when B verifies: a forged or unauthorised record can
//!    never hide a genuine approval. A record superseded by a counted link is not a tip.
//! 3. The newest record is the tip with the greatest `(signed_at, id)` — `supersedes` wins
//!    over clocks (an approval signed on a phone whose clock runs late still replaces the one
//!    it names), and among concurrent tips the later device time wins, ties broken by id,
//!    so every phone picks the same one.
//! 4. If the newest record verifies, it is the current approval. If not, the status is
//!    [`Status::Invalid`] with the reason and `last_valid` = the greatest valid tip (what
//!    the current approval would be without the invalid records). The next approval should
//!    name the newest record (valid or not, [`Status::newest_approval_id`]) in `supersedes`,
//!    which retires it.
//!
//! # Approved or changed
//!
//! The current approval's heads and the document's heads are compared as sets; if they
//! differ, the document still counts as approved when it holds no change outside the
//! approved heads' history (the record named redundant heads). Otherwise the delta from the
//! approved version to the current one is attached.
//!
//! # Submitted
//!
//! A `Submit` needs a verified signer of the branch (no role) and the right document. It is
//! pending when some of its heads are outside the current approval's history (it asks about
//! changes the approval did not cover) — by heads, not by clocks, so a submission answered
//! by a later approval of the same version never shows as pending, whatever the phones'
//! clocks say. The newest pending one, by `(signed_at, id)`, is shown. A pending submission
//! takes precedence over "approved with changes": the officer has been asked to look.

use std::collections::{HashMap, HashSet};

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use super::delta::{Delta, delta};
use super::record::{Signoff, SignoffAction, SignoffId};
use super::rules::{Authority, Invalid, check_document, check_identity, verify};
use crate::ids::MemberId;
use crate::model::Document;

/// Where a document stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No approval and no pending submission.
    NotSubmitted,
    /// A member asked for approval of a version no valid approval covers.
    Submitted {
        /// Who submitted.
        by: MemberId,
        /// When (device clock).
        at: i64,
        /// The submission.
        submission: Box<Signoff>,
        /// The current approval, if there is one (diff from it to the submission's heads).
        previous: Option<Box<Signoff>>,
    },
    /// The document is exactly the approved version.
    Approved {
        /// The current approval.
        approval: Box<Signoff>,
    },
    /// Approved, and changed since.
    ApprovedWithChanges {
        /// The current approval.
        approval: Box<Signoff>,
        /// What changed since; `None` if the document could not be read at one of the two
        /// versions (a damaged document), which does not void the approval.
        delta: Option<Box<Delta>>,
    },
    /// The newest approval record does not verify.
    Invalid {
        /// The newest approval record.
        approval: Box<Signoff>,
        /// Why it does not count.
        reason: Invalid,
        /// The newest approval that does verify, if any.
        last_valid: Option<Box<Signoff>>,
    },
}

/// Which of the five states a [`Status`] is, without its records: what a list shows, what
/// JSON names (`"approved_with_changes"`), what a label is for ([`crate::labels`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// [`Status::NotSubmitted`].
    NotSubmitted,
    /// [`Status::Submitted`].
    Submitted,
    /// [`Status::Approved`].
    Approved,
    /// [`Status::ApprovedWithChanges`].
    ApprovedWithChanges,
    /// [`Status::Invalid`].
    Invalid,
}

impl StatusKind {
    /// Every kind, from "nothing yet" to "approved", then "invalid".
    pub const ALL: [StatusKind; 5] = [
        StatusKind::NotSubmitted,
        StatusKind::Submitted,
        StatusKind::Approved,
        StatusKind::ApprovedWithChanges,
        StatusKind::Invalid,
    ];

    /// The code name ("approved_with_changes").
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::NotSubmitted => "not_submitted",
            StatusKind::Submitted => "submitted",
            StatusKind::Approved => "approved",
            StatusKind::ApprovedWithChanges => "approved_with_changes",
            StatusKind::Invalid => "invalid",
        }
    }
}

impl Status {
    /// Which state this is.
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::NotSubmitted => StatusKind::NotSubmitted,
            Status::Submitted { .. } => StatusKind::Submitted,
            Status::Approved { .. } => StatusKind::Approved,
            Status::ApprovedWithChanges { .. } => StatusKind::ApprovedWithChanges,
            Status::Invalid { .. } => StatusKind::Invalid,
        }
    }

    /// The id the next approval should name in `supersedes`: the newest approval record of
    /// the document, valid or not (an approval of an invalid record retires it).
    pub fn newest_approval_id(&self) -> Option<SignoffId> {
        match self {
            Status::NotSubmitted => None,
            Status::Submitted { previous, .. } => previous.as_ref().map(|s| s.id()),
            Status::Approved { approval }
            | Status::ApprovedWithChanges { approval, .. }
            | Status::Invalid { approval, .. } => Some(approval.id()),
        }
    }

    /// The approval in force (the current one, or the last valid one under an invalid
    /// newest record).
    pub fn approval_in_force(&self) -> Option<&Signoff> {
        match self {
            Status::NotSubmitted => None,
            Status::Submitted { previous, .. } => previous.as_deref(),
            Status::Approved { approval } | Status::ApprovedWithChanges { approval, .. } => {
                Some(approval)
            }
            Status::Invalid { last_valid, .. } => last_valid.as_deref(),
        }
    }
}

/// One approval record with its id and verdict.
struct Checked<'a> {
    record: &'a Signoff,
    id: SignoffId,
    verdict: Result<(), Invalid>,
}

/// The status of `doc` given every sign-off this device holds (any documents: records of
/// other documents are ignored) and what it knows of the directory. See the module docs for
/// the rules.
pub fn status(doc: &mut Document, signoffs: &[Signoff], authority: &dyn Authority) -> Status {
    let mine: Vec<&Signoff> = signoffs.iter().filter(|s| &s.doc_id == doc.id()).collect();
    let approvals = dedup(
        mine.iter()
            .filter(|s| s.action == SignoffAction::Approve)
            .map(|s| Checked {
                record: s,
                id: s.id(),
                verdict: verify(s, authority).and_then(|()| check_document(s, doc)),
            }),
    );
    let (newest, last_valid) = pick(&approvals);
    if let Some(newest) = newest {
        if let Err(reason) = &newest.verdict {
            return Status::Invalid {
                approval: Box::new(newest.record.clone()),
                reason: reason.clone(),
                last_valid: last_valid.map(|c| Box::new(c.record.clone())),
            };
        }
    }
    let current = last_valid;

    // Changes outside the approved history (None: no approval, everything is outside).
    let mut outside: Option<HashSet<ChangeHash>> = None;
    let mut exact = false;
    if let Some(a) = current {
        let approved = a.record.change_hashes();
        let mut heads = doc.heads();
        heads.sort_unstable();
        if heads == approved {
            exact = true;
            outside = Some(HashSet::new());
        } else if let Ok(after) = doc.changes_after(&approved) {
            let after: HashSet<ChangeHash> = after.into_iter().map(|(h, _)| h).collect();
            exact = after.is_empty();
            outside = Some(after);
        }
        // (An unreadable history — Automerge panicked — leaves the document "changed since"
        // and every valid submission pending: the conservative reading.)
    }

    let submissions = dedup(
        mine.iter()
            .filter(|s| s.action == SignoffAction::Submit)
            .map(|s| Checked {
                record: s,
                id: s.id(),
                verdict: verify(s, authority).and_then(|()| check_identity(s, doc)),
            }),
    );
    let pending = submissions
        .iter()
        .filter(|c| c.verdict.is_ok())
        .filter(|c| match &outside {
            None => true,
            Some(after) => {
                let heads = c.record.change_hashes();
                !doc.has_all(&heads) || heads.iter().any(|h| after.contains(h))
            }
        })
        .max_by(|a, b| (a.record.signed_at, &a.id).cmp(&(b.record.signed_at, &b.id)));
    if let Some(p) = pending {
        return Status::Submitted {
            by: p.record.signer.clone(),
            at: p.record.signed_at,
            submission: Box::new(p.record.clone()),
            previous: current.map(|c| Box::new(c.record.clone())),
        };
    }
    match current {
        None => Status::NotSubmitted,
        Some(a) if exact => Status::Approved {
            approval: Box::new(a.record.clone()),
        },
        Some(a) => Status::ApprovedWithChanges {
            approval: Box::new(a.record.clone()),
            delta: delta(doc, &a.record.change_hashes(), None)
                .ok()
                .map(Box::new),
        },
    }
}

/// One entry per id, keeping a verified one when the same id comes more than once.
fn dedup<'a>(checked: impl Iterator<Item = Checked<'a>>) -> Vec<Checked<'a>> {
    let mut by_id: HashMap<SignoffId, Checked<'a>> = HashMap::new();
    for c in checked {
        match by_id.get(&c.id) {
            Some(existing) if existing.verdict.is_ok() || c.verdict.is_err() => {}
            _ => {
                by_id.insert(c.id.clone(), c);
            }
        }
    }
    by_id.into_values().collect()
}

/// (the newest approval record, the newest valid one) by the module's rule.
fn pick<'c, 'a>(
    approvals: &'c [Checked<'a>],
) -> (Option<&'c Checked<'a>>, Option<&'c Checked<'a>>) {
    let superseded: HashSet<&SignoffId> = approvals
        .iter()
        .filter(|c| c.verdict.is_ok())
        .filter_map(|c| c.record.supersedes.as_ref())
        .filter(|target| {
            // A record naming itself is impossible (its id hashes its own supersedes field);
            // guard anyway so a tip always exists.
            approvals.iter().any(|c| &c.id == *target)
        })
        .collect();
    let key = |c: &&Checked<'_>| (c.record.signed_at, c.id.clone());
    let tips: Vec<&Checked<'_>> = approvals
        .iter()
        .filter(|c| !superseded.contains(&c.id))
        .collect();
    let tips = if tips.is_empty() {
        // A supersedes cycle (needs a hash collision): fall back to every record.
        approvals.iter().collect()
    } else {
        tips
    };
    let newest = tips.iter().copied().max_by_key(key);
    let last_valid = tips
        .iter()
        .copied()
        .filter(|c| c.verdict.is_ok())
        .max_by_key(key);
    (newest, last_valid)
}
