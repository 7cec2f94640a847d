//! The one error type of `sotay-server`.

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong on the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file system failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// The core refused something (bad document, bad input).
    #[error(transparent)]
    Core(#[from] sotay_core::Error),
    /// JSON failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV failed.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// Something already exists.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// Something does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The input is not acceptable.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A write did not reach the database (its batch failed to commit, or it panicked).
    #[error("storage failed: {0}")]
    Storage(String),
}
