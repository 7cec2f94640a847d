//! The one error type of `sotay-core`.
//!
//! Every variant says what went wrong in words a developer can act on; the FFI layer later
//! flattens these into an `ApiError` that tells the app what to do (fix input, retry, repair).

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Automerge refused an operation (a bug in our use of it, or a bad index from the caller).
    #[error("document operation failed: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// SQLite failed (disk full, I/O error, locked database).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file system failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// JSON (de)serialisation failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// No document with this id is in the store.
    #[error("no document {0} in this store")]
    DocumentNotFound(String),
    /// The document's stored bytes could not be loaded (or made Automerge panic); it is
    /// quarantined and the rest of the store keeps working.
    #[error("document {id} is damaged and cannot be opened: {reason}")]
    DocumentDamaged {
        /// The document id.
        id: String,
        /// What the loader said.
        reason: String,
    },
    /// The bytes decoded but are not a SoTay document of a schema this build understands.
    #[error("not a valid SoTay document: {0}")]
    InvalidDocument(String),
    /// The document exists but is of another kind than the operation needs.
    #[error("document {id} is of kind {actual}, not {expected}")]
    WrongKind {
        /// The document id.
        id: String,
        /// The kind the operation needs.
        expected: &'static str,
        /// The kind the document has.
        actual: String,
    },
    /// No topic with this id in the plan.
    #[error("topic {0} not found in this plan")]
    TopicNotFound(String),
    /// No legal basis with this id in the plan.
    #[error("legal basis {0} not found in this plan")]
    LegalBasisNotFound(String),
    /// No comment with this id in the document.
    #[error("comment {0} not found")]
    CommentNotFound(String),
    /// The caller's input is not acceptable (empty title, bad date, range outside the text, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Only the comment's author may do this.
    #[error("only the author of comment {comment} may {action} it")]
    NotAuthor {
        /// The comment id.
        comment: String,
        /// What was attempted.
        action: &'static str,
    },
    /// The conflict the caller chose from no longer exists (another edit resolved or changed it).
    #[error("the conflict on {field} has changed since it was listed; list conflicts again")]
    ConflictChanged {
        /// The field's path.
        field: String,
    },
    /// The store has no member identity yet, so edits cannot be attributed.
    #[error("no member identity is set in this store; set one before editing")]
    NoIdentity,
    /// The database was written by a newer SoTay; this build refuses to touch it.
    #[error(
        "the database {path} has schema version {found}, newer than this build supports ({supported}); update SoTay"
    )]
    DatabaseTooNew {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// This device is not enrolled with a server yet.
    #[error("this device is not enrolled; run enroll with a code from the committee's admin")]
    NotEnrolled,
    /// The server could not be reached (offline is a normal state: nothing is lost).
    #[error("the server could not be reached: {0}")]
    Offline(String),
    /// The server refused the request.
    #[error("the server refused the request ({status} {code}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error code.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The member's role does not allow this (approving, editing plan metadata, publishing).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The document cannot be approved yet (conflicts, missing fields); the message lists all.
    #[error("{0}")]
    NotReady(String),
    /// An attachment's bytes that arrived do not match their hash (or their size limit): they
    /// were refused and nothing was stored.
    #[error(
        "the attachment {sha256} that arrived is damaged ({reason}); it was refused and nothing was stored: fetch it again"
    )]
    BlobDamaged {
        /// The hash the attachment is listed under.
        sha256: String,
        /// What was wrong.
        reason: String,
    },
    /// The database file could not be opened as a SoTay store; it was renamed, never deleted.
    #[error(
        "the database {path} could not be opened ({reason}); it was moved aside to {moved_to} and nothing was deleted; opening again starts an empty store"
    )]
    DatabaseMovedAside {
        /// Where the file was.
        path: PathBuf,
        /// Where it is now.
        moved_to: PathBuf,
        /// Why it failed.
        reason: String,
    },
}
