//! Sync: what a sync did, its progress, the status listeners see, and where sync stands.

use sotay_core::protocol as core_protocol;
use sotay_core::store as core_store;
use sotay_core::sync as core_sync;

use super::BlobRefusal;
use crate::error::ApiError;

/// A pushed document the server refused (nothing of it reached anyone).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rejection {
    /// The document.
    pub doc_id: String,
    /// A stable code (`invalid_change`, `forbidden`, …).
    pub code: String,
    /// For people.
    pub message: String,
}

impl From<core_protocol::Rejection> for Rejection {
    fn from(r: core_protocol::Rejection) -> Self {
        Rejection {
            doc_id: r.doc_id.to_string(),
            code: r.code,
            message: r.message,
        }
    }
}

/// A sign-off made here that the server refused.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignoffRefusal {
    /// The sign-off.
    pub signoff_id: String,
    /// A stable code (`wrong_role`, `unknown_heads`, …).
    pub code: String,
    /// For people.
    pub message: String,
}

impl From<core_protocol::SignoffRefusal> for SignoffRefusal {
    fn from(r: core_protocol::SignoffRefusal) -> Self {
        SignoffRefusal {
            signoff_id: r.id.as_str().to_owned(),
            code: r.code,
            message: r.message,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// HTTP requests made (retries included).
    pub round_trips: u32,
    /// Documents whose changes were pushed and accepted.
    pub docs_pushed: u32,
    /// Changes pushed and accepted.
    pub changes_pushed: u32,
    /// Documents received.
    pub docs_pulled: u32,
    /// Bytes sent (compressed).
    pub bytes_up: u64,
    /// Bytes received (compressed).
    pub bytes_down: u64,
    /// Documents the server refused.
    pub rejected: Vec<Rejection>,
    /// Documents that arrived but failed to apply here (kept out; reported).
    pub failed_to_apply: Vec<String>,
    /// Documents holding other members' changes the server lacks (after a server restore),
    /// kept unsent here until their authors' phones push them.
    pub deferred: Vec<String>,
    /// Sign-offs made here that the server refused.
    pub signoffs_refused: Vec<SignoffRefusal>,
    /// The documents this sync changed, as sent to document-change listeners: received,
    /// or whose sign-offs arrived, were acknowledged or were refused (and every document
    /// holding sign-offs when a new member directory arrived).
    pub changed_documents: Vec<String>,
    /// Files attached here that the server has now (sent after the documents, or found
    /// there already). Not counted in `round_trips` or the byte counts.
    pub blobs_uploaded: u32,
    /// Files attached here that the server refused for good (too large for it, …); also
    /// listed by `blob_refusals` until attached again.
    pub blobs_refused: Vec<BlobRefusal>,
}

impl SyncReport {
    /// Converts core's report; `changed` is what the listeners were told.
    pub(crate) fn new(r: core_sync::SyncReport, changed: Vec<String>) -> Self {
        SyncReport {
            round_trips: r.round_trips,
            docs_pushed: r.docs_pushed,
            changes_pushed: r.changes_pushed,
            docs_pulled: r.docs_pulled,
            bytes_up: r.bytes_up,
            bytes_down: r.bytes_down,
            rejected: r.rejected.into_iter().map(Into::into).collect(),
            failed_to_apply: r.failed_to_apply.iter().map(ToString::to_string).collect(),
            deferred: r.deferred.iter().map(ToString::to_string).collect(),
            signoffs_refused: r.signoffs_refused.into_iter().map(Into::into).collect(),
            changed_documents: changed,
            blobs_uploaded: r.blobs_uploaded,
            blobs_refused: r.blobs_refused.into_iter().map(Into::into).collect(),
        }
    }
}

/// Progress of a sync in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    /// Requests completed so far.
    pub round: u32,
    /// Documents applied so far.
    pub docs_applied: u32,
    /// Bytes received so far.
    pub bytes_down: u64,
    /// More is waiting on the server (another request follows at once).
    pub more: bool,
}

impl From<&core_sync::SyncProgress> for SyncProgress {
    fn from(p: &core_sync::SyncProgress) -> Self {
        SyncProgress {
            round: p.round,
            docs_applied: p.docs_applied,
            bytes_down: p.bytes_down,
            more: p.more,
        }
    }
}

/// Where sync stands, as the sync-status listeners see it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncStatus {
    /// Not enrolled with a server: enroll before anything syncs.
    NotEnrolled,
    /// Nothing in flight.
    Idle {
        /// Last successful sync (Unix seconds), if any.
        last_synced_at: Option<i64>,
        /// Documents with edits the server does not have yet.
        unsent_documents: u32,
    },
    /// A sync is running.
    Syncing {
        /// How far it got.
        progress: SyncProgress,
    },
    /// The last sync could not reach the server. A normal state: every edit stays queued.
    Offline {
        /// Last successful sync, if any.
        last_synced_at: Option<i64>,
        /// Documents with edits the server does not have yet.
        unsent_documents: u32,
        /// What the network said.
        message: String,
    },
    /// The last sync failed for another reason (see `ApiError` for what to do).
    Failed {
        /// The error's message.
        message: String,
        /// The server no longer accepts this device: enroll again.
        needs_enrollment: bool,
        /// Last successful sync, if any.
        last_synced_at: Option<i64>,
        /// Documents with edits the server does not have yet.
        unsent_documents: u32,
    },
}

impl SyncStatus {
    /// The status a finished sync leaves (`Ok` → idle; offline; enrollment; other failures).
    pub(crate) fn after(
        outcome: Result<(), &ApiError>,
        last_synced_at: Option<i64>,
        unsent_documents: u32,
    ) -> Self {
        match outcome {
            Ok(()) => SyncStatus::Idle {
                last_synced_at,
                unsent_documents,
            },
            Err(ApiError::NotEnrolled(_)) => SyncStatus::NotEnrolled,
            Err(ApiError::Offline(message)) => SyncStatus::Offline {
                last_synced_at,
                unsent_documents,
                message: message.clone(),
            },
            Err(e) => SyncStatus::Failed {
                message: e.to_string(),
                needs_enrollment: matches!(e, ApiError::DeviceRejected(_)),
                last_synced_at,
                unsent_documents,
            },
        }
    }

    /// The status of a store at rest, from what it stored: idle after a successful sync (or
    /// none), else offline or failed as the last sync ended — so a restarted app shows what
    /// it showed before.
    pub(crate) fn at_rest(s: &core_store::SyncState, unsent_documents: u32) -> Self {
        let last_synced_at = s.last_sync_at;
        let message = s.last_error.clone().unwrap_or_default();
        let error = match &s.last_error_kind {
            None => return SyncStatus::after(Ok(()), last_synced_at, unsent_documents),
            Some(core_store::SyncErrorKind::Offline) => ApiError::Offline(message),
            Some(core_store::SyncErrorKind::ServerRefused { status, code }) => {
                ApiError::server(*status, code, message)
            }
            Some(core_store::SyncErrorKind::Other) => {
                return SyncStatus::Failed {
                    message,
                    needs_enrollment: false,
                    last_synced_at,
                    unsent_documents,
                };
            }
        };
        SyncStatus::after(Err(&error), last_synced_at, unsent_documents)
    }

    /// The same status with a new count of unsent documents (statuses without one unchanged).
    pub(crate) fn with_unsent(&self, n: u32) -> Self {
        let mut s = self.clone();
        match &mut s {
            SyncStatus::Idle {
                unsent_documents, ..
            }
            | SyncStatus::Offline {
                unsent_documents, ..
            }
            | SyncStatus::Failed {
                unsent_documents, ..
            } => *unsent_documents = n,
            SyncStatus::NotEnrolled | SyncStatus::Syncing { .. } => {}
        }
        s
    }
}

/// Where this device's sync stands, as stored.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncState {
    /// Last successful sync (Unix seconds).
    pub last_synced_at: Option<i64>,
    /// The last sync's error, if it failed.
    pub last_error: Option<String>,
    /// Documents with edits the server does not have yet.
    pub unsent_documents: u32,
    /// The member directory version held.
    pub directory_version: u64,
}

impl SyncState {
    /// Converts core's state with the count of unsent documents.
    pub(crate) fn new(s: core_store::SyncState, unsent_documents: u32) -> Self {
        SyncState {
            last_synced_at: s.last_sync_at,
            last_error: s.last_error,
            unsent_documents,
            directory_version: s.directory_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_status_after_a_sync_says_what_happened() {
        assert_eq!(
            SyncStatus::after(Ok(()), Some(5), 0),
            SyncStatus::Idle {
                last_synced_at: Some(5),
                unsent_documents: 0
            }
        );
        let offline = ApiError::Offline("connection refused".into());
        assert!(matches!(
            SyncStatus::after(Err(&offline), Some(5), 2),
            SyncStatus::Offline {
                unsent_documents: 2,
                ..
            }
        ));
        let revoked = ApiError::DeviceRejected("device_revoked".into());
        assert!(matches!(
            SyncStatus::after(Err(&revoked), None, 1),
            SyncStatus::Failed {
                needs_enrollment: true,
                ..
            }
        ));
        assert_eq!(
            SyncStatus::after(Err(&ApiError::NotEnrolled(String::new())), None, 0),
            SyncStatus::NotEnrolled
        );
    }

    #[test]
    fn test_status_at_rest_follows_the_stored_failure_kind() {
        use sotay_core::store::SyncErrorKind;
        let state = |kind: Option<SyncErrorKind>| core_store::SyncState {
            last_sync_at: Some(5),
            last_error: kind.as_ref().map(|_| "the last error".to_owned()),
            last_error_kind: kind,
            ..Default::default()
        };
        assert_eq!(
            SyncStatus::at_rest(&state(None), 2),
            SyncStatus::Idle {
                last_synced_at: Some(5),
                unsent_documents: 2
            }
        );
        assert_eq!(
            SyncStatus::at_rest(&state(Some(SyncErrorKind::Offline)), 2),
            SyncStatus::Offline {
                last_synced_at: Some(5),
                unsent_documents: 2,
                message: "the last error".into()
            }
        );
        let revoked = SyncErrorKind::ServerRefused {
            status: 401,
            code: "device_revoked".into(),
        };
        assert!(matches!(
            SyncStatus::at_rest(&state(Some(revoked)), 0),
            SyncStatus::Failed {
                needs_enrollment: true,
                ..
            }
        ));
        assert_eq!(
            SyncStatus::at_rest(&state(Some(SyncErrorKind::Other)), 1),
            SyncStatus::Failed {
                message: "the last error".into(),
                needs_enrollment: false,
                last_synced_at: Some(5),
                unsent_documents: 1
            }
        );
    }

    #[test]
    fn test_unsent_count_updates_only_where_shown() {
        let idle = SyncStatus::Idle {
            last_synced_at: None,
            unsent_documents: 0,
        };
        assert!(matches!(
            idle.with_unsent(3),
            SyncStatus::Idle {
                unsent_documents: 3,
                ..
            }
        ));
        let syncing = SyncStatus::Syncing {
            progress: SyncProgress::default(),
        };
        assert_eq!(syncing.with_unsent(3), syncing);
    }
}
