//! Who is asking, and what they may see: request authentication and branch scoping.
//!
//! Every authenticated request carries an [`AuthHeader`] signed with the device's ed25519 key
//! (enrolled through [`crate::admin::enroll`]). [`authenticate`] turns it into an
//! [`AuthContext`] — the device and its member, both checked against the store on *this*
//! request, so a revoked device or a removed member is refused on the very next request.
//! [`AuthContext::read_scopes`] and [`AuthContext::may_write`] then say which documents the
//! device may pull and push (the rules of issue 3, part 5):
//!
//! | role                                          | reads                              | writes            |
//! |-----------------------------------------------|------------------------------------|-------------------|
//! | `Member`, `Secretary`, `DeputySecretary`, `Executive` | its own branch; committee-wide | its own branch    |
//! | `Inspector`                                   | every branch of its committee; committee-wide | nothing |
//! | `Admin`                                       | committee-wide only                | committee-wide    |
//! | removed member / revoked device               | nothing                            | nothing           |
//!
//! Everything here is a pure function over `&dyn ServerStore`: no HTTP types, so the rules
//! are tested without a server and every handler shares them.
//!
//! ```no_run
//! # use sotay_server::{identity, store::ServerStore};
//! # fn f(store: &dyn ServerStore, header: Option<&str>, body: &[u8], now: i64) {
//! match identity::authenticate(store, header, "POST", "/v1/sync", body, now) {
//!     Ok(ctx) => { let _scopes = ctx.read_scopes(store); }
//!     Err(e) => { let _reply = (e.status(), e.body()); }
//! }
//! # }
//! ```

use ed25519_dalek::{Signature, VerifyingKey};
use sotay_core::org::Role;
use sotay_core::protocol::{
    AuthHeader, ErrorBody, MAX_CLOCK_SKEW_SECS, signing_payload_for_digest,
};

use crate::Result;
use crate::store::{Device, Scope, ServerMember, ServerStore};

/// Why a request was not authenticated. Every variant but [`AuthError::Storage`] is a 401.
///
/// The messages say what the *device* must do (fix its clock, re-enroll) and never whose
/// device it was, which branch it belongs to, or anything else about other members.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No auth header, or one that does not parse.
    #[error("missing or malformed authentication header")]
    MissingOrMalformed,
    /// The device id is not enrolled here.
    #[error("unknown device")]
    UnknownDevice,
    /// The device was revoked.
    #[error("device revoked")]
    Revoked,
    /// The device's member was removed (or no longer exists).
    #[error("member removed")]
    MemberRemoved,
    /// The request's time is too far from the server's.
    #[error("clock skew")]
    ClockSkew,
    /// The signature does not verify under the device's key.
    #[error("bad signature")]
    BadSignature,
    /// The nonce was used before by this device.
    #[error("replayed request")]
    Replay,
    /// The store failed while checking (the detail is for the server log, not the client).
    #[error("storage failed during authentication: {0}")]
    Storage(String),
}

impl AuthError {
    /// The HTTP status: 401 for every authentication failure, 500 when the store failed.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::Storage(_) => 500,
            _ => 401,
        }
    }

    /// A stable code for [`ErrorBody::code`].
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingOrMalformed => "auth_malformed",
            AuthError::UnknownDevice => "unknown_device",
            AuthError::Revoked => "device_revoked",
            AuthError::MemberRemoved => "member_removed",
            AuthError::ClockSkew => "clock_skew",
            AuthError::BadSignature => "bad_signature",
            AuthError::Replay => "replay",
            AuthError::Storage(_) => "internal",
        }
    }

    /// A message for people (Vietnamese-speaking users see it through the app): what to do,
    /// nothing about anyone else.
    pub fn message(&self) -> String {
        match self {
            AuthError::MissingOrMalformed => {
                "the request has no valid authentication header".to_owned()
            }
            AuthError::UnknownDevice => {
                "this device is not enrolled on this server; enroll it with a new code".to_owned()
            }
            AuthError::Revoked => {
                "this device has been revoked; ask your committee for a new enrollment code"
                    .to_owned()
            }
            AuthError::MemberRemoved => {
                "this device no longer has access to this server".to_owned()
            }
            AuthError::ClockSkew => format!(
                "the request's time is more than {MAX_CLOCK_SKEW_SECS} seconds from the \
                 server's; check the device's date and time"
            ),
            AuthError::BadSignature => "the request's signature does not verify".to_owned(),
            AuthError::Replay => "this request was already received once".to_owned(),
            AuthError::Storage(_) => {
                "the server could not check this request; try again later".to_owned()
            }
        }
    }

    /// The JSON error body of the response.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(),
        }
    }
}

impl From<crate::Error> for AuthError {
    fn from(e: crate::Error) -> Self {
        AuthError::Storage(e.to_string())
    }
}

/// Checks a signed request and returns who sent it.
///
/// `header` is the value of [`sotay_core::protocol::AUTH_HEADER`]; `method`, `path` and `body`
/// are exactly what was received (the signature covers them); `now` is the server's Unix time.
///
/// Order of the checks, and why:
/// 1. the header parses, and its time is within [`MAX_CLOCK_SKEW_SECS`] of `now`;
/// 2. the device exists, and the signature verifies under its key — before anything about
///    the device's state is revealed, so only the key holder learns that it was revoked;
/// 3. the device is not revoked and its member exists and is active;
/// 4. only then is the nonce remembered (a replay is refused), so a forged request can never
///    burn a legitimate request's nonce. Nonces older than `now − 2·skew` are forgotten: a
///    request that old already fails step 1.
pub fn authenticate(
    store: &dyn ServerStore,
    header: Option<&str>,
    method: &str,
    path: &str,
    body: &[u8],
    now: i64,
) -> Result<AuthContext, AuthError> {
    use sha2::{Digest, Sha256};
    authenticate_digest(
        store,
        header,
        method,
        path,
        &Sha256::digest(body).into(),
        now,
    )
}

/// [`authenticate`] for a body whose SHA-256 is already known (a blob upload hashes its body
/// once, for the signature and its content check alike). The same checks in the same order.
pub fn authenticate_digest(
    store: &dyn ServerStore,
    header: Option<&str>,
    method: &str,
    path: &str,
    body_sha256: &[u8; 32],
    now: i64,
) -> Result<AuthContext, AuthError> {
    let header = header.ok_or(AuthError::MissingOrMalformed)?;
    let auth = AuthHeader::parse(header).map_err(|_| AuthError::MissingOrMalformed)?;
    if now.abs_diff(auth.ts) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(AuthError::ClockSkew);
    }

    let device = store
        .device(&auth.device_id)?
        .ok_or(AuthError::UnknownDevice)?;
    verify_signature(&device, &auth, method, path, body_sha256)?;

    if device.revoked_at.is_some() {
        return Err(AuthError::Revoked);
    }
    let member = store
        .member(&device.member_id)?
        .ok_or(AuthError::MemberRemoved)?;
    if !member.active {
        return Err(AuthError::MemberRemoved);
    }

    let forget_before = now.saturating_sub(2 * MAX_CLOCK_SKEW_SECS);
    if !store.remember_nonce(&device.id, &auth.nonce, now, forget_before)? {
        return Err(AuthError::Replay);
    }
    Ok(AuthContext { device, member })
}

fn verify_signature(
    device: &Device,
    auth: &AuthHeader,
    method: &str,
    path: &str,
    body_sha256: &[u8; 32],
) -> Result<(), AuthError> {
    let key = VerifyingKey::from_bytes(&device.public_key).map_err(|_| AuthError::BadSignature)?;
    let sig: [u8; 64] = hex::decode(&auth.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(AuthError::MissingOrMalformed)?;
    let payload = signing_payload_for_digest(method, path, auth.ts, &auth.nonce, body_sha256);
    key.verify_strict(&payload, &Signature::from_bytes(&sig))
        .map_err(|_| AuthError::BadSignature)
}

/// An authenticated request: the device and its member, as stored when it was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthContext {
    /// The device that signed the request.
    pub device: Device,
    /// The device's member.
    pub member: ServerMember,
}

/// What a role may do, once and for all (see the module docs' table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// A branch's member: its branch, read committee-wide.
    Branch,
    /// Inspection committee: read everything of the committee, write nothing.
    Inspector,
    /// Committee staff: committee-wide documents only.
    Admin,
}

fn reach(role: Role) -> Reach {
    match role {
        Role::Member | Role::Secretary | Role::DeputySecretary | Role::Executive => Reach::Branch,
        Role::Inspector => Reach::Inspector,
        Role::Admin => Reach::Admin,
    }
}

impl AuthContext {
    /// Whether the device and member may do anything at all. [`authenticate`] refuses the
    /// others already; this keeps a stale context from granting anything.
    fn is_live(&self) -> bool {
        self.member.active && self.device.revoked_at.is_none()
    }

    /// The scopes whose documents this device may read, sorted.
    ///
    /// - A branch member (`Member`, `Secretary`, `DeputySecretary`, `Executive`): its own
    ///   branch and the committee-wide documents.
    /// - An `Inspector`: every branch of its committee and the committee-wide documents.
    /// - An `Admin`: the committee-wide documents only. Least privilege: the staff who
    ///   administer the server do not read branches' plans, drafts and comments; if a
    ///   committee wants an administrator who reads branches, give that person an
    ///   inspector's device as well.
    /// - A removed member or a revoked device: nothing.
    pub fn read_scopes(&self, store: &dyn ServerStore) -> Result<Vec<Scope>> {
        if !self.is_live() {
            return Ok(Vec::new());
        }
        let committee = Scope::Committee(self.member.committee_id.clone());
        let mut scopes = match reach(self.member.role) {
            Reach::Branch => {
                let mut s = vec![committee];
                if let Some(branch) = &self.member.branch_id {
                    s.push(Scope::Branch(branch.clone()));
                }
                s
            }
            Reach::Inspector => {
                let mut s: Vec<Scope> = store
                    .branches(&self.member.committee_id)?
                    .into_iter()
                    .map(|b| Scope::Branch(b.id))
                    .collect();
                s.push(committee);
                s
            }
            Reach::Admin => vec![committee],
        };
        scopes.sort();
        scopes.dedup();
        Ok(scopes)
    }

    /// Whether this device may push changes to a document in `scope`.
    ///
    /// A branch member writes its own branch only (not committee-wide documents, not another
    /// branch); an inspector writes nothing; an admin writes its committee's committee-wide
    /// documents only; a removed member or revoked device writes nothing.
    pub fn may_write(&self, scope: &Scope) -> bool {
        if !self.is_live() {
            return false;
        }
        match (reach(self.member.role), scope) {
            (Reach::Branch, Scope::Branch(b)) => self.member.branch_id.as_ref() == Some(b),
            (Reach::Admin, Scope::Committee(c)) => *c == self.member.committee_id,
            _ => false,
        }
    }

    /// The scopes this device may push to (what [`AuthContext::may_write`] allows), sorted.
    pub fn write_scopes(&self) -> Vec<Scope> {
        if !self.is_live() {
            return Vec::new();
        }
        match (reach(self.member.role), &self.member.branch_id) {
            (Reach::Branch, Some(b)) => vec![Scope::Branch(b.clone())],
            (Reach::Admin, _) => vec![Scope::Committee(self.member.committee_id.clone())],
            _ => Vec::new(),
        }
    }

    /// Whether this device may read a document in `scope` (the same rules as
    /// [`AuthContext::read_scopes`], for one scope).
    pub fn may_read(&self, store: &dyn ServerStore, scope: &Scope) -> Result<bool> {
        if !self.is_live() {
            return Ok(false);
        }
        Ok(match (reach(self.member.role), scope) {
            (_, Scope::Committee(c)) => *c == self.member.committee_id,
            (Reach::Branch, Scope::Branch(b)) => self.member.branch_id.as_ref() == Some(b),
            (Reach::Inspector, Scope::Branch(b)) => store
                .branch(b)?
                .is_some_and(|br| br.committee_id == self.member.committee_id),
            (Reach::Admin, Scope::Branch(_)) => false,
        })
    }
}
