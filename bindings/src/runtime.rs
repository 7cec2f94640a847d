//! The tokio runtime the bindings own. The apps never see it: `async` methods hand their
//! network work to it and the foreign side awaits the result (Kotlin coroutines, Swift
//! async), so neither side's executor needs to know the other.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::{ApiError, Result};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The runtime, started on first use (two workers: sync is one request at a time; the
/// blocking pool runs the store-bound part of each sync and attachment download).
pub(crate) fn runtime() -> Result<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sotay-sync")
        .enable_all()
        .build()
        .map_err(|e| ApiError::Internal(format!("cannot start the sync runtime: {e}")))?;
    // Two first calls may race; the loser's runtime is dropped here, on an app thread.
    Ok(RUNTIME.get_or_init(|| rt))
}
