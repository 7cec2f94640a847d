//! The sync client: enrollment and the one-round-trip exchange with `sotay-server`.
//!
//! [`sync`] builds one request with every document's unsent changes and the pull cursor,
//! sends it (signed by the device key, zstd-compressed), applies the response durably and
//! only then moves the cursor — so a sync cut off at any point loses nothing and repeats
//! nothing harmful (the server stores a change once; Automerge applies a change once). It
//! loops only when the server says more is waiting (a large first download or a response
//! over budget) or asks for a fallback reconciliation. Offline is a normal state: the
//! error says so and every local edit stays queued.

use std::time::Duration;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use crate::ids::{DocId, MemberId};
use crate::model::now_unix;
use crate::protocol::{
    self, AUTH_HEADER, DocHeads, EnrollRequest, EnrollResponse, ErrorBody, PROTOCOL_VERSION,
    Rejection, SyncRequest, SyncResponse, paths,
};
use crate::store::{Enrollment, Store};
use crate::{Error, Result};

/// Most request rounds one `sync` may take (continuations and reconciliation included).
const MAX_ROUNDS: u32 = 64;

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

/// Sends one signed request, retrying network failures and 5xx with backoff.
async fn exchange(
    store: &mut Store,
    http: &reqwest::Client,
    cfg: &ClientConfig,
    url: &str,
    body: Vec<u8>,
    report: &mut SyncReport,
) -> Result<Vec<u8>> {
    let mut delay = cfg.backoff;
    let mut last = Error::Offline("no attempt made".into());
    for attempt in 0..cfg.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        // A fresh signature (time and nonce) per attempt: a retry is a new request whose
        // content the server stores at most once.
        let auth = store.sign_request("POST", paths::SYNC, &body, now_unix())?;
        report.round_trips += 1;
        report.bytes_up += body.len() as u64;
        let sent = http
            .post(url)
            .header(AUTH_HEADER, auth.to_header_value())
            .header(reqwest::header::CONTENT_TYPE, "application/x-sotay-sync")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(bytes) => {
                    report.bytes_down += bytes.len() as u64;
                    return Ok(bytes.to_vec());
                }
                Err(e) => last = Error::Offline(e.to_string()),
            },
            Ok(resp) if resp.status().is_server_error() => last = server_error(resp).await,
            Ok(resp) => return Err(server_error(resp).await),
            Err(e) => last = Error::Offline(e.to_string()),
        }
    }
    Err(last)
}

/// Syncs every document with the server this device is enrolled with.
pub async fn sync(
    store: &mut Store,
    cfg: &ClientConfig,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let enrollment = store.enrollment()?.ok_or(Error::NotEnrolled)?;
    let url = format!("{}{}", enrollment.server_url, paths::SYNC);
    let http = http_client(cfg)?;
    let mut report = SyncReport::default();
    let mut state = store.sync_state()?;
    let mut need: Vec<DocId> = Vec::new();
    let mut prog = SyncProgress::default();
    let result = async {
        for _ in 0..MAX_ROUNDS {
            let mut pending = store.pending_pushes()?;
            for id in need.drain(..) {
                pending.retain(|p| p.push.doc_id != id);
                pending.push(store.full_push(&id)?);
            }
            let heads = if state.reconcile {
                Some(
                    store
                        .all_heads()?
                        .into_iter()
                        .map(|(doc_id, h)| DocHeads {
                            doc_id,
                            heads: h.into_iter().map(|h| h.0).collect(),
                        })
                        .collect(),
                )
            } else {
                None
            };
            let req = SyncRequest {
                version: PROTOCOL_VERSION,
                cursor: state.cursor,
                push: pending.iter().map(|p| p.push.clone()).collect(),
                budget: cfg.budget,
                directory_version: state.directory_version,
                heads,
                resume: state.resume.clone(),
                signoffs: store.unsent_signoffs()?,
                signoff_cursor: state.signoff_cursor,
            };
            let body = protocol::encode(&req)?;
            let bytes = exchange(store, &http, cfg, &url, body, &mut report).await?;
            let resp: SyncResponse = protocol::decode(&bytes)?;
            apply_response(store, &pending, &resp, &mut report)?;
            // The cursor moves only after everything it covers is on disk.
            state.cursor = resp.cursor;
            state.resume = resp.resume.clone();
            state.reconcile = resp.reconcile;
            state.signoff_cursor = resp.signoff_cursor;
            if let Some(dir) = &resp.directory {
                state.directory_version = dir.version;
            }
            state.last_error = None;
            store.set_sync_state(&state)?;
            need = resp.need.clone();
            prog.round += 1;
            prog.docs_applied = report.docs_pulled;
            prog.bytes_down = report.bytes_down;
            prog.more = resp.more || resp.reconcile || !need.is_empty();
            progress(&prog);
            if !prog.more {
                break;
            }
        }
        Ok::<(), Error>(())
    }
    .await;
    match result {
        Ok(()) => {
            state.last_sync_at = Some(now_unix());
            store.set_sync_state(&state)?;
            Ok(report)
        }
        Err(e) => {
            let mut failed = store.sync_state()?;
            failed.last_error = Some(e.to_string());
            store.set_sync_state(&failed)?;
            Err(e)
        }
    }
}

fn apply_response(
    store: &mut Store,
    pending: &[crate::store::PendingPush],
    resp: &SyncResponse,
    report: &mut SyncReport,
) -> Result<()> {
    for pulled in &resp.docs {
        match store.apply_pulled(pulled) {
            Ok(()) => report.docs_pulled += 1,
            Err(e @ (Error::Sqlite(_) | Error::Io(_))) => return Err(e),
            Err(e) => {
                tracing::warn!(doc = %pulled.doc_id, error = %e, "received document does not apply");
                report.failed_to_apply.push(pulled.doc_id.clone());
            }
        }
    }
    for ack in &resp.acks {
        if resp.deferred.contains(&ack.doc_id) {
            continue; // part of it still waits: keep all of it unsent
        }
        if let Some(p) = pending.iter().find(|p| p.push.doc_id == ack.doc_id) {
            let heads: Vec<ChangeHash> = p.heads.clone();
            store.acknowledge(&ack.doc_id, &heads)?;
            report.docs_pushed += 1;
            report.changes_pushed += p.push.changes.len() as u32;
        }
    }
    if let Some(dir) = &resp.directory {
        store.replace_directory(dir)?;
    }
    store.apply_signoffs(&resp.signoff_acks, &resp.signoff_refusals, &resp.signoffs)?;
    report
        .signoffs_refused
        .extend(resp.signoff_refusals.iter().cloned());
    for id in &resp.deferred {
        if !report.deferred.contains(id) {
            report.deferred.push(id.clone());
        }
    }
    for r in &resp.rejected {
        store.record_rejection(&r.doc_id, &r.code, &r.message)?;
        report.rejected.push(r.clone());
    }
    Ok(())
}
