//! The one error the apps see: [`ApiError`], flattened from [`sotay_core::Error`] so that each
//! variant tells the app what to do next (enroll, fix the input, retry later, update, report).
//!
//! It is a *flat* UniFFI error: Kotlin gets `ApiException.Offline(message)` and so on, Swift
//! `ApiError.Offline(message:)`; the message is the core's sentence for logs and developers —
//! screens choose their own words from the variant.

use sotay_core::Error;

/// What went wrong, by what the app should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ApiError {
    /// This device is not enrolled (or has no member identity): enroll with a code from the
    /// committee's admin.
    #[error("{0}")]
    NotEnrolled(String),
    /// The enrollment code is wrong, used or expired: ask the admin for a new one.
    #[error("{0}")]
    InvalidCode(String),
    /// The server no longer accepts this device (revoked, member removed, unknown device):
    /// enroll again with a new code; unsent edits stay on the phone.
    #[error("{0}")]
    DeviceRejected(String),
    /// The phone's clock is too far from the server's: fix the date and time, then sync.
    #[error("{0}")]
    ClockSkew(String),
    /// The server could not be reached. A normal state: nothing is lost, sync again later.
    #[error("{0}")]
    Offline(String),
    /// The server failed (5xx) after retries: nothing is lost, try again later.
    #[error("{0}")]
    ServerUnavailable(String),
    /// The server refused the request for another reason; the message says why.
    #[error("{0}")]
    ServerRefused(String),
    /// This build is too old for the server's protocol or for the store on disk: update the
    /// app (the store was not touched).
    #[error("{0}")]
    UpdateRequired(String),
    /// The member's role does not allow this (creating a plan, plan metadata, approving,
    /// deciding another member's proposal).
    #[error("{0}")]
    NotPermitted(String),
    /// Not ready for approval: resolve the conflicts and fill the missing fields that
    /// `approval_readiness` lists, then approve again.
    #[error("{0}")]
    NotReady(String),
    /// Only the comment's author may edit or delete it.
    #[error("{0}")]
    NotAuthor(String),
    /// The conflict changed since it was listed (another edit or a sync): list conflicts
    /// again and choose again.
    #[error("{0}")]
    ConflictChanged(String),
    /// No such document, topic, comment or legal basis here (not synced yet, or a stale id);
    /// or an attachment the server does not have yet (the phone that attached it has not
    /// synced since).
    #[error("{0}")]
    NotFound(String),
    /// The input is not acceptable (empty title, bad date, range outside the text, a draft's
    /// id where a plan's is needed): fix it.
    #[error("{0}")]
    InvalidInput(String),
    /// The phone's storage failed (disk full, I/O error). Acknowledged edits are on disk;
    /// free space or restart the app, then retry.
    #[error("{0}")]
    Storage(String),
    /// A document (or the pinned server data) is damaged and quarantined; everything else
    /// keeps working. Report it.
    #[error("{0}")]
    Damaged(String),
    /// An attachment that arrived does not match its SHA-256 (damaged on the way or on the
    /// server): it was refused and nothing was kept. Try again later; report it if it
    /// persists.
    #[error("{0}")]
    AttachmentDamaged(String),
    /// The store file could not be opened and was moved aside (nothing was deleted); opening
    /// again starts an empty store. Tell the member and report it.
    #[error("{0}")]
    StoreMovedAside(String),
    /// A bug in SoTay (an Automerge misuse, a panic, a failed thread): report it.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The error for a server's answer with HTTP `status` and error `code`.
    pub(crate) fn server(status: u16, code: &str, message: String) -> ApiError {
        match (status, code) {
            (_, "invalid_code") => ApiError::InvalidCode(message),
            (401, "clock_skew") => ApiError::ClockSkew(message),
            (401, "unknown_device" | "device_revoked" | "member_removed" | "bad_signature") => {
                ApiError::DeviceRejected(message)
            }
            (426, _) => ApiError::UpdateRequired(message),
            (404, "not_found") => ApiError::NotFound(message),
            (500.., _) => ApiError::ServerUnavailable(message),
            _ => ApiError::ServerRefused(message),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::NotEnrolled | Error::NoIdentity => ApiError::NotEnrolled(message),
            Error::Offline(_) => ApiError::Offline(message),
            Error::Server { status, code, .. } => ApiError::server(status, &code, message),
            Error::NotPermitted(_) => ApiError::NotPermitted(message),
            Error::NotReady(_) => ApiError::NotReady(message),
            Error::NotAuthor { .. } => ApiError::NotAuthor(message),
            Error::ConflictChanged { .. } => ApiError::ConflictChanged(message),
            Error::DocumentNotFound(_)
            | Error::TopicNotFound(_)
            | Error::LegalBasisNotFound(_)
            | Error::CommentNotFound(_) => ApiError::NotFound(message),
            Error::InvalidInput(_) | Error::WrongKind { .. } => ApiError::InvalidInput(message),
            Error::Sqlite(_) | Error::Io(_) => ApiError::Storage(message),
            Error::DocumentDamaged { .. } | Error::InvalidDocument(_) => ApiError::Damaged(message),
            Error::BlobDamaged { .. } => ApiError::AttachmentDamaged(message),
            Error::DatabaseTooNew { .. } => ApiError::UpdateRequired(message),
            Error::DatabaseMovedAside { .. } => ApiError::StoreMovedAside(message),
            Error::Automerge(_) | Error::Json(_) => ApiError::Internal(message),
        }
    }
}

/// The bindings' result type.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16, code: &str) -> ApiError {
        Error::Server {
            status,
            code: code.into(),
            message: "m".into(),
        }
        .into()
    }

    #[test]
    fn test_server_refusals_map_to_what_the_app_should_do() {
        assert!(matches!(
            server(403, "invalid_code"),
            ApiError::InvalidCode(_)
        ));
        assert!(matches!(server(401, "clock_skew"), ApiError::ClockSkew(_)));
        assert!(matches!(
            server(401, "device_revoked"),
            ApiError::DeviceRejected(_)
        ));
        assert!(matches!(
            server(401, "member_removed"),
            ApiError::DeviceRejected(_)
        ));
        assert!(matches!(server(401, "replay"), ApiError::ServerRefused(_)));
        assert!(matches!(
            server(426, "version"),
            ApiError::UpdateRequired(_)
        ));
        assert!(matches!(
            server(503, "internal"),
            ApiError::ServerUnavailable(_)
        ));
        assert!(matches!(
            server(400, "bad_request"),
            ApiError::ServerRefused(_)
        ));
        // An attachment the server does not have yet; any other 404 is a refusal.
        assert!(matches!(server(404, "not_found"), ApiError::NotFound(_)));
        assert!(matches!(server(404, "http"), ApiError::ServerRefused(_)));
    }

    #[test]
    fn test_core_errors_keep_their_message() {
        let e: ApiError = Error::TopicNotFound("t1".into()).into();
        assert_eq!(
            e,
            ApiError::NotFound("topic t1 not found in this plan".into())
        );
        assert!(matches!(
            ApiError::from(Error::NoIdentity),
            ApiError::NotEnrolled(_)
        ));
        assert!(matches!(
            ApiError::from(Error::Offline("refused".into())),
            ApiError::Offline(m) if m.contains("refused")
        ));
        assert!(matches!(
            ApiError::from(Error::WrongKind {
                id: "d".into(),
                expected: "annual_plan",
                actual: "material".into()
            }),
            ApiError::InvalidInput(_)
        ));
        let damaged = ApiError::from(Error::BlobDamaged {
            sha256: "ab".into(),
            reason: "its 3 bytes hash to cd".into(),
        });
        assert!(
            matches!(&damaged, ApiError::AttachmentDamaged(m) if m.contains("nothing was stored")),
            "{damaged:?}"
        );
    }
}
