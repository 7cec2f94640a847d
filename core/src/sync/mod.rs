//! The sync client: enrollment and the one-round-trip exchange with `sotay-server`.
//!
//! A sync builds one request with every document's unsent changes and the pull cursor,
//! sends it (signed by the device key, zstd-compressed), applies the response durably and
//! only then moves the cursor — so a sync cut off at any point loses nothing and repeats
//! nothing harmful (the server stores a change once; Automerge applies a change once). It
//! loops only when the server says more is waiting (a large first download or a response
//! over budget) or asks for a fallback reconciliation. Offline is a normal state: the
//! error says so and every local edit stays queued.
//!
//! [`SyncSession`] runs a sync as steps that need the store only briefly — build a round
//! from the store, exchange it over HTTP without the store, apply the reply to the store —
//! so a shared store is free for local edits while the network is slow (its docs say why
//! edits made meanwhile are never lost). [`sync`] runs those steps holding the store
//! throughout.

mod blobs;
mod session;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::{DocId, MemberId};
use crate::model::now_unix;
use crate::protocol::{EnrollRequest, EnrollResponse, ErrorBody, Rejection, paths};
use crate::store::{Enrollment, Store};
use crate::{Error, Result};

pub use blobs::{
    BlobClient, BlobFetch, BlobReport, FetchStart, PendingBlob, UploadOutcome, fetch_blob,
    upload_blobs,
};
pub use session::{Reply, Round, SyncSession};

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// HTTP requests made (retries included).
    pub round_trips: u32,
    /// Documents whose changes were pushed and accepted.
    pub docs_pushed: u32,
    /// Changes pushed and accepted.
    pub changes_pushed: u32,
    /// Documents received.
    pub docs_pulled: u32,
    /// Bytes sent (compressed bodies).
    pub bytes_up: u64,
    /// Bytes received (compressed bodies).
    pub bytes_down: u64,
    /// Documents the server refused (nothing of them reached anyone).
    pub rejected: Vec<Rejection>,
    /// Documents that arrived but failed to apply here (kept out; reported).
    pub failed_to_apply: Vec<DocId>,
    /// Documents holding other members' changes the server lacks (after a restore): kept
    /// unsent here until their authors' phones have pushed them (see `SyncResponse::deferred`).
    pub deferred: Vec<DocId>,
    /// Sign-offs made here that the server refused (nothing of them reached anyone).
    pub signoffs_refused: Vec<crate::protocol::SignoffRefusal>,
    /// Documents whose content or sign-offs changed here, sorted: documents received and
    /// applied; documents whose sign-offs arrived, were acknowledged (unsent → synced) or
    /// were refused; and, when a new member directory arrived, every document holding
    /// sign-offs (their verification may change with roles and devices). What screens
    /// showing those documents should reload; a sync that received nothing lists nothing
    /// (pushes alone change nothing shown but the unsent count).
    #[serde(default)]
    pub changed: Vec<DocId>,
    /// Attachments' blobs sent after the documents (or found on the server already). Blob
    /// transfers are not counted in `round_trips` or the byte counts above.
    #[serde(default)]
    pub blobs_uploaded: u32,
    /// Blobs the server refused for good (too large for it, not this branch's …).
    #[serde(default)]
    pub blobs_refused: Vec<crate::store::BlobRefusal>,
}

/// Progress of a sync in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    /// Requests completed so far.
    pub round: u32,
    /// Documents applied so far.
    pub docs_applied: u32,
    /// Bytes received so far.
    pub bytes_down: u64,
    /// More is waiting on the server.
    pub more: bool,
}

/// How the client talks HTTP.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts per request before giving up (network errors and 5xx are retried).
    pub attempts: u32,
    /// First backoff; doubled after each failed attempt.
    pub backoff: Duration,
    /// Response size budget asked of the server (0 = its default).
    pub budget: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(200),
            budget: 0,
        }
    }
}

fn http_client(cfg: &ClientConfig) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(cfg.timeout)
        .build()
        .map_err(|e| Error::Offline(e.to_string()))
}

async fn server_error(resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let body = resp.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(b) => Error::Server {
            status,
            code: b.code,
            message: b.message,
        },
        Err(_) => Error::Server {
            status,
            code: "http".into(),
            message: String::from_utf8_lossy(&body).chars().take(200).collect(),
        },
    }
}

/// Enrolls this device with a server using a one-time code from the committee's admin.
pub async fn enroll(
    store: &mut Store,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> Result<EnrollResponse> {
    let base = server_url.trim_end_matches('/');
    let req = EnrollRequest {
        code: code.trim().to_owned(),
        public_key: hex::encode(store.device_public_key()?),
        device_name: crate::text::nfc(device_name.trim()),
    };
    let cfg = ClientConfig::default();
    let resp = http_client(&cfg)?
        .post(format!("{base}{}", paths::ENROLL))
        .json(&req)
        .send()
        .await
        .map_err(|e| Error::Offline(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(server_error(resp).await);
    }
    let enrolled: EnrollResponse = resp
        .json()
        .await
        .map_err(|e| Error::Offline(e.to_string()))?;
    store.set_enrollment(&Enrollment {
        server_url: base.to_owned(),
        device_id: enrolled.device_id.clone(),
        member_id: MemberId::new(enrolled.member.id.as_str()),
        committee_id: enrolled.committee_id.clone(),
        enrolled_at: now_unix(),
    })?;
    let server_key: [u8; 32] = hex::decode(&enrolled.server_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| Error::InvalidInput("the server sent no valid key".into()))?;
    store.pin_server_key(&server_key)?;
    if let Some(branch_id) = enrolled.member.branch_id.clone() {
        store.upsert_member(&crate::org::Member {
            id: enrolled.member.id.clone(),
            branch_id,
            full_name: enrolled.member.full_name.clone(),
            role: enrolled.member.role,
            status: enrolled.member.status,
        })?;
    }
    Ok(enrolled)
}

/// Syncs every document with the server this device is enrolled with, then sends the
/// attachments' blobs added here ([`upload_blobs`]; text first, so a large file never holds
/// an edit back). A blob pass that fails (offline midway) fails the sync with its error: the
/// documents went, the blobs left stay queued for the next sync.
///
/// A convenience over [`SyncSession`] and [`BlobClient`] that holds `store` for the whole
/// exchange, network waits included. A caller that shares its store (the phone bindings)
/// drives their steps itself and lends the store only to [`SyncSession::next_round`],
/// [`SyncSession::apply`], [`BlobClient::next_upload`] and [`BlobClient::record_upload`].
pub async fn sync(
    store: &mut Store,
    cfg: &ClientConfig,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let mut session = SyncSession::begin(store, cfg)?;
    let outcome = async {
        while let Some(round) = session.next_round(store)? {
            let reply = session.exchange(&round).await?;
            let p = session.apply(store, round, reply)?;
            progress(&p);
        }
        let blobs = upload_blobs(store, cfg).await?;
        session.add_blob_report(&blobs);
        Ok(())
    }
    .await;
    session.finish(store, outcome)
}
