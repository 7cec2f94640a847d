//! The sync engine: one request pushes a device's changes for every document and pulls
//! everything in its scope after its cursor.
//!
//! Untrusted input never reaches storage unchecked: every pushed change is decoded and
//! applied to a scratch copy of its document inside `catch_unwind` (Automerge 0.12 panics on
//! some malformed bytes) before anything is stored; a document whose changes fail is refused
//! whole, nothing of it is stored, and no other device ever receives it. Each change's actor
//! must belong to the pushing device (actors are bound to devices at first sight), and the
//! document's root (id, kind, branch) must say what its scope says.
//!
//! Pushes to one document are serialised by a striped lock, so the scratch copy, the append
//! and the snapshot refresh all see the same log.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use automerge::ChangeHash;
use sotay_core::approval::{self, Invalid, Signoff, SignoffAction};
use sotay_core::ids::{DocId, DocKind};
use sotay_core::model::{DecodedChange, Document, decode_changes};
use sotay_core::protocol::{
    Cursor, DEFAULT_RESPONSE_BUDGET, DocHeads, MAX_CLOCK_SKEW_SECS, PROTOCOL_VERSION, PullData,
    PullDoc, PushDoc, Rejection, SignoffRefusal, SyncRequest, SyncResponse,
};

use crate::store::{
    AcceptedBatch, Device, DocMeta, LogEntry, Scope, ServerMember, ServerStore, StoredSignoff,
};
use crate::{Error, Result};

/// Fold a document's logged changes into a new snapshot after this many.
const SNAPSHOT_EVERY: usize = 64;

/// Largest response budget a device may ask for.
const MAX_BUDGET: u32 = 8 * 1024 * 1024;

/// Who is syncing, as authenticated.
#[derive(Debug)]
pub struct Caller<'a> {
    /// The device.
    pub device: &'a Device,
    /// Its member.
    pub member: &'a ServerMember,
    /// Scopes the member may read.
    pub read_scopes: &'a [Scope],
    /// Scopes the member may write.
    pub write_scopes: &'a [Scope],
}

impl Caller<'_> {
    fn may_write(&self, scope: &Scope) -> bool {
        self.write_scopes.contains(scope)
    }
}

/// A refusal of the whole request.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The device speaks another protocol version.
    #[error("protocol version {0} is not supported (this server speaks {PROTOCOL_VERSION})")]
    Version(u16),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] Error),
}

/// How many validated documents the server keeps in memory between pushes.
const CACHED_DOCS: usize = 64;

/// Serialises work on one document across requests, and keeps the documents that work
/// validated, so the next push to a busy draft does not reload and replay it from the log.
///
/// The cache is coherent because every push to a document holds that document's lock while
/// it takes the cached copy, validates, appends and puts the copy back; a copy touched by a
/// failed validation is dropped. It assumes one server process per database (a second
/// process writing the same file would not see this cache).
#[derive(Debug)]
pub struct DocLocks {
    stripes: Vec<Mutex<()>>,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    tick: u64,
    docs: HashMap<DocId, (Document, usize, u64)>,
}

impl Default for DocLocks {
    fn default() -> Self {
        Self {
            stripes: (0..64).map(|_| Mutex::new(())).collect(),
            cache: Mutex::new(Cache::default()),
        }
    }
}

impl DocLocks {
    /// Takes a document's cached copy (and how many logged changes follow its snapshot).
    /// Call with the document's lock held.
    fn take(&self, doc: &DocId) -> Option<(Document, usize)> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.docs.remove(doc).map(|(d, n, _)| (d, n))
    }

    /// Puts a validated, stored copy back. Call with the document's lock held.
    fn put(&self, id: DocId, doc: Document, logged: usize) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.docs.len() >= CACHED_DOCS {
            let oldest = cache
                .docs
                .iter()
                .min_by_key(|(_, (_, _, t))| *t)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                cache.docs.remove(&k);
            }
        }
        cache.tick += 1;
        let tick = cache.tick;
        cache.docs.insert(id, (doc, logged, tick));
    }

    fn lock(&self, doc: &DocId) -> std::sync::MutexGuard<'_, ()> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in doc.as_str().bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let stripe = &self.stripes[(h % self.stripes.len() as u64) as usize];
        // A panic while holding the lock cannot leave shared state half-written (the store's
        // writes are atomic), so a poisoned stripe is still safe to use.
        stripe.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn scope_of(kind: DocKind, doc: &Document) -> Option<Scope> {
    match kind {
        DocKind::AnnualPlan
        | DocKind::TopicDraft
        | DocKind::Material
        | DocKind::Session
        | DocKind::ReadingLog => doc.branch_id().map(Scope::Branch),
    }
}

fn reject(doc_id: &DocId, code: &str, message: impl Into<String>) -> Rejection {
    Rejection {
        doc_id: doc_id.clone(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Loads a stored document; also returns how many logged changes follow its snapshot.
fn load_doc(store: &dyn ServerStore, doc_id: &DocId) -> Result<Option<(Document, usize)>> {
    let (snapshot, changes) = store.doc_data(doc_id)?;
    if snapshot.is_none() && changes.is_empty() {
        return Ok(None);
    }
    // The log holds only changes this server checked when they were pushed: they are applied
    // without re-running the canonical check (still inside `catch_unwind`).
    let doc = match snapshot {
        Some((bytes, _)) => {
            let mut doc = Document::load(&bytes, &[])?;
            if !changes.is_empty() {
                doc.apply_stored_changes(&changes)?;
            }
            doc
        }
        None => Document::from_stored_changes(&changes)?,
    };
    Ok(Some((doc, changes.len())))
}

/// [`load_doc`], logging and skipping a stored document that does not load (a server-side
/// fault must not stop everyone else's documents from syncing).
fn load_or_skip(store: &dyn ServerStore, doc_id: &DocId) -> Result<Option<(Document, usize)>> {
    match load_doc(store, doc_id) {
        Err(Error::Core(e)) => {
            tracing::error!(doc = %doc_id, error = %e, "a stored document does not load; skipped");
            Ok(None)
        }
        other => other,
    }
}

/// What validating one pushed document produced.
struct Accepted {
    meta: DocMeta,
    is_new: bool,
    entries: Vec<LogEntry>,
    bindings: Vec<(Vec<u8>, String)>,
    doc: Document,
    logged_since_snapshot: usize,
    /// Some pushed changes were deferred (see `validate_push`).
    deferred: bool,
}

enum Outcome {
    Accepted(Box<Accepted>),
    Rejected(Rejection),
    /// The server lacks changes this push depends on: ask for all of them.
    Need,
    /// Nothing storable: the push's changes are another member's or device's, or depend on
    /// such changes (see `validate_push`).
    Deferred,
}

fn rejected(id: &DocId, code: &str, message: impl Into<String>) -> Result<Outcome> {
    Ok(Outcome::Rejected(reject(id, code, message)))
}

/// Checks one pushed document, in an order that reveals nothing to a caller who may not write
/// it: decode (canonical changes only) → permission → kind → drop changes already stored →
/// dependencies → actors → authorship → apply to a scratch copy → the result's identity,
/// scope and structure.
fn validate_push(
    store: &dyn ServerStore,
    caller: &Caller<'_>,
    push: &PushDoc,
    cached: Option<(Document, usize)>,
    now: i64,
) -> Result<Outcome> {
    let id = &push.doc_id;
    let decoded = match decode_changes(&push.changes) {
        Ok(d) => d,
        Err(e) => return rejected(id, "invalid_change", e.to_string()),
    };
    let existing = store.doc_meta(id)?;
    let mut scratch = None;
    if let Some(meta) = &existing {
        if !caller.may_write(&meta.scope) {
            return rejected(id, "forbidden", "you may not write this document");
        }
        if meta.kind != push.kind {
            return rejected(id, "kind_mismatch", "the document is of another kind");
        }
        scratch = match cached.map(Ok).or_else(|| load_doc(store, id).transpose()) {
            Some(Ok(d)) => Some(d),
            None => return Ok(Outcome::Need),
            Some(Err(Error::Core(e))) => {
                tracing::error!(doc = %id, error = %e, "a stored document does not load");
                return rejected(
                    id,
                    "unavailable",
                    "the server cannot open this document now",
                );
            }
            Some(Err(e)) => return Err(e),
        };
    }
    // Changes the server already has are not looked at again: a full push after a restore,
    // or a retry, carries them, and they were checked when first stored (possibly as another
    // device's).
    let (decoded, changes): (Vec<_>, Vec<Vec<u8>>) = decoded
        .into_iter()
        .zip(push.changes.iter().cloned())
        .filter(|(c, _)| {
            scratch
                .as_ref()
                .is_none_or(|(doc, _)| !doc.has_all(&[c.hash]))
        })
        .unzip();
    if existing.is_none() {
        // A document new to the server must arrive from its first change on; a change that
        // depends on one not pushed here means the server lost it: ask for everything.
        let pushed: HashSet<ChangeHash> = decoded.iter().map(|c| c.hash).collect();
        if decoded
            .iter()
            .any(|c| c.change.deps().iter().any(|d| !pushed.contains(d)))
        {
            return Ok(Outcome::Need);
        }
    }
    // Whose changes are these? A change is stored only from the device its actor belongs to
    // (bound at first sight; the one exception: a revoked device of the same member — a
    // phone re-enrolled after revocation still holds its unsent edits), and only if it names
    // the pushing member as its author (Automerge 0.12 writes the author into the first
    // change of each actor; later changes inherit it). Any other change is *deferred*: not
    // stored, never sent to anyone, and the device keeps it. A phone holds other members'
    // changes the server lacks after a restore from an older copy; only their own devices may
    // bring them back, since nothing proves who wrote a relayed change. A forged change is
    // deferred the same way, and so stored nowhere.
    let mut bindings = Vec::new();
    let mut unintroduced = false;
    let mut own_actor: HashMap<Vec<u8>, bool> = HashMap::new();
    for c in &decoded {
        let actor = c.actor.to_bytes().to_vec();
        if own_actor.contains_key(&actor) {
            continue;
        }
        let own = match store.actor_device(&actor)? {
            Some(owner) if owner == caller.device.id => true,
            Some(owner) => store
                .device(&owner)?
                .is_some_and(|d| d.member_id == caller.member.id && d.revoked_at.is_some()),
            None => {
                let introduced_by = decoded
                    .iter()
                    .find(|d| d.actor == c.actor && d.author.is_some())
                    .and_then(|d| d.author.clone());
                match introduced_by {
                    Some(author) if author != caller.member.id => false,
                    Some(_) => {
                        bindings.push((actor.clone(), caller.device.id.clone()));
                        true
                    }
                    None => {
                        // Its introducing change is missing: either lost by the server
                        // (answered below as `need`) or never authored (refused below).
                        unintroduced = true;
                        bindings.push((actor.clone(), caller.device.id.clone()));
                        true
                    }
                }
            }
        };
        own_actor.insert(actor, own);
    }
    let is_own = |c: &DecodedChange| {
        own_actor.get(c.actor.to_bytes()).copied().unwrap_or(false)
            && c.author.as_ref().is_none_or(|a| a == &caller.member.id)
    };
    let total = decoded.len();
    let (decoded, changes): (Vec<_>, Vec<Vec<u8>>) = decoded
        .into_iter()
        .zip(changes)
        .filter(|(c, _)| is_own(c))
        .unzip();
    let deferred = decoded.len() < total;
    if deferred && decoded.is_empty() {
        return Ok(Outcome::Deferred);
    }
    // Apply to a scratch copy; nothing is stored unless all of this succeeds.
    let mut before: Option<sotay_core::roles::Snapshot> = None;
    let (mut doc, logged_since_snapshot) = match scratch {
        Some((mut doc, n)) => {
            before = match sotay_core::roles::Snapshot::before_push(&doc, &decoded) {
                Ok(s) => Some(s),
                Err(e) => return rejected(id, "unavailable", e.to_string()),
            };
            if !changes.is_empty() {
                if let Err(e) = doc.apply_untrusted_changes(&changes) {
                    return rejected(id, "invalid_change", e.to_string());
                }
            }
            (doc, n)
        }
        None => match Document::from_untrusted_changes(&changes) {
            Ok(d) => (d, 0),
            Err(e) => return rejected(id, "invalid_change", e.to_string()),
        },
    };
    if !doc.missing_deps().is_empty() {
        // With changes deferred, these depend on them: wait for their authors' devices.
        return Ok(if deferred {
            Outcome::Deferred
        } else {
            Outcome::Need
        });
    }
    if unintroduced {
        return rejected(
            id,
            "author_mismatch",
            "a new actor's changes do not name their author",
        );
    }
    if doc.id() != id || doc.kind() != push.kind {
        return rejected(id, "kind_mismatch", "the changes describe another document");
    }
    if let Err(e) = doc.check_structure() {
        return rejected(id, "invalid_change", e.to_string());
    }
    // Role rules (docs/roles.md): what the push did, compared with the document before it.
    if let Err(e) = sotay_core::roles::check_push(
        &doc,
        before.as_ref(),
        caller.member.id.as_str(),
        caller.member.role,
    ) {
        return rejected(id, "forbidden", e.to_string());
    }
    let Some(scope) = scope_of(push.kind, &doc) else {
        return rejected(id, "invalid_change", "the document names no branch");
    };
    match &existing {
        Some(meta) if meta.scope != scope => {
            return rejected(
                id,
                "forbidden",
                "a change may not move a document to another branch",
            );
        }
        None if !caller.may_write(&scope) => {
            return rejected(id, "forbidden", "you may not write this document");
        }
        _ => {}
    }
    // Store the bytes exactly as pushed (they passed the canonical check); Automerge's
    // `raw_bytes` would be the inflated form of a deflated change.
    let entries = decoded
        .iter()
        .zip(changes)
        .map(|(c, bytes)| LogEntry {
            seq: 0,
            doc_id: id.clone(),
            hash: c.hash.0,
            bytes,
            device_id: caller.device.id.clone(),
            member_id: caller.member.id.clone(),
            received_at: now,
        })
        .collect();
    Ok(Outcome::Accepted(Box::new(Accepted {
        meta: DocMeta {
            doc_id: id.clone(),
            kind: push.kind,
            scope,
        },
        is_new: existing.is_none(),
        entries,
        bindings,
        doc,
        logged_since_snapshot,
        deferred,
    })))
}

fn heads_of(doc: &mut Document) -> Vec<[u8; 32]> {
    doc.heads().into_iter().map(|h| h.0).collect()
}

/// The stable code of an approval that does not verify.
fn invalid_code(i: &Invalid) -> &'static str {
    match i {
        Invalid::Malformed { .. } => "malformed",
        Invalid::BadSignature => "bad_signature",
        Invalid::UnknownDevice { .. } => "unknown_device",
        Invalid::KeyMismatch { .. } => "key_mismatch",
        Invalid::DeviceRevoked { .. } => "device_revoked",
        Invalid::SignedBeforeEnrollment { .. } => "signed_before_enrollment",
        Invalid::WrongRole { .. } => "wrong_role",
        Invalid::WrongBranch { .. } => "wrong_branch",
        Invalid::WrongDocument { .. } => "wrong_document",
        Invalid::HeadsUnknown { .. } => "unknown_heads",
        Invalid::NotChairOrClerk { .. } => "not_chair_or_clerk",
    }
}

/// Checks one pushed sign-off and stores it; `Some((code, message))` is a refusal (nothing
/// stored). The device may push only its own sign-offs, for documents of a branch it may
/// write, and each must verify against the branch's directory (signature, device, role held
/// when signed) and the document (same id, kind and branch; heads the server has). An
/// approval also needs the approved version to be free of conflicts and complete — checked
/// on the document as it was at those heads.
fn accept_signoff(
    store: &dyn ServerStore,
    locks: &DocLocks,
    caller: &Caller<'_>,
    s: &Signoff,
    now: i64,
) -> Result<Option<(&'static str, String)>> {
    let refuse = |code: &'static str, message: String| Ok(Some((code, message)));
    if let Err(e) = s.check_well_formed() {
        return refuse("malformed", e.to_string());
    }
    if s.signer != caller.member.id
        || s.device_id != caller.device.id
        || s.public_key != caller.device.public_key
    {
        return refuse(
            "not_yours",
            "a device pushes only the sign-offs it signed".into(),
        );
    }
    if s.signed_at > now + MAX_CLOCK_SKEW_SECS {
        return refuse(
            "signed_in_future",
            "the sign-off is dated in the future; check the phone's clock".into(),
        );
    }
    let Some(meta) = store.doc_meta(&s.doc_id)? else {
        return refuse("unknown_document", "the server has no such document".into());
    };
    if !caller.may_write(&meta.scope) {
        return refuse("forbidden", "you may not sign off this document".into());
    }
    if meta.scope != Scope::Branch(s.branch_id.clone()) {
        return refuse(
            "wrong_branch",
            "the sign-off names another branch than the document's".into(),
        );
    }
    let dir = crate::directory::for_branch(store, &caller.member.committee_id, &s.branch_id)?;
    if let Err(e) = approval::verify(s, &dir) {
        return refuse(invalid_code(&e), e.to_string());
    }
    let _guard = locks.lock(&s.doc_id);
    let cached = locks.take(&s.doc_id);
    let Some((mut doc, logged)) = cached
        .map(Ok)
        .or_else(|| load_doc(store, &s.doc_id).transpose())
        .transpose()?
    else {
        return refuse("unknown_document", "the server has no such document".into());
    };
    let checked = check_signoff_on(&mut doc, s);
    locks.put(s.doc_id.clone(), doc, logged);
    if let Some(refusal) = checked {
        return Ok(Some(refusal));
    }
    let bytes = s.to_bytes()?;
    store.put_signoff(&StoredSignoff {
        seq: 0,
        id: s.id().as_str().to_owned(),
        doc_id: s.doc_id.clone(),
        scope: meta.scope,
        signer: s.signer.clone(),
        device_id: s.device_id.clone(),
        received_at: now,
        bytes,
    })?;
    Ok(None)
}

/// The document-side checks of a sign-off (see [`accept_signoff`]).
fn check_signoff_on(doc: &mut Document, s: &Signoff) -> Option<(&'static str, String)> {
    if let Err(e) = approval::check_document(s, doc) {
        return Some((invalid_code(&e), e.to_string()));
    }
    if s.action == SignoffAction::Approve {
        let at = s.change_hashes();
        let version = match doc.fork_at(&at) {
            Ok(v) => v,
            Err(e) => return Some(("unknown_heads", e.to_string())),
        };
        if let Err(e) = approval::check_ready(&version) {
            return Some(("not_ready", e.to_string()));
        }
    }
    None
}

/// Handles one sync request.
pub fn handle(
    store: &dyn ServerStore,
    locks: &DocLocks,
    caller: &Caller<'_>,
    req: &SyncRequest,
    now: i64,
) -> Result<SyncResponse, SyncError> {
    if req.version != PROTOCOL_VERSION {
        return Err(SyncError::Version(req.version));
    }
    let mut resp = SyncResponse::default();
    // Log positions of what this request stored: not echoed back in its own pull. Earlier
    // pushes of this device are not excluded, so a phone restored from an older copy of its
    // store gets its own acknowledged edits back through the log.
    let mut own_seqs: HashSet<u64> = HashSet::new();
    // Documents this request created: the device has them whole, no need to send them back.
    let mut created: HashSet<DocId> = HashSet::new();

    // ----- push --------------------------------------------------------------------------
    for push in &req.push {
        let _guard = locks.lock(&push.doc_id);
        let cached = locks.take(&push.doc_id);
        match validate_push(store, caller, push, cached, now)? {
            Outcome::Rejected(r) => {
                tracing::warn!(doc = %push.doc_id, device = %caller.device.id, code = %r.code, "push refused");
                resp.rejected.push(r);
            }
            Outcome::Need => resp.need.push(push.doc_id.clone()),
            Outcome::Deferred => {
                tracing::info!(doc = %push.doc_id, device = %caller.device.id, "push deferred: others' changes");
                resp.deferred.push(push.doc_id.clone());
            }
            Outcome::Accepted(mut a) => {
                let batch = AcceptedBatch {
                    new_docs: if a.is_new {
                        vec![a.meta.clone()]
                    } else {
                        Vec::new()
                    },
                    actor_bindings: a.bindings.clone(),
                    entries: a.entries.clone(),
                };
                if a.deferred {
                    tracing::info!(doc = %push.doc_id, device = %caller.device.id, "push partly deferred: others' changes");
                    resp.deferred.push(a.meta.doc_id.clone());
                }
                let seqs = store.append(&batch)?;
                own_seqs.extend(seqs.iter().copied());
                if a.is_new {
                    created.insert(a.meta.doc_id.clone());
                }
                let mut logged = a.logged_since_snapshot + seqs.len();
                if logged >= SNAPSHOT_EVERY {
                    if let Some(&upto) = seqs.iter().max() {
                        store.put_snapshot(&a.meta.doc_id, &a.doc.save(), upto)?;
                        logged = 0;
                    }
                }
                resp.acks.push(DocHeads {
                    doc_id: a.meta.doc_id.clone(),
                    heads: heads_of(&mut a.doc),
                });
                locks.put(a.meta.doc_id.clone(), a.doc, logged);
            }
        }
    }

    // ----- sign-offs (after the documents: an approval may name heads pushed just now) --
    for signoff in &req.signoffs {
        let id = signoff.id();
        match accept_signoff(store, locks, caller, signoff, now)? {
            None => resp.signoff_acks.push(id),
            Some((code, message)) => {
                tracing::warn!(signoff = %id, device = %caller.device.id, code, "sign-off refused");
                resp.signoff_refusals.push(SignoffRefusal {
                    id,
                    code: code.to_owned(),
                    message,
                });
            }
        }
    }
    let after = req.signoff_cursor;
    for stored in store.signoffs_after(caller.read_scopes, after)? {
        match Signoff::from_bytes(&stored.bytes) {
            Ok(mut s) => {
                s.received_at = Some(stored.received_at);
                resp.signoffs.push(s);
            }
            Err(e) => {
                tracing::error!(signoff = %stored.id, error = %e, "a stored sign-off does not decode; skipped")
            }
        }
        resp.signoff_cursor = resp.signoff_cursor.max(stored.seq);
    }
    resp.signoff_cursor = resp.signoff_cursor.max(after);

    // ----- pull --------------------------------------------------------------------------
    let epoch = store.epoch()?;
    let budget = match req.budget {
        0 => DEFAULT_RESPONSE_BUDGET,
        b => b.min(MAX_BUDGET),
    } as usize;
    let max_seq = store.max_seq()?;
    if let Some(heads) = &req.heads {
        reconcile(store, caller, heads, &mut resp)?;
        resp.cursor = Cursor {
            epoch,
            seq: max_seq,
        };
    } else if req.cursor.epoch == 0 || req.resume.is_some() {
        let end = Cursor {
            epoch,
            seq: max_seq,
        };
        first_download(store, caller, req, budget, end, &created, &mut resp)?;
    } else if req.cursor.epoch != epoch || req.cursor.seq > max_seq {
        resp.reconcile = true;
        resp.cursor = req.cursor;
    } else {
        let page = store.log_after(caller.read_scopes, req.cursor.seq, "", budget)?;
        let mut by_doc: BTreeMap<usize, (DocId, Vec<Vec<u8>>)> = BTreeMap::new();
        let mut order: HashMap<DocId, usize> = HashMap::new();
        for e in page
            .entries
            .into_iter()
            .filter(|e| !own_seqs.contains(&e.seq))
        {
            let n = order.len();
            let slot = *order.entry(e.doc_id.clone()).or_insert(n);
            by_doc
                .entry(slot)
                .or_insert_with(|| (e.doc_id.clone(), Vec::new()))
                .1
                .push(e.bytes);
        }
        for (_, (doc_id, changes)) in by_doc {
            let Some(meta) = store.doc_meta(&doc_id)? else {
                continue;
            };
            resp.docs.push(PullDoc {
                doc_id,
                kind: meta.kind,
                data: PullData::Changes(changes),
            });
        }
        resp.cursor = Cursor {
            epoch,
            seq: page.reached,
        };
        resp.more = page.more;
    }

    // ----- directory ---------------------------------------------------------------------
    let version = store.directory_version(&caller.member.committee_id)?;
    if version > req.directory_version {
        resp.directory = Some(crate::directory::for_member(store, caller.member, version)?);
    }
    Ok(resp)
}

/// A device with no cursor gets compacted documents, paged by the budget.
fn first_download(
    store: &dyn ServerStore,
    caller: &Caller<'_>,
    req: &SyncRequest,
    budget: usize,
    end: Cursor,
    created: &HashSet<DocId>,
    resp: &mut SyncResponse,
) -> Result<()> {
    let (epoch, max_seq) = (end.epoch, end.seq);
    // While resuming, the cursor the device carries is the log position the download started
    // at; changes after it arrive through the log once the download is complete.
    let start_seq = if req.resume.is_some() && req.cursor.epoch == epoch {
        req.cursor.seq
    } else {
        max_seq
    };
    let metas = store.docs_in_scopes(caller.read_scopes)?;
    let mut used = 0usize;
    let mut last = None;
    for meta in metas
        .into_iter()
        .filter(|m| req.resume.as_ref().is_none_or(|r| &m.doc_id > r))
        .filter(|m| !created.contains(&m.doc_id))
    {
        let Some((mut doc, _)) = load_or_skip(store, &meta.doc_id)? else {
            continue;
        };
        let bytes = doc.save();
        if used > 0 && used + bytes.len() > budget {
            resp.more = true;
            break;
        }
        used += bytes.len();
        last = Some(meta.doc_id.clone());
        resp.docs.push(PullDoc {
            doc_id: meta.doc_id,
            kind: meta.kind,
            data: PullData::Snapshot(bytes),
        });
    }
    resp.cursor = Cursor {
        epoch,
        seq: start_seq,
    };
    resp.resume = if resp.more { last } else { None };
    if !resp.more {
        // Whatever was logged after the download started follows through the log.
        resp.more = start_seq < store.max_seq()?;
    }
    Ok(())
}

/// Fallback when the cursor means nothing here: compare heads document by document.
fn reconcile(
    store: &dyn ServerStore,
    caller: &Caller<'_>,
    device_heads: &[DocHeads],
    resp: &mut SyncResponse,
) -> Result<()> {
    let theirs: HashMap<&DocId, &Vec<[u8; 32]>> =
        device_heads.iter().map(|d| (&d.doc_id, &d.heads)).collect();
    for meta in store.docs_in_scopes(caller.read_scopes)? {
        let Some((mut doc, _)) = load_or_skip(store, &meta.doc_id)? else {
            continue;
        };
        match theirs.get(&meta.doc_id) {
            None => resp.docs.push(PullDoc {
                doc_id: meta.doc_id.clone(),
                kind: meta.kind,
                data: PullData::Snapshot(doc.save()),
            }),
            Some(heads) => {
                let heads: Vec<ChangeHash> = heads.iter().map(|h| ChangeHash(*h)).collect();
                if doc.has_all(&heads) {
                    let changes = doc.changes_since(&heads);
                    if !changes.is_empty() {
                        resp.docs.push(PullDoc {
                            doc_id: meta.doc_id.clone(),
                            kind: meta.kind,
                            data: PullData::Changes(changes),
                        });
                    }
                } else {
                    // The device has changes we lack: it must push them; and it gets ours.
                    resp.need.push(meta.doc_id.clone());
                    resp.docs.push(PullDoc {
                        doc_id: meta.doc_id.clone(),
                        kind: meta.kind,
                        data: PullData::Snapshot(doc.save()),
                    });
                }
            }
        }
    }
    // Documents the device holds that the server has never seen: ask for them.
    for d in device_heads {
        if store.doc_meta(&d.doc_id)?.is_none() {
            resp.need.push(d.doc_id.clone());
        }
    }
    Ok(())
}
