//! `PUT`, `GET` and `HEAD /v1/blobs/<branch>/<sha256>`: attachments' bytes.
//!
//! The same signed-request authentication as sync (the signature covers the method, the path
//! as received and the body's SHA-256), and the same scopes as documents: a device uploads
//! only into a branch it may write (its own), and downloads only from one it may read (its
//! own; every branch of the committee for inspectors). Permission is checked before anything
//! is said about the blob, so a device of another branch learns nothing, not even whether it
//! exists.
//!
//! An upload over the server's limit is refused from its `Content-Length` before a byte of
//! it is read, and a body without one is read only up to the limit. The body's hash is
//! computed once, for the signature and the content check: a body that does not hash to the
//! path's SHA-256 is refused (`hash_mismatch`) and nothing is stored.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sotay_core::blob::{BlobHash, MAX_BYTES_HEADER, too_large_message};
use sotay_core::ids::BranchId;
use sotay_core::model::now_unix;
use sotay_core::protocol::AUTH_HEADER;

use super::{AppState, error, internal, read_body};
use crate::identity::{self, AuthContext, AuthError};
use crate::store::{BlobMeta, Scope, StoredBlob};

/// Largest body of a `GET` or `HEAD` (devices send none).
const MAX_EMPTY_BODY: usize = 1024;

fn too_large(size: Option<u64>, limit: u64) -> Response {
    error(413, "too_large", too_large_message(size, limit))
}

fn bad_hash(e: &sotay_core::Error) -> Response {
    error(400, "bad_request", e.to_string())
}

fn auth_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Runs `f` on a blocking worker (storage is synchronous), bounded like sync requests.
async fn blocking(
    state: &AppState,
    f: impl FnOnce(&AppState) -> Response + Send + 'static,
) -> Response {
    let Ok(permit) = state.workers.clone().acquire_owned().await else {
        return error(503, "unavailable", "the server is shutting down");
    };
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&state)
    })
    .await
    .unwrap_or_else(|e| internal("blob task panicked", e))
}

/// Authenticates a request over `digest` (its body's SHA-256).
fn authenticate(
    state: &AppState,
    auth: Option<&str>,
    method: &str,
    path: &str,
    digest: &[u8; 32],
) -> Result<AuthContext, AuthError> {
    identity::authenticate_digest(state.store.as_ref(), auth, method, path, digest, now_unix())
}

fn auth_refused(e: &AuthError, method: &str) -> Response {
    tracing::warn!(
        code = e.code(),
        method,
        "blob request refused: authentication"
    );
    let b = e.body();
    error(e.status(), &b.code, b.message)
}

/// `PUT`: stores the body as the branch's blob. 201 when stored now, 200 when the branch had
/// it already (idempotent); 413 over the limit, 400 `hash_mismatch`, 403 `forbidden`.
pub(super) async fn put_blob(
    State(state): State<AppState>,
    Path((branch, sha256)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sha256 = match BlobHash::parse(&sha256) {
        Ok(h) => h,
        Err(e) => return bad_hash(&e),
    };
    let limit = state.max_blob_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        // Refused before a byte of the body is read.
        return too_large(declared, limit);
    }
    let Ok(cap) = usize::try_from(limit) else {
        return internal("blob limit", "does not fit in memory");
    };
    let body = match axum::body::to_bytes(body, cap).await {
        Ok(b) => b,
        Err(_) => return too_large(None, limit),
    };
    let digest: [u8; 32] = Sha256::digest(&body).into();
    let auth = auth_header(&headers);
    blocking(&state, move |state| {
        let ctx = match authenticate(state, auth.as_deref(), "PUT", uri.path(), &digest) {
            Ok(c) => c,
            Err(e) => return auth_refused(&e, "PUT"),
        };
        let branch = BranchId::new(&branch);
        if !ctx.may_write(&Scope::Branch(branch.clone())) {
            return error(
                403,
                "forbidden",
                "this device may add attachments to its own branch only",
            );
        }
        if digest != *sha256.as_bytes() {
            return error(
                400,
                "hash_mismatch",
                format!(
                    "the body hashes to {}, not to the {sha256} its path names; nothing was stored",
                    hex::encode(digest)
                ),
            );
        }
        let size = body.len() as u64;
        let blob = StoredBlob {
            meta: BlobMeta {
                branch_id: branch,
                sha256: digest,
                size,
                device_id: ctx.device.id.clone(),
                member_id: ctx.member.id.clone(),
                received_at: now_unix(),
            },
            bytes: body.to_vec(),
        };
        match state.store.put_blob(&blob) {
            Ok(stored) => {
                tracing::info!(device = %ctx.device.id, %sha256, size, stored, "blob");
                let status = if stored {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                status.into_response()
            }
            Err(crate::Error::InvalidInput(m)) => error(400, "bad_request", m),
            Err(e) => internal("storing a blob failed", e),
        }
    })
    .await
}

/// Authenticates a `GET` or `HEAD` and checks the device may read the branch.
async fn read_request(
    state: &AppState,
    method: &'static str,
    branch: String,
    uri: Uri,
    headers: &HeaderMap,
    body: Body,
    f: impl FnOnce(&AppState, BranchId) -> Response + Send + 'static,
) -> Response {
    let body = match read_body(body, MAX_EMPTY_BODY).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let digest: [u8; 32] = Sha256::digest(&body).into();
    let auth = auth_header(headers);
    blocking(state, move |state| {
        let ctx = match authenticate(state, auth.as_deref(), method, uri.path(), &digest) {
            Ok(c) => c,
            Err(e) => return auth_refused(&e, method),
        };
        let branch = BranchId::new(&branch);
        match ctx.may_read(state.store.as_ref(), &Scope::Branch(branch.clone())) {
            Ok(true) => f(state, branch),
            Ok(false) => error(
                403,
                "forbidden",
                "this device may not read that branch's attachments",
            ),
            Err(e) => internal("reading scopes failed", e),
        }
    })
    .await
}

fn not_found() -> Response {
    error(
        404,
        "not_found",
        "the server has no such attachment in this branch (yet: it arrives when the phone that \
         added it syncs)",
    )
}

/// `GET`: the blob's bytes; 404 when the branch has none with this hash, 403 `forbidden`.
pub(super) async fn get_blob(
    State(state): State<AppState>,
    Path((branch, sha256)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sha256 = match BlobHash::parse(&sha256) {
        Ok(h) => h,
        Err(e) => return bad_hash(&e),
    };
    read_request(
        &state,
        "GET",
        branch,
        uri,
        &headers,
        body,
        move |state, branch| match state.store.blob(&branch, sha256.as_bytes()) {
            Ok(Some(blob)) => (
                [(header::CONTENT_TYPE, "application/octet-stream")],
                blob.bytes,
            )
                .into_response(),
            Ok(None) => not_found(),
            Err(e) => internal("reading a blob failed", e),
        },
    )
    .await
}

/// `HEAD`: whether the branch has the blob (200 with its `Content-Length`, else 404 with the
/// server's size limit in `x-sotay-max-blob-bytes`), without its bytes: a device asks before
/// it uploads, and does not send a file the server would refuse.
pub(super) async fn head_blob(
    State(state): State<AppState>,
    Path((branch, sha256)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sha256 = match BlobHash::parse(&sha256) {
        Ok(h) => h,
        Err(e) => return bad_hash(&e),
    };
    read_request(
        &state,
        "HEAD",
        branch,
        uri,
        &headers,
        body,
        move |state, branch| match state.store.blob_meta(&branch, sha256.as_bytes()) {
            Ok(Some(meta)) => {
                let mut resp = StatusCode::OK.into_response();
                resp.headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
                resp
            }
            Ok(None) => {
                // The limit, so a phone does not start sending a file that would be refused
                // (a 413 sent while the body still streams can reach it as a reset).
                let mut resp = not_found();
                resp.headers_mut()
                    .insert(MAX_BYTES_HEADER, HeaderValue::from(state.max_blob_bytes));
                resp
            }
            Err(e) => internal("reading a blob failed", e),
        },
    )
    .await
}
