//! Enrollment and sync: the two network calls, `async` for the apps.
//!
//! Core's `enroll` and `sync` borrow the `Store` for the whole exchange, so each runs on the
//! bindings' runtime in a blocking-pool thread that takes the store lock and drives the
//! exchange there (`Handle::block_on`). Local calls made meanwhile wait for the sync to end
//! (the apps make them off the main thread); the status listeners follow it (`Syncing` with
//! progress, then idle / offline / failed), and the document-change listeners hear of what it
//! received.

use std::sync::{Arc, Mutex};

use sotay_core::Store;
use sotay_core::store::SyncState as CoreSyncState;
use sotay_core::sync::{self as core_sync, ClientConfig};
use tokio::runtime::Handle;

use super::{SotayStore, lock_store, unsent_count};
use crate::error::{ApiError, Result};
use crate::listeners::Hub;
use crate::records::{Enrollment, SyncProgress, SyncReport, SyncStatus};
use crate::runtime::runtime;

#[uniffi::export]
impl SotayStore {
    /// Enrolls this device with a server using a one-time code from the committee's admin
    /// (`InvalidCode` if it is wrong, used or expired; `Offline` if unreachable).
    pub async fn enroll(
        &self,
        server_url: String,
        code: String,
        device_name: String,
    ) -> Result<Enrollment> {
        let store = Arc::clone(&self.store);
        let hub = Arc::clone(&self.hub);
        runtime()?
            .spawn_blocking(move || enroll_blocking(&store, &hub, &server_url, &code, &device_name))
            .await
            .map_err(|e| ApiError::Internal(format!("enrollment stopped: {e}")))?
    }

    /// Syncs every document and sign-off with the server in one round trip (more only for
    /// large downloads). Offline is a normal outcome (`Offline`): every edit stays queued.
    pub async fn sync(&self) -> Result<SyncReport> {
        let store = Arc::clone(&self.store);
        let hub = Arc::clone(&self.hub);
        runtime()?
            .spawn_blocking(move || sync_blocking(&store, &hub))
            .await
            .map_err(|e| ApiError::Internal(format!("sync stopped: {e}")))?
    }
}

fn enroll_blocking(
    store: &Mutex<Store>,
    hub: &Hub,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> Result<Enrollment> {
    let mut s = lock_store(store);
    Handle::current().block_on(core_sync::enroll(&mut s, server_url, code, device_name))?;
    let enrollment = s
        .enrollment()?
        .ok_or_else(|| ApiError::Internal("the enrollment was not recorded".into()))?;
    let status = SyncStatus::Idle {
        last_synced_at: s.sync_state()?.last_sync_at,
        unsent_documents: unsent_count(&s)?,
    };
    drop(s);
    hub.set_status(status);
    Ok(enrollment.into())
}

fn sync_blocking(store: &Mutex<Store>, hub: &Hub) -> Result<SyncReport> {
    let mut s = lock_store(store);
    let before = s.sync_state()?;
    hub.set_status(SyncStatus::Syncing {
        progress: SyncProgress::default(),
    });
    let result = Handle::current().block_on(core_sync::sync(
        &mut s,
        &ClientConfig::default(),
        &mut |p| {
            hub.set_status(SyncStatus::Syncing { progress: p.into() });
        },
    ));
    let result = result.map_err(ApiError::from);
    // What the listeners are told; a failure to read it must not hide the sync's outcome.
    let after = s.sync_state().ok();
    let unsent = unsent_count(&s).unwrap_or(0);
    let changed = if may_have_changed_documents(&before, after.as_ref(), result.as_ref().ok()) {
        s.document_ids()
            .map(|ids| ids.into_iter().map(|(id, _)| id.to_string()).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    drop(s);
    let last = after
        .as_ref()
        .and_then(|a| a.last_sync_at)
        .or(before.last_sync_at);
    hub.set_status(SyncStatus::after(result.as_ref().map(|_| ()), last, unsent));
    hub.documents_changed(changed.clone());
    result.map(|r| SyncReport::new(r, changed))
}

/// Whether a sync may have changed what screens show: it received documents, sign-offs or
/// a new directory, or had something refused. Core does not yet say *which* documents
/// changed, so the caller then names every document (screens refresh only what they show).
fn may_have_changed_documents(
    before: &CoreSyncState,
    after: Option<&CoreSyncState>,
    report: Option<&core_sync::SyncReport>,
) -> bool {
    let Some(after) = after else {
        return true;
    };
    let signoffs_or_directory = after.signoff_cursor != before.signoff_cursor
        || after.directory_version != before.directory_version;
    match report {
        // A finished sync: its change-log cursor also moves past this phone's own pushes, so
        // only what it says it received counts.
        Some(r) => {
            r.docs_pulled > 0
                || !r.rejected.is_empty()
                || !r.signoffs_refused.is_empty()
                || !r.failed_to_apply.is_empty()
                || signoffs_or_directory
        }
        // A sync cut off midway kept whatever its cursor moved past.
        None => after.cursor != before.cursor || signoffs_or_directory,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_sync_that_received_nothing_changes_nothing() {
        let before = CoreSyncState::default();
        let quiet = core_sync::SyncReport::default();
        assert!(!may_have_changed_documents(
            &before,
            Some(&before),
            Some(&quiet)
        ));
        let pulled = core_sync::SyncReport {
            docs_pulled: 1,
            ..Default::default()
        };
        assert!(may_have_changed_documents(
            &before,
            Some(&before),
            Some(&pulled)
        ));
        let dir = CoreSyncState {
            directory_version: 3,
            ..Default::default()
        };
        assert!(may_have_changed_documents(
            &before,
            Some(&dir),
            Some(&quiet)
        ));
        assert!(!may_have_changed_documents(&before, Some(&before), None));
        assert!(may_have_changed_documents(&before, None, None));
    }

    #[test]
    fn test_sync_without_enrollment_fails_and_says_so() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        let err = runtime()
            .expect("runtime")
            .block_on(store.sync())
            .expect_err("not enrolled");
        assert!(matches!(err, ApiError::NotEnrolled(_)));
        assert_eq!(store.sync_status(), SyncStatus::NotEnrolled);
    }

    #[test]
    fn test_unreachable_server_is_offline() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        // A port that was just free: nothing listens, the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let err = runtime()
            .expect("runtime")
            .block_on(store.enroll(
                format!("http://127.0.0.1:{port}"),
                "AAAA-BBBB-CCCC".into(),
                "test".into(),
            ))
            .expect_err("offline");
        assert!(matches!(err, ApiError::Offline(_)));
    }
}
