//! In-memory backend (tests).
//!
//! Plain collections behind one `std::sync::Mutex`, so every method is trivially atomic with
//! respect to the others. Writes validate everything first and only then mutate, and the
//! mutations themselves cannot fail, so a write either happens whole or not at all. Nothing
//! survives the process; the conformance suite (`tests/conformance.rs`) keeps this backend
//! behaving exactly like [`super::sqlite::SqliteStore`].
//!
//! ```
//! use sotay_server::store::{memory::MemoryStore, Committee, ServerStore};
//! let store = MemoryStore::new();
//! store.create_committee(&Committee { id: "c-1".into(), name: "Đảng bộ".into() })?;
//! assert!(store.committee("c-1")?.is_some());
//! # Ok::<(), sotay_server::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use sotay_core::ids::{BranchId, DocId, MemberId};
use sotay_core::protocol::{CommitteeSettings, RoleSpan, Span};

use super::{
    AcceptedBatch, BlobMeta, Branch, Committee, Device, DocData, DocMeta, LogEntry, LogPage, Scope,
    ServerMember, ServerStore, StoredBlob, StoredSignoff,
};
use super::{
    actor_taken, check_blob, check_signoff_id, check_signoff_scope, conflicting_doc, effective_at,
    new_epoch, new_server_secret, role_changed,
};
use crate::{Error, Result};

/// A one-time enrollment code, by hash.
#[derive(Debug)]
struct Code {
    member_id: MemberId,
    expires_at: i64,
    used_at: Option<i64>,
}

#[derive(Debug, Default)]
struct Inner {
    committees: BTreeMap<String, Committee>,
    settings: HashMap<String, CommitteeSettings>,
    branches: BTreeMap<BranchId, Branch>,
    members: BTreeMap<MemberId, ServerMember>,
    directory_versions: HashMap<String, u64>,
    /// Each member's role history, oldest first.
    role_spans: HashMap<MemberId, Vec<RoleSpan>>,
    /// Each branch's plan-approval delegations, oldest first.
    delegations: HashMap<BranchId, Vec<Span>>,
    codes: HashMap<[u8; 32], Code>,
    devices: BTreeMap<String, Device>,
    /// (device, nonce) → seen at.
    nonces: HashMap<(String, String), i64>,
    docs: BTreeMap<DocId, DocMeta>,
    snapshots: HashMap<DocId, (Vec<u8>, u64)>,
    actors: HashMap<Vec<u8>, String>,
    /// The log in seq order (seqs strictly increase, never reused).
    log: Vec<LogEntry>,
    /// (doc, hash) of every logged change, for idempotent appends.
    logged: HashSet<(DocId, [u8; 32])>,
    last_seq: u64,
    /// Sign-offs in seq order (their own sequence, not the log's).
    signoffs: Vec<StoredSignoff>,
    /// Sign-off id → seq, for idempotent puts.
    signoff_seqs: HashMap<String, u64>,
    last_signoff_seq: u64,
    /// Attachments' blobs by (branch, SHA-256).
    blobs: HashMap<(BranchId, [u8; 32]), StoredBlob>,
}

/// The in-memory [`ServerStore`].
pub struct MemoryStore {
    epoch: u64,
    server_secret: [u8; 32],
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The contents can be large (the whole log); the epoch identifies the store.
        f.debug_struct("MemoryStore")
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store with a fresh random epoch and server key.
    pub fn new() -> Self {
        Self {
            epoch: new_epoch(),
            server_secret: new_server_secret(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held cannot have left a half-applied write: every write
        // validates first and then only performs infallible insertions. So the data behind a
        // poisoned lock is consistent and it is safe to keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Checks a member against the organisation (shared by `put_member`).
    fn check_member(&self, member: &ServerMember) -> Result<()> {
        if !self.committees.contains_key(&member.committee_id) {
            return Err(Error::NotFound(format!(
                "committee {}",
                member.committee_id
            )));
        }
        if let Some(branch_id) = &member.branch_id {
            let branch = self
                .branches
                .get(branch_id)
                .ok_or_else(|| Error::NotFound(format!("branch {branch_id}")))?;
            if branch.committee_id != member.committee_id {
                return Err(Error::InvalidInput(format!(
                    "branch {branch_id} belongs to committee {}, not {}",
                    branch.committee_id, member.committee_id
                )));
            }
        }
        Ok(())
    }

    /// Closes the member's open role span and opens one for `member` if active (see
    /// [`ServerStore::put_member`]).
    fn record_role(&mut self, member: &ServerMember, at: i64) {
        let spans = self.role_spans.entry(member.id.clone()).or_default();
        let at = effective_at(at, spans.last().map(|s| (s.from, s.until)));
        if let Some(open) = spans.last_mut().filter(|s| s.until.is_none()) {
            open.until = Some(at);
        }
        if member.active {
            spans.push(RoleSpan {
                branch_id: member.branch_id.clone(),
                role: member.role,
                from: at,
                until: None,
            });
        }
    }

    fn bump_directory(&mut self, committee_id: &str) {
        *self
            .directory_versions
            .entry(committee_id.to_owned())
            .or_insert(0) += 1;
    }

    fn qualifies(
        entry: &LogEntry,
        scopes: &BTreeSet<&Scope>,
        docs: &BTreeMap<DocId, DocMeta>,
        exclude: &str,
    ) -> bool {
        entry.device_id != exclude
            && docs
                .get(&entry.doc_id)
                .is_some_and(|meta| scopes.contains(&meta.scope))
    }
}

impl ServerStore for MemoryStore {
    fn create_committee(&self, committee: &Committee) -> Result<()> {
        let mut inner = self.lock();
        if inner.committees.contains_key(&committee.id) {
            return Err(Error::AlreadyExists(format!("committee {}", committee.id)));
        }
        inner
            .committees
            .insert(committee.id.clone(), committee.clone());
        Ok(())
    }

    fn committee(&self, id: &str) -> Result<Option<Committee>> {
        Ok(self.lock().committees.get(id).cloned())
    }

    fn create_branch(&self, branch: &Branch) -> Result<()> {
        let mut inner = self.lock();
        if inner.branches.contains_key(&branch.id) {
            return Err(Error::AlreadyExists(format!("branch {}", branch.id)));
        }
        if !inner.committees.contains_key(&branch.committee_id) {
            return Err(Error::NotFound(format!(
                "committee {}",
                branch.committee_id
            )));
        }
        inner.branches.insert(branch.id.clone(), branch.clone());
        Ok(())
    }

    fn branch(&self, id: &BranchId) -> Result<Option<Branch>> {
        Ok(self.lock().branches.get(id).cloned())
    }

    fn branches(&self, committee_id: &str) -> Result<Vec<Branch>> {
        Ok(self
            .lock()
            .branches
            .values()
            .filter(|b| b.committee_id == committee_id)
            .cloned()
            .collect())
    }

    fn put_member(&self, member: &ServerMember, at: i64) -> Result<()> {
        let mut inner = self.lock();
        inner.check_member(member)?;
        let previous = inner.members.insert(member.id.clone(), member.clone());
        if role_changed(previous.as_ref(), member) {
            inner.record_role(member, at);
        }
        inner.bump_directory(&member.committee_id);
        // A member moved to another committee also changes the old committee's directory.
        if let Some(previous) = previous.filter(|p| p.committee_id != member.committee_id) {
            inner.bump_directory(&previous.committee_id);
        }
        Ok(())
    }

    fn role_history(&self, member: &MemberId) -> Result<Vec<RoleSpan>> {
        Ok(self
            .lock()
            .role_spans
            .get(member)
            .cloned()
            .unwrap_or_default())
    }

    fn member(&self, id: &MemberId) -> Result<Option<ServerMember>> {
        Ok(self.lock().members.get(id).cloned())
    }

    fn members(&self, committee_id: &str) -> Result<Vec<ServerMember>> {
        Ok(self
            .lock()
            .members
            .values()
            .filter(|m| m.committee_id == committee_id)
            .cloned()
            .collect())
    }

    fn directory_version(&self, committee_id: &str) -> Result<u64> {
        Ok(self
            .lock()
            .directory_versions
            .get(committee_id)
            .copied()
            .unwrap_or(0))
    }

    fn set_plan_delegation(&self, branch: &BranchId, delegated: bool, at: i64) -> Result<()> {
        let mut inner = self.lock();
        let committee_id = inner
            .branches
            .get(branch)
            .ok_or_else(|| Error::NotFound(format!("branch {branch}")))?
            .committee_id
            .clone();
        let spans = inner.delegations.entry(branch.clone()).or_default();
        let at = effective_at(at, spans.last().map(|s| (s.from, s.until)));
        match spans.last_mut().filter(|s| s.until.is_none()) {
            Some(open) if !delegated => open.until = Some(at),
            None if delegated => spans.push(Span {
                from: at,
                until: None,
            }),
            _ => return Ok(()), // already as asked
        }
        inner.bump_directory(&committee_id);
        Ok(())
    }

    fn set_committee_settings(
        &self,
        committee_id: &str,
        settings: &CommitteeSettings,
    ) -> Result<()> {
        let mut inner = self.lock();
        if !inner.committees.contains_key(committee_id) {
            return Err(Error::NotFound(format!("committee {committee_id}")));
        }
        let old = inner
            .settings
            .get(committee_id)
            .cloned()
            .unwrap_or_default();
        if old != *settings {
            inner
                .settings
                .insert(committee_id.to_owned(), settings.clone());
            inner.bump_directory(committee_id);
        }
        Ok(())
    }

    fn committee_settings(&self, committee_id: &str) -> Result<CommitteeSettings> {
        Ok(self
            .lock()
            .settings
            .get(committee_id)
            .cloned()
            .unwrap_or_default())
    }

    fn plan_delegations(&self, branch: &BranchId) -> Result<Vec<Span>> {
        Ok(self
            .lock()
            .delegations
            .get(branch)
            .cloned()
            .unwrap_or_default())
    }

    fn create_enrollment_code(
        &self,
        code_hash: [u8; 32],
        member: &MemberId,
        expires_at: i64,
    ) -> Result<()> {
        let mut inner = self.lock();
        if !inner.members.contains_key(member) {
            return Err(Error::NotFound(format!("member {member}")));
        }
        if inner.codes.contains_key(&code_hash) {
            return Err(Error::AlreadyExists("enrollment code".into()));
        }
        inner.codes.insert(
            code_hash,
            Code {
                member_id: member.clone(),
                expires_at,
                used_at: None,
            },
        );
        Ok(())
    }

    fn redeem_enrollment_code(
        &self,
        code_hash: [u8; 32],
        device: &Device,
        now: i64,
    ) -> Result<Option<Device>> {
        let mut inner = self.lock();
        let member_id = match inner.codes.get(&code_hash) {
            Some(code) if code.used_at.is_none() && now < code.expires_at => code.member_id.clone(),
            _ => return Ok(None),
        };
        if inner.devices.contains_key(&device.id) {
            return Err(Error::AlreadyExists(format!("device {}", device.id)));
        }
        let stored = Device {
            member_id,
            ..device.clone()
        };
        if let Some(code) = inner.codes.get_mut(&code_hash) {
            code.used_at = Some(now);
        }
        inner.devices.insert(stored.id.clone(), stored.clone());
        // Device keys are in the directory phones verify approvals against.
        if let Some(committee) = inner
            .members
            .get(&stored.member_id)
            .map(|m| m.committee_id.clone())
        {
            inner.bump_directory(&committee);
        }
        Ok(Some(stored))
    }

    fn device(&self, id: &str) -> Result<Option<Device>> {
        Ok(self.lock().devices.get(id).cloned())
    }

    fn devices_of_member(&self, member: &MemberId) -> Result<Vec<Device>> {
        Ok(self
            .lock()
            .devices
            .values()
            .filter(|d| &d.member_id == member)
            .cloned()
            .collect())
    }

    fn revoke_device(&self, id: &str, now: i64) -> Result<bool> {
        let mut inner = self.lock();
        match inner.devices.get_mut(id) {
            Some(device) if device.revoked_at.is_none() => {
                device.revoked_at = Some(now);
                let member = device.member_id.clone();
                if let Some(committee) = inner.members.get(&member).map(|m| m.committee_id.clone())
                {
                    inner.bump_directory(&committee);
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn remember_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool> {
        let mut inner = self.lock();
        inner.nonces.retain(|_, seen_at| *seen_at >= forget_before);
        let key = (device_id.to_owned(), nonce.to_owned());
        if inner.nonces.contains_key(&key) {
            return Ok(false);
        }
        inner.nonces.insert(key, now);
        Ok(true)
    }

    fn epoch(&self) -> Result<u64> {
        Ok(self.epoch)
    }

    fn server_secret(&self) -> Result<[u8; 32]> {
        Ok(self.server_secret)
    }

    fn max_seq(&self) -> Result<u64> {
        Ok(self.lock().last_seq)
    }

    fn doc_meta(&self, doc_id: &DocId) -> Result<Option<DocMeta>> {
        Ok(self.lock().docs.get(doc_id).cloned())
    }

    fn docs_in_scopes(&self, scopes: &[Scope]) -> Result<Vec<DocMeta>> {
        Ok(self
            .lock()
            .docs
            .values()
            .filter(|d| scopes.contains(&d.scope))
            .cloned()
            .collect())
    }

    fn doc_data(&self, doc_id: &DocId) -> Result<DocData> {
        let inner = self.lock();
        let snapshot = inner.snapshots.get(doc_id).cloned();
        let after = snapshot.as_ref().map_or(0, |(_, upto)| *upto);
        let changes = inner
            .log
            .iter()
            .filter(|e| e.seq > after && &e.doc_id == doc_id)
            .map(|e| e.bytes.clone())
            .collect();
        Ok((snapshot, changes))
    }

    fn put_snapshot(&self, doc_id: &DocId, snapshot: &[u8], upto_seq: u64) -> Result<()> {
        let mut inner = self.lock();
        if !inner.docs.contains_key(doc_id) {
            return Err(Error::NotFound(format!("document {doc_id}")));
        }
        if upto_seq > inner.last_seq {
            return Err(Error::InvalidInput(format!(
                "snapshot of {doc_id} claims to cover seq {upto_seq}, beyond the log's end {}",
                inner.last_seq
            )));
        }
        inner
            .snapshots
            .insert(doc_id.clone(), (snapshot.to_vec(), upto_seq));
        Ok(())
    }

    fn actor_device(&self, actor: &[u8]) -> Result<Option<String>> {
        Ok(self.lock().actors.get(actor).cloned())
    }

    fn append(&self, batch: &AcceptedBatch) -> Result<Vec<u64>> {
        let mut inner = self.lock();

        // Validate everything before touching anything.
        let mut batch_docs: HashMap<&DocId, &DocMeta> = HashMap::new();
        for meta in &batch.new_docs {
            let known = inner
                .docs
                .get(&meta.doc_id)
                .or_else(|| batch_docs.get(&meta.doc_id).copied());
            if let Some(known) = known.filter(|k| *k != meta) {
                return Err(conflicting_doc(meta, known));
            }
            batch_docs.insert(&meta.doc_id, meta);
        }
        let mut batch_actors: HashMap<&[u8], &str> = HashMap::new();
        for (actor, device) in &batch.actor_bindings {
            let bound = inner
                .actors
                .get(actor.as_slice())
                .map(String::as_str)
                .or_else(|| batch_actors.get(actor.as_slice()).copied());
            if bound.is_some_and(|b| b != device) {
                return Err(actor_taken(actor));
            }
            batch_actors.insert(actor, device);
        }
        for entry in &batch.entries {
            if !inner.docs.contains_key(&entry.doc_id) && !batch_docs.contains_key(&entry.doc_id) {
                return Err(Error::NotFound(format!("document {}", entry.doc_id)));
            }
        }

        // Apply.
        for meta in &batch.new_docs {
            inner
                .docs
                .entry(meta.doc_id.clone())
                .or_insert_with(|| meta.clone());
        }
        for (actor, device) in &batch.actor_bindings {
            inner
                .actors
                .entry(actor.clone())
                .or_insert_with(|| device.clone());
        }
        let mut seqs = Vec::new();
        for entry in &batch.entries {
            if !inner.logged.insert((entry.doc_id.clone(), entry.hash)) {
                continue; // already stored: a retried request stores nothing twice
            }
            inner.last_seq += 1;
            let seq = inner.last_seq;
            inner.log.push(LogEntry {
                seq,
                ..entry.clone()
            });
            seqs.push(seq);
        }
        Ok(seqs)
    }

    fn log_after(
        &self,
        scopes: &[Scope],
        after: u64,
        exclude_device: &str,
        budget: usize,
    ) -> Result<LogPage> {
        let inner = self.lock();
        let scopes: BTreeSet<&Scope> = scopes.iter().collect();
        let start = inner.log.partition_point(|e| e.seq <= after);
        let mut rest = inner.log[start..].iter();
        let mut entries = Vec::new();
        let mut used = 0usize;
        for entry in rest.by_ref() {
            if !Inner::qualifies(entry, &scopes, &inner.docs, exclude_device) {
                continue;
            }
            used = used.saturating_add(entry.bytes.len());
            entries.push(entry.clone());
            if used >= budget {
                // Stopped at the budget: the cursor stays at the last entry returned.
                let reached = entry.seq;
                let more = rest.any(|e| Inner::qualifies(e, &scopes, &inner.docs, exclude_device));
                return Ok(LogPage {
                    entries,
                    reached,
                    more,
                });
            }
        }
        // Scanned to the end: the cursor moves past everything, seen or skipped.
        Ok(LogPage {
            entries,
            reached: after.max(inner.last_seq),
            more: false,
        })
    }

    fn audit(&self, doc_id: &DocId) -> Result<Vec<LogEntry>> {
        Ok(self
            .lock()
            .log
            .iter()
            .filter(|e| &e.doc_id == doc_id)
            .cloned()
            .collect())
    }

    fn put_signoff(&self, signoff: &StoredSignoff) -> Result<u64> {
        let mut inner = self.lock();
        check_signoff_id(&signoff.id)?;
        let doc = inner
            .docs
            .get(&signoff.doc_id)
            .ok_or_else(|| Error::NotFound(format!("document {}", signoff.doc_id)))?;
        check_signoff_scope(signoff, doc)?;
        if let Some(seq) = inner.signoff_seqs.get(&signoff.id) {
            return Ok(*seq); // already stored: a retried push stores nothing twice
        }
        inner.last_signoff_seq += 1;
        let seq = inner.last_signoff_seq;
        inner.signoff_seqs.insert(signoff.id.clone(), seq);
        inner.signoffs.push(StoredSignoff {
            seq,
            ..signoff.clone()
        });
        Ok(seq)
    }

    fn signoffs_after(&self, scopes: &[Scope], after: u64) -> Result<Vec<StoredSignoff>> {
        let inner = self.lock();
        let start = inner.signoffs.partition_point(|s| s.seq <= after);
        Ok(inner.signoffs[start..]
            .iter()
            .filter(|s| scopes.contains(&s.scope))
            .cloned()
            .collect())
    }

    fn signoffs_of(&self, doc: &DocId) -> Result<Vec<StoredSignoff>> {
        Ok(self
            .lock()
            .signoffs
            .iter()
            .filter(|s| &s.doc_id == doc)
            .cloned()
            .collect())
    }

    fn max_signoff_seq(&self) -> Result<u64> {
        Ok(self.lock().last_signoff_seq)
    }

    fn put_blob(&self, blob: &StoredBlob) -> Result<bool> {
        // Hashing needs no lock: checked before it is taken.
        check_blob(blob)?;
        let mut inner = self.lock();
        let branch = &blob.meta.branch_id;
        if !inner.branches.contains_key(branch) {
            return Err(Error::NotFound(format!("branch {branch}")));
        }
        let key = (branch.clone(), blob.meta.sha256);
        if inner.blobs.contains_key(&key) {
            return Ok(false); // already stored: the first upload's metadata stays
        }
        inner.blobs.insert(key, blob.clone());
        Ok(true)
    }

    fn blob_meta(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<BlobMeta>> {
        Ok(self
            .lock()
            .blobs
            .get(&(branch.clone(), *sha256))
            .map(|b| b.meta.clone()))
    }

    fn blob(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<StoredBlob>> {
        Ok(self.lock().blobs.get(&(branch.clone(), *sha256)).cloned())
    }
}
