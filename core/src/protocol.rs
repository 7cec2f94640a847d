//! The wire protocol between a device and `sotay-server`, shared by both sides.
//!
//! One module of serde types, versioned ([`PROTOCOL_VERSION`]), documented in
//! `docs/protocol.md`. Sync is **one HTTP request per sync for all documents** in the device's
//! scope: the request carries every document's unsent changes and the device's pull cursor
//! (a position in the server's log of accepted changes); the response carries every change in
//! scope after the cursor, the acknowledgements and the new cursor. An idle reconnect is a
//! few bytes whatever the number of documents.
//!
//! Bodies of `/v1/sync` are `zstd(postcard(..))`; the small enrollment and admin bodies are
//! JSON. Requests are authenticated by the device's ed25519 key: every request is signed
//! ([`AuthHeader`]) over its method, path, time, a nonce and the body's SHA-256, so no
//! long-lived secret travels, a replay is refused, and a revoked device is refused on its
//! very next request.

use crate::approval::{Signoff, SignoffId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{BranchId, DocId, DocKind, MemberId};
use crate::org::{MemberStatus, Role};
use crate::{Error, Result};

/// The protocol version this build speaks. A server refuses other versions with 426.
pub const PROTOCOL_VERSION: u16 = 1;

/// Largest accepted request body, compressed (bytes).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;

/// Largest accepted request body once decompressed (bytes): a zip bomb stops here.
pub const MAX_DECOMPRESSED_BYTES: usize = 32 * 1024 * 1024;

/// Default size budget of one sync response before it is continued (bytes, uncompressed).
pub const DEFAULT_RESPONSE_BUDGET: u32 = 512 * 1024;

/// How far a request's time may be from the server's (seconds).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The HTTP header carrying the signature.
pub const AUTH_HEADER: &str = "x-sotay-auth";

/// Paths.
pub mod paths {
    /// Redeem an enrollment code (unauthenticated; JSON).
    pub const ENROLL: &str = "/v1/enroll";
    /// Sync (authenticated; zstd + postcard).
    pub const SYNC: &str = "/v1/sync";
    /// Liveness.
    pub const HEALTH: &str = "/healthz";
    /// Attachments' bytes (authenticated; raw bytes): `PUT`, `GET` and `HEAD` on
    /// `/v1/blobs/<branch>/<sha256>` ([`blob`]).
    pub const BLOBS: &str = "/v1/blobs";
    /// The server's route pattern for one blob.
    pub const BLOB_ROUTE: &str = "/v1/blobs/{branch}/{sha256}";

    /// The path of one blob of a branch: the branch id percent-encoded (every byte but
    /// `A–Z a–z 0–9 - . _ ~`), the hash as 64 lowercase hex digits. Devices sign exactly this
    /// string, and the server checks the signature over the path as received.
    pub fn blob(branch: &crate::ids::BranchId, hash: &crate::blob::BlobHash) -> String {
        let mut branch_part = String::new();
        for b in branch.as_str().bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                branch_part.push(char::from(b));
            } else {
                branch_part.push_str(&format!("%{b:02X}"));
            }
        }
        format!("{BLOBS}/{branch_part}/{hash}")
    }
}

// ----- enrollment --------------------------------------------------------------------------

/// A device redeems a one-time code and registers its public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time enrollment code the admin issued to the member.
    pub code: String,
    /// The device's ed25519 public key, hex.
    pub public_key: String,
    /// A name for the device ("Redmi 9A của Việt").
    pub device_name: String,
}

/// What the device learns on enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The device id to name in every signed request.
    pub device_id: String,
    /// The member the device now belongs to.
    pub member: DirectoryMember,
    /// The committee.
    pub committee_id: String,
    /// The server's ed25519 public key, hex: the device pins it and checks every directory
    /// it receives against it (see [`Directory::verify`]).
    pub server_key: String,
}

// ----- authentication ----------------------------------------------------------------------

/// The signed-request header: `device=<id>,ts=<unix>,nonce=<hex>,sig=<hex>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    /// The enrolled device.
    pub device_id: String,
    /// Unix seconds when signed.
    pub ts: i64,
    /// 16 random bytes, hex: a request is accepted once.
    pub nonce: String,
    /// ed25519 signature over [`signing_payload`], hex.
    pub signature: String,
}

impl AuthHeader {
    /// Renders the header value.
    pub fn to_header_value(&self) -> String {
        format!(
            "device={},ts={},nonce={},sig={}",
            self.device_id, self.ts, self.nonce, self.signature
        )
    }

    /// Parses a header value.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidInput(format!("malformed {AUTH_HEADER} header: {why}"));
        let (mut device, mut ts, mut nonce, mut sig) = (None, None, None, None);
        for part in s.split(',') {
            let (k, v) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| bad("expected key=value"))?;
            match k {
                "device" => device = Some(v.to_owned()),
                "ts" => ts = Some(v.parse::<i64>().map_err(|_| bad("ts is not a number"))?),
                "nonce" => nonce = Some(v.to_owned()),
                "sig" => sig = Some(v.to_owned()),
                _ => return Err(bad("unknown key")),
            }
        }
        let header = AuthHeader {
            device_id: device.ok_or_else(|| bad("no device"))?,
            ts: ts.ok_or_else(|| bad("no ts"))?,
            nonce: nonce.ok_or_else(|| bad("no nonce"))?,
            signature: sig.ok_or_else(|| bad("no sig"))?,
        };
        let hex_ok =
            |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
        if header.device_id.is_empty() || header.device_id.len() > 64 {
            return Err(bad("device id length"));
        }
        if !hex_ok(&header.nonce, 32) || !hex_ok(&header.signature, 128) {
            return Err(bad("nonce or signature is not hex of the right length"));
        }
        Ok(header)
    }
}

/// The bytes a device signs: domain tag, method, path, time, nonce and the body's SHA-256.
pub fn signing_payload(method: &str, path: &str, ts: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    signing_payload_for_digest(method, path, ts, nonce, &Sha256::digest(body).into())
}

/// [`signing_payload`] for a body whose SHA-256 is already known (a blob upload: its hash is
/// computed once, for the signature and the content check alike).
pub fn signing_payload_for_digest(
    method: &str,
    path: &str,
    ts: i64,
    nonce: &str,
    body_hash: &[u8; 32],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(96 + path.len());
    out.extend_from_slice(b"SOTAY-REQUEST-V1\n");
    out.extend_from_slice(method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(path.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(ts.to_string().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(nonce.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(body_hash);
    out
}

// ----- sync --------------------------------------------------------------------------------

/// A position in the server's log of accepted changes. `epoch` names the server database
/// (a restored or replaced server has a new one), `seq` the last log entry the device has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The server database's epoch (0 = the device has never synced).
    pub epoch: u64,
    /// The last log sequence number the device has received.
    pub seq: u64,
}

/// A change hash (32 bytes).
pub type Hash = [u8; 32];

/// One sync exchange, device → server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// [`PROTOCOL_VERSION`].
    pub version: u16,
    /// Where the device's pull stands.
    pub cursor: Cursor,
    /// Changes the server has not acknowledged, per document.
    pub push: Vec<PushDoc>,
    /// Response size budget in bytes (uncompressed); 0 = the server's default.
    pub budget: u32,
    /// The member directory version the device has (0 = none).
    pub directory_version: u64,
    /// Fallback reconciliation: the device's heads of every document it holds, sent when the
    /// server asked for it (`SyncResponse::reconcile`).
    pub heads: Option<Vec<DocHeads>>,
    /// A first download in progress: the last document received (from `SyncResponse::resume`).
    pub resume: Option<DocId>,
    /// Sign-offs (submissions, approvals) made on this device and not yet acknowledged.
    pub signoffs: Vec<Signoff>,
    /// The last sign-off position received (`SyncResponse::signoff_cursor`; 0 = none).
    pub signoff_cursor: u64,
}

/// A document's unsent changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDoc {
    /// The document.
    pub doc_id: DocId,
    /// Its kind (checked against the document itself).
    pub kind: DocKind,
    /// Encoded Automerge changes, in causal order.
    pub changes: Vec<Vec<u8>>,
}

/// A document's heads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocHeads {
    /// The document.
    pub doc_id: DocId,
    /// Its heads.
    pub heads: Vec<Hash>,
}

/// One sync exchange, server → device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The device's new cursor (store it once the response is applied).
    pub cursor: Cursor,
    /// Per pushed document: the server's heads after accepting the push.
    pub acks: Vec<DocHeads>,
    /// Documents refused, with the reason; nothing of them was stored.
    pub rejected: Vec<Rejection>,
    /// What the device lacks, per document.
    pub docs: Vec<PullDoc>,
    /// More is waiting after `cursor` (the response hit its budget): sync again at once.
    pub more: bool,
    /// The server cannot serve this cursor (other epoch, or a gap): send `heads` next time.
    pub reconcile: bool,
    /// Documents whose changes the server lacks (a restored server): push all their changes.
    pub need: Vec<DocId>,
    /// The member directory, when newer than the device's.
    pub directory: Option<Directory>,
    /// A first download (compacted documents) is under way and continues after this
    /// document: send it back as `SyncRequest::resume` (with `more`).
    pub resume: Option<DocId>,
    /// Documents whose push held changes written by another member or on another device
    /// (what a phone holds after the server was restored from an older copy): those were not
    /// stored — only their own device may bring them — and the device keeps them unsent and
    /// pushes again next sync. Its own changes among them were stored if they could be.
    pub deferred: Vec<DocId>,
    /// Pushed sign-offs the server stored (or already had).
    pub signoff_acks: Vec<SignoffId>,
    /// Pushed sign-offs the server refused; nothing of them was stored.
    pub signoff_refusals: Vec<SignoffRefusal>,
    /// Sign-offs in the device's scope after its `signoff_cursor` (with `received_at`).
    pub signoffs: Vec<Signoff>,
    /// Where the device's sign-off pull now stands.
    pub signoff_cursor: u64,
}

/// A sign-off the server refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffRefusal {
    /// The sign-off.
    pub id: SignoffId,
    /// A stable code (`bad_signature`, `wrong_role`, `device_revoked`, `unknown_heads`, …).
    pub code: String,
    /// For people.
    pub message: String,
}

/// What a device receives for one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullDoc {
    /// The document.
    pub doc_id: DocId,
    /// Its kind.
    pub kind: DocKind,
    /// Changes or a compacted snapshot.
    pub data: PullData,
}

/// The payload of a [`PullDoc`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PullData {
    /// Encoded changes, in log order.
    Changes(Vec<Vec<u8>>),
    /// A compacted document (`save()`), for a device that lacks most of it.
    Snapshot(Vec<u8>),
}

/// Why a pushed document was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The document.
    pub doc_id: DocId,
    /// A stable code (`invalid_change`, `forbidden`, `actor_mismatch`, `kind_mismatch`, …).
    pub code: String,
    /// For people.
    pub message: String,
}

/// The member directory a device holds (its branch; the whole committee for inspectors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Version (increases with every change).
    pub version: u64,
    /// The committee.
    pub committee_id: String,
    /// Its name ("Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh", NFC), for the header of the
    /// branch's official papers.
    pub committee_name: String,
    /// Members: everyone who ever belonged to the device's branch (the whole committee for
    /// inspectors and admins), removed and moved members included (`active == false`), with
    /// their role history and device keys, so every approval they signed stays checkable.
    pub members: Vec<DirectoryMember>,
    /// The branches listed, with their delegations.
    pub branches: Vec<DirectoryBranch>,
    /// What the committee set for every phone of it (signed with the rest, so a phone cannot
    /// score its members on weights of its own).
    pub settings: CommitteeSettings,
    /// When the server issued this directory (Unix seconds).
    pub issued_at: i64,
    /// ed25519 signature (64 bytes) by the server's key over [`Directory::signing_bytes`]: a
    /// directory altered on the phone (or anywhere between) does not verify.
    pub signature: Vec<u8>,
}

/// A committee's own settings, set by its admin on the server (`sotay-server admin committee
/// set-evidence-weights | set-quality-grid`) and carried in the signed directory. Each is the
/// JSON of its core type, checked by the server before it is stored and by the phone again
/// when read; `None`: the committee keeps the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeSettings {
    /// Participation-evidence weights (`store::evidence::Weights`).
    pub evidence_weights: Option<String>,
    /// The meeting-quality self-score grid (`model::session::QualityGrid`).
    pub quality_grid: Option<String>,
}

/// A member as the directory lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryMember {
    /// Id.
    pub id: MemberId,
    /// Current branch (`None`: committee-level staff, or removed).
    pub branch_id: Option<BranchId>,
    /// Full name (NFC).
    pub full_name: String,
    /// Current role.
    pub role: Role,
    /// Status.
    pub status: MemberStatus,
    /// `false` once removed from the party organisation here (kept for old signatures).
    pub active: bool,
    /// Every role held, oldest first.
    pub roles: Vec<RoleSpan>,
    /// Every enrolled device, revoked ones included.
    pub devices: Vec<DirectoryDevice>,
}

/// A period during which a member held a role in a branch (or at committee level).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSpan {
    /// The branch (`None`: committee level).
    pub branch_id: Option<BranchId>,
    /// The role.
    pub role: Role,
    /// From (Unix seconds, inclusive).
    pub from: i64,
    /// Until (exclusive); `None` while it lasts.
    pub until: Option<i64>,
}

impl RoleSpan {
    /// Whether the span covers `at`.
    pub fn covers(&self, at: i64) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// A period (Unix seconds, `from` inclusive, `until` exclusive; `None` while it lasts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Start.
    pub from: i64,
    /// End.
    pub until: Option<i64>,
}

impl Span {
    /// Whether the span covers `at`.
    pub fn covers(&self, at: i64) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// An enrolled device, as the directory lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryDevice {
    /// Id.
    pub id: String,
    /// ed25519 public key.
    pub public_key: [u8; 32],
    /// Enrolled at (Unix seconds).
    pub enrolled_at: i64,
    /// Revoked at, if revoked.
    pub revoked_at: Option<i64>,
}

/// A branch, as the directory lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryBranch {
    /// Id.
    pub id: BranchId,
    /// Name (NFC).
    pub name: String,
    /// When the branch delegated approval of its annual plan to its deputy secretary.
    pub plan_delegations: Vec<Span>,
}

impl Directory {
    /// The bytes the server signs: a domain tag, then the directory with a zeroed signature,
    /// in postcard (deterministic for these types: fixed field order, no maps).
    pub fn signing_bytes(&self) -> Result<Vec<u8>> {
        let unsigned = Directory {
            signature: Vec::new(),
            ..self.clone()
        };
        postcard::to_allocvec(&("sotay-directory-v1", &unsigned))
            .map_err(|e| Error::InvalidInput(format!("cannot encode the directory: {e}")))
    }

    /// Signs with the server's key.
    pub fn sign(&mut self, key: &ed25519_dalek::SigningKey) -> Result<()> {
        use ed25519_dalek::Signer;
        self.signature = key.sign(&self.signing_bytes()?).to_bytes().to_vec();
        Ok(())
    }

    /// Checks the server's signature.
    pub fn verify(&self, server_key: &[u8; 32]) -> Result<()> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(server_key)
            .map_err(|_| Error::InvalidInput("the pinned server key is not a valid key".into()))?;
        let bad =
            || Error::InvalidInput("the member directory is not signed by this server".into());
        let sig: [u8; 64] = self.signature.as_slice().try_into().map_err(|_| bad())?;
        let sig = ed25519_dalek::Signature::from_bytes(&sig);
        key.verify_strict(&self.signing_bytes()?, &sig)
            .map_err(|_| {
                Error::InvalidInput("the member directory is not signed by this server".into())
            })
    }
}

/// A directory is what a phone (and the server) verify sign-offs against: device keys with
/// their enrollment and revocation times, each member's role history, each branch's
/// delegations.
impl crate::approval::Authority for Directory {
    fn device(&self, device_id: &str) -> Option<crate::approval::DeviceFacts> {
        self.members.iter().find_map(|m| {
            m.devices
                .iter()
                .find(|d| d.id == device_id)
                .map(|d| crate::approval::DeviceFacts {
                    member: m.id.clone(),
                    public_key: d.public_key,
                    enrolled_at: d.enrolled_at,
                    revoked_at: d.revoked_at,
                })
        })
    }

    fn role_at(&self, member: &MemberId, at: i64) -> Option<(BranchId, Role)> {
        let m = self.members.iter().find(|m| &m.id == member)?;
        let span = m.roles.iter().rev().find(|r| r.covers(at))?;
        Some((span.branch_id.clone()?, span.role))
    }

    fn deputy_approves_plans(&self, branch: &BranchId, at: i64) -> bool {
        self.branches
            .iter()
            .filter(|b| &b.id == branch)
            .any(|b| b.plan_delegations.iter().any(|s| s.covers(at)))
    }
}

/// Error body of every non-2xx response (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code (`unauthorized`, `forbidden`, `bad_request`, `too_large`, `version`, …).
    pub code: String,
    /// For people; never contains another branch's data.
    pub message: String,
}

/// Encodes a sync body: postcard, then zstd.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let raw = postcard::to_allocvec(value)
        .map_err(|e| Error::InvalidInput(format!("cannot encode: {e}")))?;
    codec::compress(&raw)
}

/// Decodes a sync body, refusing more than [`MAX_DECOMPRESSED_BYTES`] once decompressed.
pub fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T> {
    let raw = codec::decompress(body, MAX_DECOMPRESSED_BYTES)?;
    postcard::from_bytes(&raw)
        .map_err(|e| Error::InvalidInput(format!("body does not decode: {e}")))
}

/// zstd with pooled contexts.
///
/// Why: a context costs more to create (allocations of hundreds of KiB, zeroed) than a small
/// body costs to compress; under load every request created two, and malloc showed at the top
/// of the server's profile. A small shared pool rather than one per thread: the server's
/// blocking pool can hold hundreds of threads, and a context each would cost hundreds of MiB.
mod codec {
    use std::io::Read;
    use std::sync::{Mutex, PoisonError};

    use crate::{Error, Result};

    /// zstd level of every body (both directions).
    const LEVEL: i32 = 3;

    /// Idle contexts kept of each kind.
    const POOLED: usize = 8;

    static COMPRESSORS: Mutex<Vec<zstd::bulk::Compressor<'static>>> = Mutex::new(Vec::new());
    static DECOMPRESSORS: Mutex<Vec<zstd::bulk::Decompressor<'static>>> = Mutex::new(Vec::new());

    /// Runs `f` with a context from `pool` (or a new one from `make`), then returns it.
    fn with_pooled<C, R>(
        pool: &Mutex<Vec<C>>,
        make: impl FnOnce() -> std::io::Result<C>,
        f: impl FnOnce(&mut C) -> R,
    ) -> std::io::Result<R> {
        let pooled = pool.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut ctx = match pooled {
            Some(c) => c,
            None => make()?,
        };
        let r = f(&mut ctx);
        let mut pool = pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < POOLED {
            pool.push(ctx);
        }
        Ok(r)
    }

    pub(super) fn compress(raw: &[u8]) -> Result<Vec<u8>> {
        with_pooled(
            &COMPRESSORS,
            || zstd::bulk::Compressor::new(LEVEL),
            |c| c.compress(raw),
        )
        .and_then(|r| r)
        .map_err(Error::Io)
    }

    /// Decompresses at most `cap` bytes. A single frame that declares its size (what
    /// [`compress`] writes) is decompressed in one call into a buffer of exactly that size;
    /// anything else is streamed with the cap, so a frame that declares no size, or lies about
    /// it, cannot make us reserve (or fill) more than the limit.
    pub(super) fn decompress(body: &[u8], cap: usize) -> Result<Vec<u8>> {
        let bad = |e: &dyn std::fmt::Display| {
            Error::InvalidInput(format!("body is not zstd within the size limit: {e}"))
        };
        if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(body) {
            if size > cap as u64 {
                return Err(bad(&"over the limit"));
            }
            let fast = with_pooled(&DECOMPRESSORS, zstd::bulk::Decompressor::new, |d| {
                d.decompress(body, size as usize).ok()
            });
            if let Ok(Some(raw)) = fast.map(|r| r.filter(|raw| raw.len() as u64 == size)) {
                return Ok(raw);
            }
        }
        let decoder = zstd::stream::read::Decoder::new(body).map_err(|e| bad(&e))?;
        let mut raw = Vec::with_capacity(body.len().saturating_mul(4).min(cap));
        decoder
            .take(cap as u64 + 1)
            .read_to_end(&mut raw)
            .map_err(|e| bad(&e))?;
        if raw.len() > cap {
            return Err(bad(&"over the limit"));
        }
        Ok(raw)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_auth_header_round_trips_and_rejects_garbage() {
        let h = AuthHeader {
            device_id: "d1".into(),
            ts: 1_767_000_000,
            nonce: "0".repeat(32),
            signature: "a".repeat(128),
        };
        assert_eq!(AuthHeader::parse(&h.to_header_value()).ok(), Some(h));
        for bad in [
            "",
            "device=d1",
            "device=d1,ts=x,nonce=00,sig=00",
            "device=d1,ts=1,nonce=zz,sig=00",
        ] {
            assert!(AuthHeader::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn test_sync_bodies_round_trip_and_garbage_is_an_error() {
        let req = SyncRequest {
            version: PROTOCOL_VERSION,
            cursor: Cursor { epoch: 7, seq: 42 },
            push: vec![PushDoc {
                doc_id: DocId::new("d"),
                kind: DocKind::AnnualPlan,
                changes: vec![vec![1, 2, 3]],
            }],
            ..Default::default()
        };
        let bytes = encode(&req).expect("encode");
        assert_eq!(decode::<SyncRequest>(&bytes).expect("decode"), req);
        assert!(decode::<SyncRequest>(b"garbage").is_err());
        let truncated = &bytes[..bytes.len() / 2];
        assert!(decode::<SyncRequest>(truncated).is_err());
    }

    #[test]
    fn test_codec_caps_and_odd_frames() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let frame = codec::compress(&data).unwrap();
        assert_eq!(codec::decompress(&frame, data.len()).unwrap(), data);
        // Declared size over the cap: refused without decompressing.
        let err = codec::decompress(&frame, data.len() - 1).unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
        // Two frames: the first declares only its own size; the streamed path takes both.
        let mut two = frame.clone();
        two.extend_from_slice(&frame);
        let both = codec::decompress(&two, 2 * data.len()).unwrap();
        assert_eq!(both.len(), 2 * data.len());
        assert!(codec::decompress(&two, 2 * data.len() - 1).is_err());
        // A frame with no declared size is streamed under the cap.
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        std::io::Write::write_all(&mut enc, &data).unwrap();
        let sizeless = enc.finish().unwrap();
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&sizeless).unwrap(),
            None
        );
        assert_eq!(codec::decompress(&sizeless, data.len()).unwrap(), data);
        assert!(codec::decompress(&sizeless, 1000).is_err());
        // Truncated and garbage bodies are errors, never panics.
        assert!(codec::decompress(&frame[..frame.len() / 2], data.len()).is_err());
        assert!(codec::decompress(b"not zstd at all", 1000).is_err());
    }

    #[test]
    fn test_idle_request_is_tiny() {
        let req = SyncRequest {
            version: PROTOCOL_VERSION,
            cursor: Cursor {
                epoch: u64::MAX / 3,
                seq: 123_456,
            },
            directory_version: 17,
            ..Default::default()
        };
        assert!(encode(&req).expect("encode").len() < 64);
    }

    #[test]
    fn test_signing_payload_binds_every_part() {
        let base = signing_payload("POST", "/v1/sync", 1, "n", b"body");
        assert_ne!(base, signing_payload("GET", "/v1/sync", 1, "n", b"body"));
        assert_ne!(base, signing_payload("POST", "/v1/enroll", 1, "n", b"body"));
        assert_ne!(base, signing_payload("POST", "/v1/sync", 2, "n", b"body"));
        assert_ne!(base, signing_payload("POST", "/v1/sync", 1, "m", b"body"));
        assert_ne!(base, signing_payload("POST", "/v1/sync", 1, "n", b"bodz"));
    }
}
