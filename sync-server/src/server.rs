//! The HTTP surface: `app(state) -> Router` and `run(listener, state, shutdown)`.
//!
//! Handlers stay thin: they take the raw body, authenticate it ([`crate::identity`]), decode
//! it, and run the sync engine ([`crate::sync`]) on a blocking thread (storage is
//! synchronous). Attachments' bytes have routes of their own (`blobs`: `PUT`, `GET`, `HEAD`
//! `/v1/blobs/<branch>/<sha256>`). Every failure answers with a JSON [`ErrorBody`]; a panic
//! anywhere below a handler becomes a 500 for that request only, and the server keeps
//! serving.

mod blobs;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sotay_core::blob::DEFAULT_MAX_BLOB_BYTES;
use sotay_core::model::now_unix;
use sotay_core::protocol::{
    self, AUTH_HEADER, EnrollRequest, ErrorBody, MAX_REQUEST_BYTES, SyncRequest, paths,
};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::store::ServerStore;
use crate::sync::{Caller, DocLocks, SyncError};
use crate::{admin, identity};

/// Largest enrollment body.
const MAX_ENROLL_BYTES: usize = 16 * 1024;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The storage backend.
    pub store: Arc<dyn ServerStore>,
    /// Serialises pushes per document.
    pub locks: Arc<DocLocks>,
    /// Bounds how many sync and blob requests run on blocking threads at once.
    pub workers: Arc<Semaphore>,
    /// The largest attachment accepted (bytes); [`DEFAULT_MAX_BLOB_BYTES`] unless configured
    /// ([`AppState::with_max_blob_bytes`], `sotay-server serve --max-blob-mib`).
    pub max_blob_bytes: u64,
}

/// Sync requests handled at once (the rest wait, cheaply, as futures). Why a bound: with
/// 600 devices in flight, 600 blocking threads contended for 2 cores and their per-thread
/// buffers cost memory; a few dozen keep both cores busy and still fill the SQLite
/// writer's group commits.
pub const DEFAULT_WORKERS: usize = 32;

impl AppState {
    /// State over a backend.
    pub fn new(store: Arc<dyn ServerStore>) -> Self {
        Self {
            store,
            locks: Arc::new(DocLocks::default()),
            workers: Arc::new(Semaphore::new(DEFAULT_WORKERS)),
            max_blob_bytes: DEFAULT_MAX_BLOB_BYTES,
        }
    }

    /// The same state with another attachment size limit (bytes).
    pub fn with_max_blob_bytes(mut self, limit: u64) -> Self {
        self.max_blob_bytes = limit;
        self
    }
}

/// The router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(paths::HEALTH, get(|| async { "ok" }))
        .route(
            paths::ENROLL,
            post(enroll).layer(DefaultBodyLimit::max(MAX_ENROLL_BYTES)),
        )
        .route(
            paths::SYNC,
            post(sync).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES)),
        )
        .route(
            paths::BLOB_ROUTE,
            get(blobs::get_blob)
                .head(blobs::head_blob)
                .put(blobs::put_blob),
        )
        // Bodies are read with explicit limits in the handlers.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.into(),
    };
    (status, axum::Json(body)).into_response()
}

/// Reads a body up to `limit` bytes; over it, a JSON 413 (axum's own limit answers in plain
/// text, which clients could not read as an [`ErrorBody`]).
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        error(
            413,
            "too_large",
            format!("the request body is over the {limit}-byte limit or was cut off"),
        )
    })
}

fn internal(what: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{what}");
    error(500, "internal", "the server failed; try again later")
}

async fn enroll(State(state): State<AppState>, body: Body) -> Response {
    let body = match read_body(body, MAX_ENROLL_BYTES).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let req: EnrollRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                400,
                "bad_request",
                format!("the enrollment body is not valid JSON: {e}"),
            );
        }
    };
    let store = state.store.clone();
    let outcome =
        tokio::task::spawn_blocking(move || admin::enroll(store.as_ref(), &req, now_unix())).await;
    match outcome {
        Ok(Ok(resp)) => {
            tracing::info!(device = %resp.device_id, "device enrolled");
            axum::Json(resp).into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(code = e.code(), "enrollment refused");
            let b = e.body();
            error(e.status(), &b.code, b.message)
        }
        Err(e) => internal("enrollment task failed", e),
    }
}

async fn sync(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let body = match read_body(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let auth = headers
        .get(AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(permit) = state.workers.clone().acquire_owned().await else {
        return error(503, "unavailable", "the server is shutting down");
    };
    let outcome = tokio::task::spawn_blocking(move || -> Response {
        let _permit = permit;
        let store = state.store.as_ref();
        let now = now_unix();
        let ctx =
            match identity::authenticate(store, auth.as_deref(), "POST", paths::SYNC, &body, now) {
                Ok(ctx) => ctx,
                Err(e) => {
                    tracing::warn!(code = e.code(), "sync refused: authentication");
                    let b = e.body();
                    return error(e.status(), &b.code, b.message);
                }
            };
        let req: SyncRequest = match protocol::decode(&body) {
            Ok(r) => r,
            Err(e) => return error(400, "bad_request", e.to_string()),
        };
        let read_scopes = match ctx.read_scopes(store) {
            Ok(s) => s,
            Err(e) => return internal("reading scopes failed", e),
        };
        let write_scopes = ctx.write_scopes();
        let caller = Caller {
            device: &ctx.device,
            member: &ctx.member,
            read_scopes: &read_scopes,
            write_scopes: &write_scopes,
        };
        match crate::sync::handle(store, &state.locks, &caller, &req, now) {
            Ok(resp) => match protocol::encode(&resp) {
                Ok(bytes) => {
                    tracing::info!(
                        device = %ctx.device.id,
                        pushed = req.push.len(),
                        rejected = resp.rejected.len(),
                        pulled = resp.docs.len(),
                        bytes_in = body.len(),
                        bytes_out = bytes.len(),
                        "sync"
                    );
                    ([(header::CONTENT_TYPE, "application/x-sotay-sync")], bytes).into_response()
                }
                Err(e) => internal("encoding the response failed", e),
            },
            Err(SyncError::Version(v)) => error(
                426,
                "version",
                format!("protocol version {v} is not supported; update SoTay"),
            ),
            Err(SyncError::Storage(e)) => internal("sync failed", e),
        }
    })
    .await;
    let response = outcome.unwrap_or_else(|e| internal("sync task panicked", e));
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, status = %response.status(), "sync done");
    response
}
