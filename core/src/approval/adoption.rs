//! Minutes adopted by signatures ("thông qua biên bản"; chữ ký chủ trì và thư ký).
//!
//! Minutes are not approved by an office but adopted by two people: the chair and the clerk
//! the minutes themselves name. Each signs the exact version with an ordinary `Approve`
//! sign-off ([`super::record`]); [`super::check_document`] refuses a signer who is neither
//! the chair nor the clerk named at the signed version. The minutes are adopted at a version
//! once both have signed that same version; later edits then show as changes since adoption,
//! exactly like an approved plan.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use super::delta::{Delta, delta};
use super::record::{Signoff, SignoffAction, SignoffId};
use super::rules::{Authority, check_document, verify};
use crate::ids::MemberId;
use crate::model::{Document, session};

/// Where minutes stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Adoption {
    /// Nobody has signed.
    NotSigned,
    /// One of the two signed; the other has not signed that version yet.
    PartlySigned {
        /// The valid signature(s) of the newest signed version.
        signed: Vec<Signoff>,
        /// Who still has to sign it (chair and/or clerk named at that version).
        awaiting: Vec<MemberId>,
    },
    /// Both signed this version, and nothing changed since.
    Adopted {
        /// The chair's signature.
        chair: Box<Signoff>,
        /// The clerk's signature.
        clerk: Box<Signoff>,
    },
    /// Both signed a version; the minutes changed since.
    AdoptedWithChanges {
        /// The chair's signature.
        chair: Box<Signoff>,
        /// The clerk's signature.
        clerk: Box<Signoff>,
        /// What changed since.
        delta: Option<Box<Delta>>,
    },
}

impl Adoption {
    /// Adopted (with or without later changes).
    pub fn is_adopted(&self) -> bool {
        matches!(
            self,
            Adoption::Adopted { .. } | Adoption::AdoptedWithChanges { .. }
        )
    }
}

/// Computes the adoption of session `doc` from the sign-offs known, checked against
/// `authority`. Invalid records are ignored (they can never adopt minutes).
pub fn adoption(doc: &mut Document, signoffs: &[Signoff], authority: &dyn Authority) -> Adoption {
    // Valid approvals of this document, grouped by the version they sign.
    let mut by_version: BTreeMap<Vec<ChangeHash>, Vec<&Signoff>> = BTreeMap::new();
    for s in signoffs
        .iter()
        .filter(|s| &s.doc_id == doc.id() && s.action == SignoffAction::Approve)
    {
        if verify(s, authority).is_ok() && check_document(s, doc).is_ok() {
            by_version.entry(s.change_hashes()).or_default().push(s);
        }
    }
    // Which version is the newest: the one holding more of the history (a version made after
    // another holds all of it and more), whatever the signing phones' clocks said; between
    // concurrent versions, the newer signature, then the sign-off id, so every phone agrees.
    let total = doc.changes_after(&[]).map(|c| c.len()).unwrap_or(0);
    let newest = |list: &[&Signoff]| list.iter().map(|s| (s.signed_at, s.id())).max();
    type Key = (usize, Option<(i64, SignoffId)>);
    let mut adopted: Option<(Key, Vec<ChangeHash>, Signoff, Signoff)> = None;
    let mut partial: Option<(Key, Vec<ChangeHash>, Vec<&Signoff>)> = None;
    for (heads, list) in &by_version {
        let Ok((chair, clerk)) = session::signers_at(doc, heads) else {
            continue;
        };
        let held = doc
            .changes_after(heads)
            .map(|after| total.saturating_sub(after.len()))
            .unwrap_or(0);
        let pick = |who: &Option<MemberId>| {
            who.as_ref().and_then(|m| {
                list.iter()
                    .filter(|s| &s.signer == m)
                    .max_by_key(|s| (s.signed_at, s.id()))
            })
        };
        match (pick(&chair), pick(&clerk)) {
            (Some(a), Some(b)) if chair != clerk => {
                let key = (held, newest(&[*a, *b]));
                if adopted.as_ref().is_none_or(|(k, ..)| *k < key) {
                    adopted = Some((key, heads.clone(), (*a).clone(), (*b).clone()));
                }
            }
            _ => {
                let key = (held, newest(list));
                if partial.as_ref().is_none_or(|(k, ..)| *k < key) {
                    partial = Some((key, heads.clone(), list.clone()));
                }
            }
        }
    }
    if let Some((_, heads, chair, clerk)) = adopted {
        let mut current = doc.heads();
        current.sort_unstable();
        let unchanged = current == heads
            || doc
                .changes_after(&heads)
                .map(|c| c.is_empty())
                .unwrap_or(false);
        // Changes that alter no part of the minutes — progress posted on a task — leave
        // them adopted as signed.
        let changed = if unchanged {
            None
        } else {
            match delta(doc, &heads, None) {
                Ok(d) if d.is_empty() => None,
                other => Some(other.ok().map(Box::new)),
            }
        };
        return match changed {
            None => Adoption::Adopted {
                chair: Box::new(chair),
                clerk: Box::new(clerk),
            },
            Some(delta) => Adoption::AdoptedWithChanges {
                delta,
                chair: Box::new(chair),
                clerk: Box::new(clerk),
            },
        };
    }
    match partial {
        None => Adoption::NotSigned,
        Some((_, heads, list)) => {
            let (chair, clerk) = session::signers_at(doc, &heads).unwrap_or((None, None));
            let awaiting = [chair, clerk]
                .into_iter()
                .flatten()
                .filter(|m| !list.iter().any(|s| &s.signer == m))
                .collect();
            Adoption::PartlySigned {
                signed: list.into_iter().cloned().collect(),
                awaiting,
            }
        }
    }
}
