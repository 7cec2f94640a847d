//! Blob transfers: sending the attachments added on this phone, fetching others' on demand.
//!
//! Attachments' bytes do not travel in the sync request: a 20 MiB PDF would hold every text
//! edit behind it on a 2G link. [`BlobClient`] moves them one by one with signed requests of
//! their own (`PUT`/`GET`/`HEAD /v1/blobs/<branch>/<sha256>`, `docs/protocol.md`), as steps
//! that need the store only briefly, like [`super::SyncSession`]:
//!
//! ```text
//! upload:  next_upload (store: read the bytes) ─▶ upload (network) ─▶ record_upload (store)
//! fetch:   store.blob (cache) ─▶ download (network; hash checked) ─▶ store.put_fetched_blob
//! ```
//!
//! [`BlobFetch`] runs a fetch as those steps for a caller that shares its store.
//!
//! [`super::sync`] sends the queued blobs after the document rounds (text first); a member
//! opening an attachment fetches it with [`fetch_blob`]. Every download is checked against
//! its hash (and a size cap) before anything is stored: a damaged or substituted blob is
//! refused with [`Error::BlobDamaged`] and the cache stays as it was. An upload first asks
//! whether the server has the blob already (`HEAD`), so a retry after a lost reply, or a file
//! another member sent first, costs no second transfer.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use super::{ClientConfig, http_client, server_error};
use crate::blob::{BlobHash, DEFAULT_MAX_BLOB_BYTES};
use crate::ids::{BranchId, MemberId};
use crate::model::now_unix;
use crate::protocol::{AUTH_HEADER, paths};
use crate::store::{BlobRefusal, BlobUpload, RequestSigner, Store};
use crate::{Error, Result};

/// The slowest link a transfer is given time for (bytes a second): a request's timeout is the
/// configured one plus its size at this rate, so a large file over 2G is not cut off.
const SLOWEST_LINK_BYTES_PER_SEC: u64 = 8 * 1024;

/// What one blob upload pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobReport {
    /// Blobs the server stored now.
    pub uploaded: u32,
    /// Blobs the server had already (nothing sent).
    pub already_there: u32,
    /// Blobs the server refused for good (not sent again).
    pub refused: Vec<BlobRefusal>,
    /// Bytes of blobs sent.
    pub bytes_up: u64,
}

/// How the server answered one upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadOutcome {
    /// Stored now.
    Stored,
    /// The server had it already.
    AlreadyThere,
    /// Refused for good (too large for the server, not this device's branch, …).
    Refused {
        /// The server's error code.
        code: String,
        /// The server's message.
        message: String,
    },
}

/// A queued blob with its bytes, read from the store by [`BlobClient::next_upload`].
#[derive(Clone, Debug)]
pub struct PendingBlob {
    /// The queue entry.
    pub upload: BlobUpload,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Signed blob requests to the server this device is enrolled with (see the module docs).
#[derive(Debug)]
pub struct BlobClient {
    cfg: ClientConfig,
    http: reqwest::Client,
    base: String,
    signer: RequestSigner,
    member: MemberId,
    /// Queue entries this client has taken already (each is tried once per pass).
    taken: HashSet<(BlobHash, BranchId)>,
    report: BlobReport,
}

impl BlobClient {
    /// Reads the enrollment and the device key (the store, briefly).
    pub fn begin(store: &mut Store, cfg: &ClientConfig) -> Result<BlobClient> {
        let enrollment = store.enrollment()?.ok_or(Error::NotEnrolled)?;
        Ok(BlobClient {
            cfg: cfg.clone(),
            http: http_client(cfg)?,
            base: enrollment.server_url.trim_end_matches('/').to_owned(),
            signer: store.request_signer()?,
            member: enrollment.member_id,
            taken: HashSet::new(),
            report: BlobReport::default(),
        })
    }

    /// What this client's uploads did so far.
    pub fn report(&self) -> &BlobReport {
        &self.report
    }

    /// The next queued blob this client has not tried yet, with its bytes (the store,
    /// briefly); `None` when every one was tried.
    pub fn next_upload(&mut self, store: &Store) -> Result<Option<PendingBlob>> {
        self.check_enrollment(store)?;
        for upload in store.pending_blob_uploads()? {
            let key = (upload.sha256, upload.branch_id.clone());
            if self.taken.contains(&key) {
                continue;
            }
            self.taken.insert(key);
            let Some(bytes) = store.blob(&upload.sha256)? else {
                continue; // cannot happen (a foreign key); nothing to send then
            };
            return Ok(Some(PendingBlob { upload, bytes }));
        }
        Ok(None)
    }

    /// Sends one blob (the network only): asks whether the server has it, and if not sends
    /// it. Network failures and 5xx are retried with backoff and then returned as errors
    /// (the blob stays queued); a 4xx other than an authentication failure is a refusal for
    /// good, returned as [`UploadOutcome::Refused`].
    pub async fn upload(&self, blob: &PendingBlob) -> Result<UploadOutcome> {
        let path = paths::blob(&blob.upload.branch_id, &blob.upload.sha256);
        let head = self
            .send(reqwest::Method::HEAD, &path, Vec::new(), 0)
            .await?;
        if head.status() == StatusCode::OK {
            return Ok(UploadOutcome::AlreadyThere);
        }
        // Anything else (404 mostly): the upload's own answer says what to do, with a body
        // (an answer to HEAD has none) — unless the server's limit already says no.
        let size = blob.bytes.len() as u64;
        let limit = head
            .headers()
            .get(crate::blob::MAX_BYTES_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(limit) = limit.filter(|l| size > *l) {
            return Ok(UploadOutcome::Refused {
                code: "too_large".into(),
                message: crate::blob::too_large_message(Some(size), limit),
            });
        }
        let put = self
            .send(reqwest::Method::PUT, &path, blob.bytes.clone(), size)
            .await?;
        match put.status() {
            StatusCode::CREATED => Ok(UploadOutcome::Stored),
            StatusCode::OK => Ok(UploadOutcome::AlreadyThere),
            s if refused_for_good(s) => Ok(refusal(put).await),
            _ => Err(server_error(put).await),
        }
    }

    /// Records an upload's outcome in the store (briefly): a blob the server has leaves the
    /// queue; a refused one is marked so and not sent again.
    pub fn record_upload(
        &mut self,
        store: &mut Store,
        blob: &PendingBlob,
        outcome: &UploadOutcome,
    ) -> Result<()> {
        self.check_enrollment(store)?;
        let up = &blob.upload;
        match outcome {
            UploadOutcome::Stored => {
                store.mark_blob_uploaded(up)?;
                self.report.uploaded += 1;
                self.report.bytes_up += blob.bytes.len() as u64;
            }
            UploadOutcome::AlreadyThere => {
                store.mark_blob_uploaded(up)?;
                self.report.already_there += 1;
            }
            UploadOutcome::Refused { code, message } => {
                store.mark_blob_refused(up, code, message)?;
                self.report.refused.push(BlobRefusal {
                    sha256: up.sha256,
                    branch_id: up.branch_id.clone(),
                    code: code.clone(),
                    message: message.clone(),
                });
            }
        }
        Ok(())
    }

    /// Downloads the blob `sha256` of `branch` (the network only) and checks it: at most
    /// `max_bytes` (at least [`DEFAULT_MAX_BLOB_BYTES`]) and hashing to `sha256`, else
    /// [`Error::BlobDamaged`]. Keep it with [`Store::put_fetched_blob`] (which checks again).
    /// A blob the server does not have (not uploaded yet) is a 404 [`Error::Server`].
    pub async fn download(
        &self,
        branch: &BranchId,
        sha256: &BlobHash,
        max_bytes: u64,
    ) -> Result<Vec<u8>> {
        let cap = max_bytes.max(DEFAULT_MAX_BLOB_BYTES);
        let path = paths::blob(branch, sha256);
        let mut resp = self
            .send(reqwest::Method::GET, &path, Vec::new(), cap)
            .await?;
        if !resp.status().is_success() {
            return Err(server_error(resp).await);
        }
        let too_large = || Error::BlobDamaged {
            sha256: sha256.to_hex(),
            reason: format!("the server sent more than {cap} bytes"),
        };
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Error::Offline(e.to_string()))?
        {
            if (bytes.len() + chunk.len()) as u64 > cap {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        let actual = BlobHash::of(&bytes);
        if actual != *sha256 {
            return Err(Error::BlobDamaged {
                sha256: sha256.to_hex(),
                reason: format!("its {} bytes hash to {actual}", bytes.len()),
            });
        }
        Ok(bytes)
    }

    /// Sends one signed request, signed afresh for each attempt; retries network failures
    /// and 5xx with backoff. Returns the last response (any status) or the network error.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
        transfer_bytes: u64,
    ) -> Result<reqwest::Response> {
        let cfg = &self.cfg;
        let timeout =
            cfg.timeout + Duration::from_secs(transfer_bytes.div_ceil(SLOWEST_LINK_BYTES_PER_SEC));
        let url = format!("{}{path}", self.base);
        let mut delay = cfg.backoff;
        let mut last = Error::Offline("no attempt made".into());
        for attempt in 0..cfg.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2).min(Duration::from_secs(60));
            }
            let auth = self.signer.sign(method.as_str(), path, &body, now_unix());
            let sent = self
                .http
                .request(method.clone(), &url)
                .header(AUTH_HEADER, auth.to_header_value())
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .timeout(timeout)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(resp) if resp.status().is_server_error() => last = server_error(resp).await,
                Ok(resp) => return Ok(resp),
                Err(e) => last = Error::Offline(e.to_string()),
            }
        }
        Err(last)
    }

    /// The store is still enrolled as it was when this client began.
    fn check_enrollment(&self, store: &Store) -> Result<()> {
        match store.enrollment()? {
            Some(e) if e.device_id == self.signer.device_id() && e.member_id == self.member => {
                Ok(())
            }
            Some(_) => Err(Error::InvalidInput(
                "this device was enrolled again meanwhile; nothing more was sent".into(),
            )),
            None => Err(Error::NotEnrolled),
        }
    }
}

/// A 4xx the server will answer again whatever the retry: the blob is refused for good.
/// Authentication failures (401: revoked, clock) and an old protocol (426) are the device's
/// to fix and end the pass as errors instead.
fn refused_for_good(s: StatusCode) -> bool {
    s.is_client_error()
        && !matches!(
            s,
            StatusCode::UNAUTHORIZED
                | StatusCode::REQUEST_TIMEOUT
                | StatusCode::TOO_MANY_REQUESTS
                | StatusCode::UPGRADE_REQUIRED
        )
}

async fn refusal(resp: reqwest::Response) -> UploadOutcome {
    match server_error(resp).await {
        Error::Server { code, message, .. } => UploadOutcome::Refused { code, message },
        other => UploadOutcome::Refused {
            code: "http".into(),
            message: other.to_string(),
        },
    }
}

/// Sends every queued blob (holding the store throughout; see [`BlobClient`] for the steps a
/// caller sharing its store runs instead). Stops at the first network or authentication
/// failure and returns it: what was not sent stays queued for the next pass.
pub async fn upload_blobs(store: &mut Store, cfg: &ClientConfig) -> Result<BlobReport> {
    if store.pending_blob_uploads()?.is_empty() {
        return Ok(BlobReport::default());
    }
    let mut client = BlobClient::begin(store, cfg)?;
    while let Some(blob) = client.next_upload(store)? {
        let outcome = client.upload(&blob).await?;
        client.record_upload(store, &blob, &outcome)?;
    }
    Ok(client.report)
}

/// An attachment's bytes: from this phone's cache, else downloaded from the branch of a
/// material that lists it (this member's branch first), checked against the hash, kept in the
/// cache and returned. A damaged download is refused ([`Error::BlobDamaged`]) and nothing is
/// stored; a blob no material here lists is [`Error::InvalidInput`] (sync first); one the
/// server does not have yet is a 404 [`Error::Server`] (its sender has not synced since).
///
/// Holds `store` throughout; a caller sharing its store runs the steps of [`BlobFetch`]
/// instead, lending it only to [`BlobFetch::begin`] and [`BlobFetch::keep`].
pub async fn fetch_blob(
    store: &mut Store,
    cfg: &ClientConfig,
    sha256: &BlobHash,
) -> Result<Vec<u8>> {
    match BlobFetch::begin(store, cfg, sha256)? {
        FetchStart::Cached(bytes) => Ok(bytes),
        FetchStart::Download(fetch) => {
            let bytes = fetch.download().await?;
            fetch.keep(store, &bytes)?;
            Ok(bytes)
        }
    }
}

/// How a fetch starts: the bytes are on this phone already, or they must be downloaded.
#[derive(Debug)]
pub enum FetchStart {
    /// This phone holds the bytes (added here, or fetched before).
    Cached(Vec<u8>),
    /// They must be downloaded: run [`BlobFetch::download`], then [`BlobFetch::keep`].
    Download(Box<BlobFetch>),
}

/// [`fetch_blob`] as steps that each need the store only briefly, or not at all:
///
/// ```text
/// begin (store: cache, sources, enrollment) ─▶ download (network) ─▶ keep (store)
/// ```
#[derive(Debug)]
pub struct BlobFetch {
    client: BlobClient,
    sha256: BlobHash,
    /// The branches to try, in order, with the size the material lists there.
    sources: Vec<(BranchId, u64)>,
}

impl BlobFetch {
    /// Reads the cache, the materials listing `sha256` and the enrollment (the store,
    /// briefly). [`Error::InvalidInput`] when no material on this phone lists it (sync
    /// first); [`Error::NotEnrolled`] when it must be downloaded and the device is not
    /// enrolled.
    pub fn begin(store: &mut Store, cfg: &ClientConfig, sha256: &BlobHash) -> Result<FetchStart> {
        if let Some(bytes) = store.blob(sha256)? {
            return Ok(FetchStart::Cached(bytes));
        }
        let mut sources: Vec<(BranchId, u64)> = Vec::new();
        for source in store.attachment_sources(sha256)? {
            if !sources.iter().any(|(b, _)| *b == source.branch_id) {
                sources.push((source.branch_id, source.attachment.size));
            }
        }
        if sources.is_empty() {
            return Err(Error::InvalidInput(format!(
                "no material on this phone lists the attachment {sha256}; sync first"
            )));
        }
        Ok(FetchStart::Download(Box::new(BlobFetch {
            client: BlobClient::begin(store, cfg)?,
            sha256: *sha256,
            sources,
        })))
    }

    /// The hash being fetched.
    pub fn sha256(&self) -> &BlobHash {
        &self.sha256
    }

    /// Downloads the bytes (the network only), checked against the hash: from each branch
    /// listing it in turn while the server answers 404 there. A damaged download is
    /// [`Error::BlobDamaged`]; a blob no branch has yet is the last 404 [`Error::Server`].
    pub async fn download(&self) -> Result<Vec<u8>> {
        let mut last = None;
        for (branch, size) in &self.sources {
            match self.client.download(branch, &self.sha256, *size).await {
                Ok(bytes) => return Ok(bytes),
                // Listed in another branch too: the server may have it there.
                Err(e @ Error::Server { status: 404, .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Offline("no attempt made".into())))
    }

    /// Keeps downloaded bytes in the cache (the store, briefly), checked again against the
    /// hash ([`Store::put_fetched_blob`]).
    pub fn keep(&self, store: &mut Store, bytes: &[u8]) -> Result<()> {
        store.put_fetched_blob(&self.sha256, bytes)
    }
}
