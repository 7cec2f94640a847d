//! Server storage behind one trait, chosen at run time (`Arc<dyn ServerStore>`).
//!
//! Backends: [`sqlite::SqliteStore`] (the embedded default: one file in the data directory)
//! and [`memory::MemoryStore`] (tests). A later step adds PostgreSQL. One conformance suite
//! (`tests/conformance.rs`) runs against every backend, so they behave alike.
//!
//! The trait is synchronous: handlers call it inside `tokio::task::spawn_blocking`. Every
//! method that writes is atomic: it either stores all it was given or nothing.

mod group_commit;
pub mod memory;
pub mod sqlite;

use serde::{Deserialize, Serialize};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{CommitteeSettings, RoleSpan, Span};

use crate::{Error, Result};

/// A committee (đảng bộ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    /// Id ("c-song-lam-xanh").
    pub id: String,
    /// Name (NFC).
    pub name: String,
}

/// A branch (chi bộ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// Id ("b-co-dien").
    pub id: BranchId,
    /// The committee it belongs to.
    pub committee_id: String,
    /// Name (NFC).
    pub name: String,
}

/// A member as the server knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerMember {
    /// Id.
    pub id: MemberId,
    /// The committee.
    pub committee_id: String,
    /// The branch; `None` for committee-level staff (inspectors, admins).
    pub branch_id: Option<BranchId>,
    /// Full name (NFC).
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Status.
    pub status: MemberStatus,
    /// `false` once removed: the member's devices get nothing.
    pub active: bool,
}

/// An enrolled device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Id (random, given at enrollment).
    pub id: String,
    /// The member it belongs to.
    pub member_id: MemberId,
    /// ed25519 public key.
    pub public_key: [u8; 32],
    /// A name for people.
    pub name: String,
    /// Unix seconds.
    pub enrolled_at: i64,
    /// Set once revoked: every later request is refused.
    pub revoked_at: Option<i64>,
}

/// Who may read a document: a branch, or the whole committee (library, bulletin).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// A branch's own documents.
    Branch(BranchId),
    /// Committee-wide documents.
    Committee(String),
}

/// A stored document's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Id.
    pub doc_id: DocId,
    /// Kind.
    pub kind: DocKind,
    /// Scope.
    pub scope: Scope,
}

/// One accepted change in the log, with its audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in the server's log (assigned by the store; ignored on append).
    pub seq: u64,
    /// The document.
    pub doc_id: DocId,
    /// The change hash.
    pub hash: [u8; 32],
    /// The encoded change.
    pub bytes: Vec<u8>,
    /// The device that pushed it.
    pub device_id: String,
    /// That device's member.
    pub member_id: MemberId,
    /// The server's receive time (Unix seconds).
    pub received_at: i64,
}

/// A stored sign-off (a submission or an approval of one document version).
///
/// The record itself (`bytes`, its encoded `sotay_core::approval::Signoff`) is opaque to the
/// store: the sync engine verifies it before storing, and devices verify it again. The store
/// keeps beside it only what it needs to index, scope and audit it. Sign-offs are not in the
/// change log: they are not Automerge changes, and a document's log must replay to exactly
/// its content. So they have their own sequence, [`StoredSignoff::seq`], which devices use as
/// a second pull cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignoff {
    /// Position in the sign-off sequence (assigned by the store; ignored on put).
    pub seq: u64,
    /// The record's id: 32 lowercase hex digits (`sotay_core::approval::SignoffId`).
    pub id: String,
    /// The document signed.
    pub doc_id: DocId,
    /// The document's scope (must equal the stored document's).
    pub scope: Scope,
    /// Who signed.
    pub signer: MemberId,
    /// The signing device.
    pub device_id: String,
    /// The server's receive time (Unix seconds).
    pub received_at: i64,
    /// The encoded record.
    pub bytes: Vec<u8>,
}

/// What the server keeps beside an attachment's bytes ([`StoredBlob`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    /// The branch it belongs to: only that branch's devices (and its committee's
    /// inspectors) fetch it, as with the branch's documents.
    pub branch_id: BranchId,
    /// The SHA-256 of the bytes (the store checks it).
    pub sha256: [u8; 32],
    /// The size in bytes.
    pub size: u64,
    /// The device that uploaded it first.
    pub device_id: String,
    /// That device's member.
    pub member_id: MemberId,
    /// The server's receive time (Unix seconds).
    pub received_at: i64,
}

/// An attachment's bytes, content-addressed and scoped to a branch: a blob is stored per
/// (branch, SHA-256), so two branches holding the same file each hold their own copy and
/// neither learns whether the other has it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// Everything but the bytes.
    pub meta: BlobMeta,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StoredBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Megabytes of file content help nobody reading a log or a failed assertion.
        f.debug_struct("StoredBlob")
            .field("meta", &self.meta)
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .finish()
    }
}

/// Everything one sync request adds, stored atomically by [`ServerStore::append`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptedBatch {
    /// Documents seen for the first time.
    pub new_docs: Vec<DocMeta>,
    /// Automerge actors seen for the first time, bound to the pushing device.
    pub actor_bindings: Vec<(Vec<u8>, String)>,
    /// The accepted changes, in causal order. Entries whose (doc, hash) is already stored are
    /// skipped, so a retried request stores nothing twice.
    pub entries: Vec<LogEntry>,
}

/// The storage a sync server needs.
pub trait ServerStore: Send + Sync + std::fmt::Debug + 'static {
    // ----- organisation ---------------------------------------------------------------------

    /// Creates a committee; an existing id is an error.
    fn create_committee(&self, committee: &Committee) -> Result<()>;
    /// A committee by id.
    fn committee(&self, id: &str) -> Result<Option<Committee>>;
    /// Creates a branch; an existing id is an error; the committee must exist.
    fn create_branch(&self, branch: &Branch) -> Result<()>;
    /// A branch by id.
    fn branch(&self, id: &BranchId) -> Result<Option<Branch>>;
    /// A committee's branches, by id.
    fn branches(&self, committee_id: &str) -> Result<Vec<Branch>>;
    /// Adds or replaces a member (also how a member is moved, re-roled or removed) at Unix
    /// time `at`; bumps the committee's directory version.
    ///
    /// Also keeps the member's role history ([`ServerStore::role_history`]): when the member
    /// is first added, or their role, branch or `active` changes, their open span is closed
    /// at `at` and, if they are active, a new one `{branch_id, role, from: at}` is opened.
    /// Other changes (name, status, an identical put) leave the history alone. Why: a
    /// sign-off is checked against the role its signer held *when signing*, so an approval
    /// signed by the secretary stays valid after a re-election, and one signed after she
    /// handed over the office does not count.
    ///
    /// Should `at` be earlier than the end of the history so far (an administrator's clock
    /// stepped back), the change takes effect at that end instead, so spans never overlap.
    fn put_member(&self, member: &ServerMember, at: i64) -> Result<()>;
    /// Every role `member` held, oldest first: at most the last one is open (`until ==
    /// None`), and none is open once the member was removed. Empty for an unknown member.
    /// A span may be empty (`from == until`) when two changes fell in the same second.
    fn role_history(&self, member: &MemberId) -> Result<Vec<RoleSpan>>;
    /// A member by id (removed ones included, with `active == false`).
    fn member(&self, id: &MemberId) -> Result<Option<ServerMember>>;
    /// A committee's members (removed ones included), by id.
    fn members(&self, committee_id: &str) -> Result<Vec<ServerMember>>;
    /// The committee's directory version (0 before any member).
    fn directory_version(&self, committee_id: &str) -> Result<u64>;
    /// Turns the delegation of a branch's annual-plan approval to its deputy secretary on or
    /// off at Unix time `at`: opens a span (`delegated`, none open) or closes the open one at
    /// `at` (not `delegated`, one open), and then bumps the committee's directory version. A
    /// call that changes nothing stores nothing. An unknown branch is [`Error::NotFound`].
    ///
    /// Why spans rather than a flag: a deputy's approval is checked against the delegation in
    /// force when she signed, so withdrawing it later does not void what she approved while
    /// it held. An `at` before the end of the history so far is moved to it (as in
    /// `put_member`).
    fn set_plan_delegation(&self, branch: &BranchId, delegated: bool, at: i64) -> Result<()>;
    /// The branch's plan-approval delegations, oldest first (at most the last one open).
    /// Empty for an unknown branch.
    fn plan_delegations(&self, branch: &BranchId) -> Result<Vec<Span>>;

    /// Replaces the committee's own settings (checked by the caller: `crate::admin`); a
    /// change bumps its directory version so every phone receives it, a call that changes
    /// nothing stores nothing. An unknown committee is [`Error::NotFound`].
    fn set_committee_settings(
        &self,
        committee_id: &str,
        settings: &CommitteeSettings,
    ) -> Result<()>;
    /// The committee's own settings (the defaults — all `None` — until its admin sets any,
    /// and for an unknown committee).
    fn committee_settings(&self, committee_id: &str) -> Result<CommitteeSettings>;

    // ----- enrollment and devices ----------------------------------------------------------

    /// Stores a one-time enrollment code, by its SHA-256 (the code itself is never stored).
    fn create_enrollment_code(
        &self,
        code_hash: [u8; 32],
        member: &MemberId,
        expires_at: i64,
    ) -> Result<()>;
    /// Redeems a code atomically: if it exists, is unused and not expired at `now`, marks it
    /// used and stores `device` for the code's member (the device's `member_id` is replaced by
    /// the code's). Returns the stored device, or `None` when the code is not redeemable.
    fn redeem_enrollment_code(
        &self,
        code_hash: [u8; 32],
        device: &Device,
        now: i64,
    ) -> Result<Option<Device>>;
    /// A device by id.
    fn device(&self, id: &str) -> Result<Option<Device>>;
    /// A member's devices.
    fn devices_of_member(&self, member: &MemberId) -> Result<Vec<Device>>;
    /// Revokes a device; returns whether it existed and was not revoked already.
    fn revoke_device(&self, id: &str, now: i64) -> Result<bool>;
    /// Records a request nonce; `false` if this device used it before (a replay). May forget
    /// nonces older than `forget_before`.
    fn remember_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool>;

    // ----- documents and the log -----------------------------------------------------------

    /// This database's epoch: random, fixed when the database is created.
    fn epoch(&self) -> Result<u64>;
    /// The server's ed25519 secret key: random, made when the database is created and kept in
    /// it (a restored backup keeps it; `mark_restored` does not change it). It signs the
    /// member directories the server hands out, and every phone pins its public key at
    /// enrollment, so a directory altered on a phone — to make a forged approval look valid —
    /// does not verify. Anyone holding the database holds this key: protect it as such.
    fn server_secret(&self) -> Result<[u8; 32]>;
    /// The highest log sequence number (0 when empty).
    fn max_seq(&self) -> Result<u64>;
    /// A document's metadata.
    fn doc_meta(&self, doc_id: &DocId) -> Result<Option<DocMeta>>;
    /// Documents in any of `scopes`, by id.
    fn docs_in_scopes(&self, scopes: &[Scope]) -> Result<Vec<DocMeta>>;
    /// A document's stored snapshot (if any, with the seq it covers) and every logged change
    /// after it, in log order.
    fn doc_data(&self, doc_id: &DocId) -> Result<DocData>;
    /// Replaces a document's snapshot (covering the log up to `upto_seq`).
    fn put_snapshot(&self, doc_id: &DocId, snapshot: &[u8], upto_seq: u64) -> Result<()>;
    /// The device an Automerge actor is bound to.
    fn actor_device(&self, actor: &[u8]) -> Result<Option<String>>;
    /// Stores a batch atomically; returns the seqs given to the entries actually added.
    fn append(&self, batch: &AcceptedBatch) -> Result<Vec<u64>>;
    /// Log entries after `after` in any of `scopes`, not pushed by `exclude_device`, in seq
    /// order, stopping once their bytes reach `budget` (at least one entry if any); the bool
    /// says whether more remain. Also returns the seq up to which the scan went (so a device
    /// skips past entries it should not see).
    fn log_after(
        &self,
        scopes: &[Scope],
        after: u64,
        exclude_device: &str,
        budget: usize,
    ) -> Result<LogPage>;
    /// The audit trail of a document: every entry with device and member, in seq order.
    fn audit(&self, doc_id: &DocId) -> Result<Vec<LogEntry>>;

    // ----- sign-offs -----------------------------------------------------------------------

    /// Stores a verified sign-off and returns its seq (in the sign-off sequence, not the
    /// log's). Idempotent by id: when the id is stored already nothing is stored and the
    /// existing seq is returned, so a device retrying a push stores nothing twice. The
    /// document must exist ([`Error::NotFound`]), `scope` must equal its scope and `id` be 32
    /// lowercase hex digits ([`Error::InvalidInput`]); a refused put stores nothing.
    fn put_signoff(&self, signoff: &StoredSignoff) -> Result<u64>;
    /// Sign-offs after seq `after` in any of `scopes`, in seq order. Not paged: sign-offs are
    /// few (a handful per document) and small.
    fn signoffs_after(&self, scopes: &[Scope], after: u64) -> Result<Vec<StoredSignoff>>;
    /// A document's sign-offs, in seq order.
    fn signoffs_of(&self, doc: &DocId) -> Result<Vec<StoredSignoff>>;
    /// The highest sign-off seq (0 when none).
    fn max_signoff_seq(&self) -> Result<u64>;

    // ----- attachments' blobs ----------------------------------------------------------------

    /// Stores a blob; returns `true` if it was stored now, `false` if the branch had it
    /// already (then nothing changes: the first upload's metadata stays, so a retried or
    /// repeated upload stores nothing twice). The store checks what it keys by: the bytes
    /// must hash to `meta.sha256` and be `meta.size` long ([`Error::InvalidInput`]), and the
    /// branch must exist ([`Error::NotFound`]); a refused put stores nothing. Size limits are
    /// the server's (checked before the bytes are read), not the store's.
    fn put_blob(&self, blob: &StoredBlob) -> Result<bool>;
    /// A blob's metadata, without reading its bytes (answers `HEAD`).
    fn blob_meta(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<BlobMeta>>;
    /// A blob with its bytes.
    fn blob(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<StoredBlob>>;
}

/// A document's stored snapshot (with the log seq it covers), if any, and every logged change
/// after it, in log order.
pub type DocData = (Option<(Vec<u8>, u64)>, Vec<Vec<u8>>);

/// A page of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogPage {
    /// The entries.
    pub entries: Vec<LogEntry>,
    /// The seq the scan reached (the device's next cursor).
    pub reached: u64,
    /// More entries remain after `reached`.
    pub more: bool,
}

// Helpers shared by the backends, so they choose epochs and word refusals alike.

/// A fresh database epoch: random, in `1..=i64::MAX` (0 means "never synced" in a cursor,
/// and SQLite stores it as a signed 64-bit integer).
pub(super) fn new_epoch() -> u64 {
    (rand::random::<u64>() >> 1).max(1)
}

/// A fresh server secret key: 32 random bytes (any 32 bytes are an ed25519 secret key).
pub(super) fn new_server_secret() -> [u8; 32] {
    loop {
        // `rand::random` is ChaCha-based and seeded from the OS: cryptographically secure.
        let secret: [u8; 32] = rand::random();
        if secret != [0; 32] {
            return secret;
        }
    }
}

/// Checks a sign-off id ([`sotay_core::approval::SignoffId`]: 32 lowercase hex digits). The
/// store checks it itself because ids are its idempotency key.
pub(super) fn check_signoff_id(id: &str) -> Result<()> {
    sotay_core::approval::SignoffId::parse(id)
        .map(drop)
        .map_err(|_| {
            Error::InvalidInput(format!(
                "{id:?} is not a sign-off id (32 lowercase hex digits)"
            ))
        })
}

/// Checks that a blob's bytes are what its metadata says (hash and size). The store checks
/// it itself because the hash is its key.
pub(super) fn check_blob(blob: &StoredBlob) -> Result<()> {
    use sha2::{Digest, Sha256};
    let actual: [u8; 32] = Sha256::digest(&blob.bytes).into();
    if actual != blob.meta.sha256 {
        return Err(Error::InvalidInput(format!(
            "the blob's bytes hash to {}, not {}",
            hex::encode(actual),
            hex::encode(blob.meta.sha256)
        )));
    }
    if blob.bytes.len() as u64 != blob.meta.size {
        return Err(Error::InvalidInput(format!(
            "the blob is {} bytes, not {}",
            blob.bytes.len(),
            blob.meta.size
        )));
    }
    Ok(())
}

/// Checks a sign-off's scope against its document's.
pub(super) fn check_signoff_scope(signoff: &StoredSignoff, doc: &DocMeta) -> Result<()> {
    if signoff.scope == doc.scope {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "sign-off {} names scope {:?}, but document {} is in {:?}",
            signoff.id, signoff.scope, doc.doc_id, doc.scope
        )))
    }
}

/// When a span change takes effect: `at`, or the end of the last span (its start if open)
/// when that is later, so a clock that stepped back never makes spans overlap.
pub(super) fn effective_at(at: i64, last: Option<(i64, Option<i64>)>) -> i64 {
    last.map_or(at, |(from, until)| at.max(until.unwrap_or(from)))
}

/// Whether a member's role history changes from `before` (none: first added) to `after`.
pub(super) fn role_changed(before: Option<&ServerMember>, after: &ServerMember) -> bool {
    before.is_none_or(|b| {
        (b.role, &b.branch_id, b.active) != (after.role, &after.branch_id, after.active)
    })
}

/// The refusal for a `new_docs` entry that contradicts what is stored (or earlier in the batch).
pub(super) fn conflicting_doc(new: &DocMeta, known: &DocMeta) -> Error {
    Error::InvalidInput(format!(
        "document {} already exists as {} in {:?}; it cannot become {} in {:?}",
        new.doc_id, known.kind, known.scope, new.kind, new.scope
    ))
}

/// The refusal for binding an actor that is already bound to another device. The other
/// device is not named: the message may reach the pushing device.
pub(super) fn actor_taken(actor: &[u8]) -> Error {
    Error::InvalidInput(format!(
        "actor {} belongs to another device",
        hex::encode(actor)
    ))
}
