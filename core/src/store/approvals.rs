//! Sign-offs on the phone: submitting a version for approval, approving it (signed here with
//! the device key, offline), the synced member directory they are verified against, and the
//! status of each plan and draft.
//!
//! Why the directory is stored verbatim: it is signed by the server, and a phone must check
//! every approval without the server. Keeping the exact bytes lets it re-check the server's
//! signature whenever it reads them, so a directory edited on the phone (to make a forged
//! approval look valid) is caught.

use automerge::ChangeHash;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, db};
use crate::approval::{
    self, Delta, NotReady, Signoff, SignoffAction, SignoffFields, SignoffId, Status, required_roles,
};
use crate::ids::{DocId, DocKind, MemberId};
use crate::model::{Document, now_unix};
use crate::org::Role;
use crate::protocol::{Directory, SignoffRefusal};
use crate::{Error, Result};

const NO_DIRECTORY: &str = "this phone has no member directory yet: sync once before signing";

/// Something that stands in the way of this member approving a document now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApproveBlocker {
    /// This device is not enrolled: approvals are signed with an enrolled device's key.
    NotEnrolled,
    /// No member directory has been synced yet (sync once): roles cannot be checked.
    NoDirectory,
    /// This member does not belong to the document's branch (per the directory, now).
    NotInBranch,
    /// This member's role does not approve documents of this kind.
    WrongRole {
        /// The role held.
        held: Role,
        /// The roles that may approve it (delegation considered).
        needed: Vec<Role>,
    },
    /// The current version is not ready: unresolved conflicts or missing fields, all listed.
    NotReady(NotReady),
    /// Minutes are adopted by the chair and the clerk they name (two different members);
    /// this member is neither, or the minutes do not name both yet.
    NotChairOrClerk,
}

impl ApproveBlocker {
    /// The error [`Store::approve`] returns for this blocker.
    fn to_error(&self, doc_id: &DocId, kind: DocKind) -> Error {
        match self {
            ApproveBlocker::NotEnrolled => Error::NotEnrolled,
            ApproveBlocker::NoDirectory => Error::NotPermitted(NO_DIRECTORY.into()),
            ApproveBlocker::NotInBranch => {
                Error::NotPermitted(format!("you are not a member of the branch of {doc_id}"))
            }
            ApproveBlocker::WrongRole { held, needed } => Error::NotPermitted(format!(
                "approving a {kind} needs the role {}; you hold {}",
                needed
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
                held.as_str()
            )),
            ApproveBlocker::NotReady(n) => Error::NotReady(n.to_string()),
            ApproveBlocker::NotChairOrClerk => Error::NotPermitted(
                "minutes are adopted by the chair and the clerk they name, two different members"
                    .into(),
            ),
        }
    }
}

/// Whether this member may approve a document now (see [`Store::can_approve`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRights {
    /// The document.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// This member's role in the document's branch now, if they belong to it.
    pub role: Option<Role>,
    /// The roles that may approve it now.
    pub required_roles: Vec<Role>,
    /// The branch has delegated plan approval to its deputy secretary (now).
    pub deputy_delegated: bool,
    /// Everything in the way, in the order [`Store::approve`] checks them; empty when
    /// approving now would be accepted.
    pub blockers: Vec<ApproveBlocker>,
}

impl ApprovalRights {
    /// Approving the current version now would be accepted.
    pub fn can_approve(&self) -> bool {
        self.blockers.is_empty()
    }

    /// This member holds the authority to approve this document (enrolled, directory synced,
    /// branch and role), readiness aside: show the approve action, with what blocks it.
    pub fn has_authority(&self) -> bool {
        self.blockers
            .iter()
            .all(|b| matches!(b, ApproveBlocker::NotReady(_)))
    }
}

/// [`Store::can_approve`]'s rules over what the store read: the member (`None`: not
/// enrolled), the directory (`None`: not synced yet) and the document, at time `now`.
fn approval_rights(
    me: Option<&MemberId>,
    dir: Option<&Directory>,
    doc: &Document,
    now: i64,
) -> ApprovalRights {
    let kind = doc.kind();
    let branch = doc.branch_id();
    let deputy_delegated = match (dir, &branch) {
        (Some(d), Some(b)) => approval::Authority::deputy_approves_plans(d, b, now),
        _ => false,
    };
    let needed = required_roles(kind, deputy_delegated).to_vec();
    let mut rights = ApprovalRights {
        doc_id: doc.id().clone(),
        kind,
        role: None,
        required_roles: needed.clone(),
        deputy_delegated,
        blockers: Vec::new(),
    };
    match (me, dir) {
        (None, _) => rights.blockers.push(ApproveBlocker::NotEnrolled),
        (Some(_), None) => rights.blockers.push(ApproveBlocker::NoDirectory),
        (Some(me), Some(dir)) => match approval::Authority::role_at(dir, me, now) {
            Some((b, held)) if Some(&b) == branch.as_ref() => {
                rights.role = Some(held);
                if !needed.contains(&held) {
                    rights
                        .blockers
                        .push(ApproveBlocker::WrongRole { held, needed });
                }
            }
            _ => rights.blockers.push(ApproveBlocker::NotInBranch),
        },
    }
    if kind == DocKind::Session {
        let named = crate::model::session::get(doc)
            .ok()
            .map(|s| (s.chair, s.clerk));
        let ok = match (me, named) {
            (Some(me), Some((Some(chair), Some(clerk)))) => {
                chair != clerk && (&chair == me || &clerk == me)
            }
            _ => false,
        };
        if !ok {
            rights.blockers.push(ApproveBlocker::NotChairOrClerk);
        }
    }
    if let Err(n) = approval::check_ready(doc) {
        rights.blockers.push(ApproveBlocker::NotReady(n));
    }
    rights
}

/// Where a sign-off stands on this phone (the `state` of a [`SignoffRecord`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignoffState {
    /// Made here, not yet acknowledged by the server.
    Unsent,
    /// The server has it.
    Synced,
    /// The server refused it (it reached nobody).
    Refused,
}

impl SignoffState {
    /// Every state, in the order a sign-off goes through them.
    pub const ALL: [SignoffState; 3] = [
        SignoffState::Unsent,
        SignoffState::Synced,
        SignoffState::Refused,
    ];

    /// The code stored in the database ("unsent").
    pub fn as_str(self) -> &'static str {
        match self {
            SignoffState::Unsent => "unsent",
            SignoffState::Synced => "synced",
            SignoffState::Refused => "refused",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::InvalidDocument(format!("unknown sign-off state {s:?}")))
    }
}

/// A sign-off with where it stands on this phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffRecord {
    /// The record.
    pub signoff: Signoff,
    /// `unsent`, `synced` or `refused` ([`SignoffState::parse`] reads it).
    pub state: String,
    /// The server's refusal, if refused.
    pub refusal: Option<(String, String)>,
}

impl Store {
    /// The server key pinned at enrollment.
    pub fn server_key(&self) -> Result<Option<[u8; 32]>> {
        let key: Option<Option<Vec<u8>>> = self
            .reader
            .query_row("SELECT server_key FROM enrollment WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        match key.flatten() {
            None => Ok(None),
            Some(k) => Ok(Some(k.as_slice().try_into().map_err(|_| {
                Error::InvalidDocument("the pinned server key is damaged".into())
            })?)),
        }
    }

    /// Pins the server's key (enrollment).
    pub(crate) fn pin_server_key(&mut self, key: &[u8; 32]) -> Result<()> {
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
                params![key.as_slice()],
            )?;
            Ok(())
        })
    }

    /// The signed member directory last received, re-verified against the pinned key.
    pub fn directory(&self) -> Result<Option<Directory>> {
        let bytes: Option<Vec<u8>> = self
            .reader
            .query_row("SELECT bytes FROM directory WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let dir: Directory = postcard::from_bytes(&bytes).map_err(|e| {
            Error::InvalidDocument(format!("the stored member directory does not decode: {e}"))
        })?;
        let key = self.server_key()?.ok_or(Error::NotEnrolled)?;
        dir.verify(&key)?;
        Ok(Some(dir))
    }

    /// Stores a directory received from the server, once its signature checks.
    pub(crate) fn store_directory(&mut self, dir: &Directory) -> Result<()> {
        let key = self.server_key()?.ok_or(Error::NotEnrolled)?;
        dir.verify(&key)?;
        let bytes = postcard::to_allocvec(dir)
            .map_err(|e| Error::InvalidInput(format!("cannot encode the directory: {e}")))?;
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO directory (id, version, bytes) VALUES (1, ?1, ?2)",
                params![dir.version as i64, bytes],
            )?;
            Ok(())
        })
    }

    /// Asks for the current version of `doc` to be approved (any member; signed here).
    pub fn submit_for_approval(&mut self, doc: &DocId, note: &str) -> Result<Signoff> {
        self.sign_off(doc, SignoffAction::Submit, note)
    }

    /// Approves exactly the current version of `doc`, signed here with the device key.
    /// Refused unless this member holds an approving role for the document's kind (per the
    /// synced directory), and while the document has conflicts or lacks required fields.
    pub fn approve(&mut self, doc: &DocId, note: &str) -> Result<Signoff> {
        self.sign_off(doc, SignoffAction::Approve, note)
    }

    /// Whether this member may approve the current version of `doc` now, and every reason
    /// not: enrollment and a synced directory, membership of the document's branch, a role
    /// that approves its kind ([`required_roles`], with the branch's delegation of plan
    /// approval to the deputy), and readiness ([`approval::check_ready`]: conflicts, missing
    /// fields). The same rules [`Store::approve`] applies, so a screen can show the approve
    /// action — and what stands in its way — without trying.
    pub fn can_approve(&mut self, doc_id: &DocId) -> Result<ApprovalRights> {
        let me = self.enrollment()?.map(|e| e.member_id);
        let dir = match me {
            Some(_) => self.directory()?,
            None => None,
        };
        let doc = self.doc(doc_id)?;
        Ok(approval_rights(me.as_ref(), dir.as_ref(), doc, now_unix()))
    }

    fn sign_off(&mut self, doc_id: &DocId, action: SignoffAction, note: &str) -> Result<Signoff> {
        let enrollment = self.enrollment()?.ok_or(Error::NotEnrolled)?;
        let me = enrollment.member_id.clone();
        let dir = self
            .directory()?
            .ok_or_else(|| Error::NotPermitted(NO_DIRECTORY.into()))?;
        let now = now_unix();
        let signoffs = self.signoffs(doc_id)?;
        let key = self.signing_key()?;
        let doc = self.doc(doc_id)?;
        let branch = doc
            .branch_id()
            .ok_or_else(|| Error::InvalidDocument(format!("{doc_id} names no branch")))?;
        let kind = doc.kind();
        let held = approval::Authority::role_at(&dir, &me, now);
        let role = match (&held, action) {
            (Some((b, role)), _) if *b == branch => *role,
            _ => return Err(ApproveBlocker::NotInBranch.to_error(doc_id, kind)),
        };
        let mut supersedes = None;
        if action == SignoffAction::Approve {
            let rights = approval_rights(Some(&me), Some(&dir), doc, now);
            if let Some(blocker) = rights.blockers.first() {
                return Err(blocker.to_error(doc_id, kind));
            }
            supersedes = approval::status(doc, &signoffs, &dir).newest_approval_id();
        }
        let signoff = Signoff::sign(
            SignoffFields {
                action,
                doc_id: doc_id.clone(),
                doc_kind: kind,
                branch_id: branch,
                heads: doc.heads(),
                signer: me,
                role,
                device_id: enrollment.device_id.clone(),
                signed_at: now,
                supersedes,
                note: note.to_owned(),
            },
            &key,
        )?;
        // The same checks every other phone and the server will make.
        approval::verify_for(&signoff, &dir, doc)
            .map_err(|e| Error::NotPermitted(e.to_string()))?;
        self.put_signoff(&signoff, "unsent")?;
        Ok(signoff)
    }

    fn put_signoff(&mut self, s: &Signoff, state: &str) -> Result<()> {
        let bytes = s.to_bytes()?;
        let id = s.id();
        db::write(&mut self.writer, |tx| {
            tx.execute(
                "INSERT INTO signoffs (id, doc_id, action, signed_at, bytes, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes,
                     state = CASE WHEN signoffs.state = 'unsent' THEN excluded.state
                                  ELSE signoffs.state END",
                params![
                    id.as_str(),
                    s.doc_id.as_str(),
                    s.action.as_str(),
                    s.signed_at,
                    bytes,
                    state
                ],
            )?;
            Ok(())
        })
    }

    /// Every sign-off of `doc` held here (refused ones excluded), oldest first.
    pub fn signoffs(&self, doc: &DocId) -> Result<Vec<Signoff>> {
        Ok(self
            .signoff_records(doc)?
            .into_iter()
            .filter(|r| r.state != "refused")
            .map(|r| r.signoff)
            .collect())
    }

    /// Every sign-off of `doc` held here with its state, oldest first.
    pub fn signoff_records(&self, doc: &DocId) -> Result<Vec<SignoffRecord>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT bytes, state, refused_code, refused_message FROM signoffs
             WHERE doc_id = ?1 ORDER BY signed_at, id",
        )?;
        let rows = stmt.query_map([doc.as_str()], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (bytes, state, code, message) = row?;
            out.push(SignoffRecord {
                signoff: Signoff::from_bytes(&bytes)?,
                state,
                refusal: code.map(|c| (c, message.unwrap_or_default())),
            });
        }
        Ok(out)
    }

    /// Documents with at least one sign-off held here (refused ones excluded), by id.
    pub fn documents_with_signoffs(&self) -> Result<Vec<DocId>> {
        self.signoff_docs(
            "SELECT DISTINCT doc_id FROM signoffs WHERE state != 'refused' ORDER BY doc_id",
        )
    }

    /// Documents with at least one submission held here (refused ones excluded), by id.
    pub(crate) fn documents_with_submissions(&self) -> Result<Vec<DocId>> {
        self.signoff_docs(
            "SELECT DISTINCT doc_id FROM signoffs WHERE state != 'refused' AND action = 'submit' ORDER BY doc_id",
        )
    }

    fn signoff_docs(&self, sql: &str) -> Result<Vec<DocId>> {
        let mut stmt = self.reader.prepare_cached(sql)?;
        let rows = stmt
            .query_map([], |r| Ok(DocId::new(r.get::<_, String>(0)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A sign-off by id.
    pub fn signoff(&self, id: &SignoffId) -> Result<Option<Signoff>> {
        let bytes: Option<Vec<u8>> = self
            .reader
            .query_row(
                "SELECT bytes FROM signoffs WHERE id = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        bytes.map(|b| Signoff::from_bytes(&b)).transpose()
    }

    /// Where approval of `doc` stands, verified here against the synced directory.
    pub fn approval_status(&mut self, doc: &DocId) -> Result<Status> {
        let signoffs = self.signoffs(doc)?;
        let dir = self.directory()?.unwrap_or_else(empty_directory);
        let d = self.doc(doc)?;
        Ok(approval::status(d, &signoffs, &dir))
    }

    /// What changed in `doc` from `from` to `to` (the current version when `None`).
    pub fn delta(
        &mut self,
        doc: &DocId,
        from: &[ChangeHash],
        to: Option<&[ChangeHash]>,
    ) -> Result<Delta> {
        approval::delta(self.doc(doc)?, from, to)
    }

    /// Sign-offs made here and not yet acknowledged by the server.
    pub(crate) fn unsent_signoffs(&self) -> Result<Vec<Signoff>> {
        let mut stmt = self.reader.prepare_cached(
            "SELECT bytes FROM signoffs WHERE state = 'unsent' ORDER BY signed_at, id",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for b in rows {
            out.push(Signoff::from_bytes(&b?)?);
        }
        Ok(out)
    }

    /// Applies the sign-off part of a sync response: acknowledgements, refusals and the
    /// sign-offs pulled (stored as received; status verifies them each time it is read).
    pub(crate) fn apply_signoffs(
        &mut self,
        acks: &[SignoffId],
        refusals: &[SignoffRefusal],
        pulled: &[Signoff],
    ) -> Result<()> {
        for s in pulled {
            // A record that is not even well-formed is not kept.
            if s.check_well_formed().is_ok() {
                self.put_signoff(s, "synced")?;
            }
        }
        db::write(&mut self.writer, |tx| {
            for id in acks {
                tx.execute(
                    "UPDATE signoffs SET state = 'synced' WHERE id = ?1 AND state = 'unsent'",
                    [id.as_str()],
                )?;
            }
            for r in refusals {
                tx.execute(
                    "UPDATE signoffs SET state = 'refused', refused_code = ?2, refused_message = ?3
                     WHERE id = ?1",
                    params![r.id.as_str(), r.code, r.message],
                )?;
            }
            Ok(())
        })
    }
}

/// A directory with nobody in it: every approval checked against it is invalid (used before
/// the first sync delivered the real one).
pub(super) fn empty_directory() -> Directory {
    Directory {
        version: 0,
        committee_id: String::new(),
        committee_name: String::new(),
        members: Vec::new(),
        branches: Vec::new(),
        settings: Default::default(),
        issued_at: 0,
        signature: Vec::new(),
    }
}
