//! A sync as steps that each take the store briefly: [`SyncSession`].
//!
//! ```text
//! begin ─▶ next_round ─▶ exchange ─▶ apply ─┐        store: begin, next_round, apply, finish
//!             ▲   (store)   (no store)  (store)│        network: exchange only
//!             └────────── more? ◀─────────────┘ ─▶ finish (store)
//! ```
//!
//! # Why edits made between the steps are never lost
//!
//! A round is built from the store at one instant: each document's unsent changes with the
//! heads they bring the server to ([`PendingPush::heads`]), the unsent sign-offs, the cursor,
//! and (when reconciling) every document's heads. While the round is on the network the
//! store is free, and members keep editing. Applying the reply then:
//!
//! - acknowledges, per accepted document, exactly the heads *that round pushed*
//!   ([`Store::acknowledge`] adds them to what the server is known to have); an edit made
//!   meanwhile lies beyond those heads, so it stays unsent and the next round pushes it;
//! - applies pulled changes by merging (an edit made meanwhile merges with them like any
//!   concurrent change), and acknowledges only the received hashes when the document holds
//!   anything unsent at that moment;
//! - marks as synced only the sign-offs the server acknowledged by id (a sign-off made
//!   meanwhile stays unsent);
//! - reads the sync state afresh and moves only the cursors, after everything they cover is
//!   on disk.
//!
//! A session checks before each step that the device is still enrolled as it was when the
//! session began (a re-enrollment meanwhile ends it; nothing more of it is applied), and
//! follows a server address changed meanwhile ([`Store::set_server_url`]) from its next
//! round. Two sessions over one store at once are not harmful but waste rounds; callers that
//! share a store run one at a time.

use std::time::Duration;

use automerge::ChangeHash;

use super::{ClientConfig, SyncProgress, SyncReport, http_client, server_error};
use crate::approval::SignoffId;
use crate::ids::{DocId, MemberId};
use crate::model::now_unix;
use crate::protocol::{
    self, AUTH_HEADER, DocHeads, PROTOCOL_VERSION, SyncRequest, SyncResponse, paths,
};
use crate::store::{PendingPush, RequestSigner, Store, SyncErrorKind};
use crate::{Error, Result};

/// Most request rounds one sync may take (continuations and reconciliation included).
const MAX_ROUNDS: u32 = 64;

/// One sync in progress, run step by step (see the module docs).
///
/// ```no_run
/// # async fn run(store: &mut sotay_core::Store) -> sotay_core::Result<()> {
/// use sotay_core::sync::{ClientConfig, SyncSession};
/// let mut session = SyncSession::begin(store, &ClientConfig::default())?;
/// let outcome = async {
///     while let Some(round) = session.next_round(store)? { // the store, briefly
///         let reply = session.exchange(&round).await?;     // the network, no store
///         session.apply(store, round, reply)?;             // the store, briefly
///     }
///     Ok(())
/// }
/// .await;
/// let report = session.finish(store, outcome)?;
/// # let _ = report; Ok(()) }
/// ```
#[derive(Debug)]
pub struct SyncSession {
    cfg: ClientConfig,
    http: reqwest::Client,
    url: String,
    signer: RequestSigner,
    member: MemberId,
    report: SyncReport,
    progress: SyncProgress,
    need: Vec<DocId>,
    rounds: u32,
    more: bool,
}

/// One request, built from the store by [`SyncSession::next_round`]: what it pushes (and so
/// what its reply may acknowledge) and its encoded body.
#[derive(Debug)]
pub struct Round {
    number: u32,
    pending: Vec<PendingPush>,
    signoffs: Vec<(SignoffId, DocId)>,
    body: Vec<u8>,
}

impl Round {
    /// 1 for the session's first round, then 2, 3…
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The documents this round pushes, each with the heads an acknowledgement records.
    pub fn pushes(&self) -> &[PendingPush] {
        &self.pending
    }

    /// How many sign-offs this round sends.
    pub fn signoffs_sent(&self) -> usize {
        self.signoffs.len()
    }

    /// The request body (`zstd(postcard(SyncRequest))`), for a transport of the caller's own.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// The server's answer to one [`Round`], not yet applied.
#[derive(Debug)]
pub struct Reply {
    body: Vec<u8>,
    attempts: u32,
    bytes_up: u64,
}

impl Reply {
    /// A reply to `round` received by a transport of the caller's own (one attempt):
    /// `body` is the response body as the server sent it.
    pub fn received(round: &Round, body: Vec<u8>) -> Reply {
        Reply {
            body,
            attempts: 1,
            bytes_up: round.body.len() as u64,
        }
    }
}

impl SyncSession {
    /// Starts a sync: reads the enrollment and the device key (the store, briefly).
    pub fn begin(store: &mut Store, cfg: &ClientConfig) -> Result<SyncSession> {
        let enrollment = store.enrollment()?.ok_or(Error::NotEnrolled)?;
        let signer = store.request_signer()?;
        Ok(SyncSession {
            cfg: cfg.clone(),
            http: http_client(cfg)?,
            url: sync_url(&enrollment.server_url),
            signer,
            member: enrollment.member_id,
            report: SyncReport::default(),
            progress: SyncProgress::default(),
            need: Vec::new(),
            rounds: 0,
            more: true,
        })
    }

    /// Builds the next request from the store, or `None` when the sync is complete (the
    /// server has nothing more, or the round limit is reached).
    pub fn next_round(&mut self, store: &mut Store) -> Result<Option<Round>> {
        if !self.more || self.rounds >= MAX_ROUNDS {
            return Ok(None);
        }
        let enrollment = self.check_enrollment(store)?;
        self.url = sync_url(&enrollment.server_url);
        let state = store.sync_state()?;
        let mut pending = store.pending_pushes()?;
        for id in &self.need {
            pending.retain(|p| &p.push.doc_id != id);
            pending.push(store.full_push(id)?);
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
        let signoffs = store.unsent_signoffs()?;
        let sent = signoffs
            .iter()
            .map(|s| (s.id(), s.doc_id.clone()))
            .collect();
        let req = SyncRequest {
            version: PROTOCOL_VERSION,
            cursor: state.cursor,
            push: pending.iter().map(|p| p.push.clone()).collect(),
            budget: self.cfg.budget,
            directory_version: state.directory_version,
            heads,
            resume: state.resume.clone(),
            signoffs,
            signoff_cursor: state.signoff_cursor,
        };
        let body = protocol::encode(&req)?;
        self.rounds += 1;
        Ok(Some(Round {
            number: self.rounds,
            pending,
            signoffs: sent,
            body,
        }))
    }

    /// Sends a round to the server (no store needed), signed afresh for each attempt and
    /// retrying network failures and 5xx with backoff.
    pub async fn exchange(&self, round: &Round) -> Result<Reply> {
        let cfg = &self.cfg;
        let mut delay = cfg.backoff;
        let mut last = Error::Offline("no attempt made".into());
        for attempt in 0..cfg.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2).min(Duration::from_secs(60));
            }
            // A fresh signature (time and nonce) per attempt: a retry is a new request whose
            // content the server stores at most once.
            let auth = self
                .signer
                .sign("POST", paths::SYNC, &round.body, now_unix());
            let sent = self
                .http
                .post(&self.url)
                .header(AUTH_HEADER, auth.to_header_value())
                .header(reqwest::header::CONTENT_TYPE, "application/x-sotay-sync")
                .body(round.body.clone())
                .send()
                .await;
            match sent {
                Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                    Ok(bytes) => {
                        // Every attempt sent the whole body.
                        let attempts = attempt + 1;
                        return Ok(Reply {
                            body: bytes.to_vec(),
                            attempts,
                            bytes_up: u64::from(attempts) * round.body.len() as u64,
                        });
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

    /// Applies a round's reply to the store durably, then moves the cursors; returns the
    /// progress so far. A reply that does not decode changes nothing.
    pub fn apply(&mut self, store: &mut Store, round: Round, reply: Reply) -> Result<SyncProgress> {
        self.report.round_trips += reply.attempts;
        self.report.bytes_up += reply.bytes_up;
        self.report.bytes_down += reply.body.len() as u64;
        self.check_enrollment(store)?;
        let resp: SyncResponse = protocol::decode(&reply.body)?;
        self.apply_response(store, &round, &resp)?;
        // The cursor moves only after everything it covers is on disk. The state is read
        // afresh: only what this reply decides changes.
        let mut state = store.sync_state()?;
        state.cursor = resp.cursor;
        state.resume = resp.resume.clone();
        state.reconcile = resp.reconcile;
        state.signoff_cursor = resp.signoff_cursor;
        if let Some(dir) = &resp.directory {
            state.directory_version = dir.version;
        }
        state.last_error = None;
        state.last_error_kind = None;
        store.set_sync_state(&state)?;
        self.need = resp.need;
        self.more = resp.more || resp.reconcile || !self.need.is_empty();
        self.progress.round += 1;
        self.progress.docs_applied = self.report.docs_pulled;
        self.progress.bytes_down = self.report.bytes_down;
        self.progress.more = self.more;
        Ok(self.progress.clone())
    }

    /// What the sync has done so far (its `changed` list included).
    pub fn report(&self) -> &SyncReport {
        &self.report
    }

    /// Adds what a blob upload pass did to the report ([`super::sync`] runs one after the
    /// rounds; so does a caller driving the steps itself).
    pub fn add_blob_report(&mut self, blobs: &super::BlobReport) {
        self.report.blobs_uploaded += blobs.uploaded + blobs.already_there;
        self.report
            .blobs_refused
            .extend(blobs.refused.iter().cloned());
    }

    /// Ends the sync with the outcome of its steps: on success records the time of this
    /// sync and returns the report; on failure records the error and its kind
    /// ([`SyncErrorKind`]) in the sync state and returns it.
    pub fn finish(self, store: &mut Store, outcome: Result<()>) -> Result<SyncReport> {
        let mut state = store.sync_state()?;
        match outcome {
            Ok(()) => {
                state.last_sync_at = Some(now_unix());
                state.last_error = None;
                state.last_error_kind = None;
                store.set_sync_state(&state)?;
                Ok(self.report)
            }
            Err(e) => {
                state.last_error = Some(e.to_string());
                state.last_error_kind = Some(SyncErrorKind::of(&e));
                store.set_sync_state(&state)?;
                Err(e)
            }
        }
    }

    /// The enrollment, if it is still the one this session began with.
    fn check_enrollment(&self, store: &Store) -> Result<crate::store::Enrollment> {
        match store.enrollment()? {
            Some(e) if e.device_id == self.signer.device_id() && e.member_id == self.member => {
                Ok(e)
            }
            Some(_) => Err(Error::InvalidInput(
                "this device was enrolled again during the sync; nothing more of it was \
                 applied: sync again"
                    .into(),
            )),
            None => Err(Error::NotEnrolled),
        }
    }

    fn mark_changed(&mut self, id: &DocId) {
        if let Err(at) = self.report.changed.binary_search(id) {
            self.report.changed.insert(at, id.clone());
        }
    }

    fn apply_response(
        &mut self,
        store: &mut Store,
        round: &Round,
        resp: &SyncResponse,
    ) -> Result<()> {
        for pulled in &resp.docs {
            match store.apply_pulled(pulled) {
                Ok(()) => {
                    self.report.docs_pulled += 1;
                    self.mark_changed(&pulled.doc_id);
                }
                Err(e @ (Error::Sqlite(_) | Error::Io(_))) => return Err(e),
                Err(e) => {
                    tracing::warn!(doc = %pulled.doc_id, error = %e, "received document does not apply");
                    self.report.failed_to_apply.push(pulled.doc_id.clone());
                }
            }
        }
        for ack in &resp.acks {
            if resp.deferred.contains(&ack.doc_id) {
                continue; // part of it still waits: keep all of it unsent
            }
            if let Some(p) = round.pending.iter().find(|p| p.push.doc_id == ack.doc_id) {
                // Exactly the heads this round pushed: anything written since stays unsent.
                let heads: &[ChangeHash] = &p.heads;
                store.acknowledge(&ack.doc_id, heads)?;
                self.report.docs_pushed += 1;
                self.report.changes_pushed += p.push.changes.len() as u32;
            }
        }
        if let Some(dir) = &resp.directory {
            store.replace_directory(dir)?;
            // Roles and devices changed: every held sign-off may verify differently now.
            for id in store.documents_with_signoffs()? {
                self.mark_changed(&id);
            }
        }
        store.apply_signoffs(&resp.signoff_acks, &resp.signoff_refusals, &resp.signoffs)?;
        for s in &resp.signoffs {
            if s.check_well_formed().is_ok() {
                self.mark_changed(&s.doc_id);
            }
        }
        let answered = resp
            .signoff_acks
            .iter()
            .chain(resp.signoff_refusals.iter().map(|r| &r.id));
        for id in answered {
            let doc = match round.signoffs.iter().find(|(sent, _)| sent == id) {
                Some((_, doc)) => Some(doc.clone()),
                None => store.signoff(id)?.map(|s| s.doc_id),
            };
            if let Some(doc) = doc {
                self.mark_changed(&doc);
            }
        }
        self.report
            .signoffs_refused
            .extend(resp.signoff_refusals.iter().cloned());
        for id in &resp.deferred {
            if !self.report.deferred.contains(id) {
                self.report.deferred.push(id.clone());
            }
        }
        for r in &resp.rejected {
            store.record_rejection(&r.doc_id, &r.code, &r.message)?;
            self.report.rejected.push(r.clone());
        }
        Ok(())
    }
}

fn sync_url(server_url: &str) -> String {
    format!("{}{}", server_url.trim_end_matches('/'), paths::SYNC)
}
