//! Opening the SQLite file: PRAGMAs, numbered migrations, and moving a broken file aside.
//!
//! An offline-first store may hold the only copy of a member's edits, so a database that
//! cannot be opened is renamed (with its `-wal` and `-shm` companions), never deleted, and a
//! database written by a newer build is refused untouched.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

/// The migrations, in order; migration `i` (1-based) brings `user_version` to `i`.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_init.sql"),
    include_str!("sql/002_read_model.sql"),
    include_str!("sql/003_sync.sql"),
    include_str!("sql/004_approvals.sql"),
    include_str!("sql/005_sync_error_kind.sql"),
    include_str!("sql/006_threads_seen.sql"),
    include_str!("sql/007_sessions.sql"),
    include_str!("sql/008_blobs.sql"),
    include_str!("sql/009_committee_settings.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// PRAGMAs for every connection, in one place. WAL + `synchronous=FULL`: a commit is on disk
/// before the call that made it returns, even across power loss.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Opens (creating if needed) and migrates the writer connection.
pub(crate) fn open_writer(path: &Path) -> Result<Connection> {
    let attempt = || -> rusqlite::Result<Connection> {
        let conn = Connection::open(path)?;
        configure(&conn)?;
        // Touch the schema so a file that is not a database fails here, not later.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        Ok(conn)
    };
    let mut conn = match attempt() {
        Ok(c) => c,
        Err(e) if is_not_a_database(&e) => return Err(move_aside(path, &e.to_string())?),
        Err(e) => return Err(e.into()),
    };
    migrate(&mut conn, path, SCHEMA_VERSION)?;
    Ok(conn)
}

/// Opens a read-only connection for queries (WAL lets it read while the writer writes).
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// Applies migrations up to `target`, each in its own IMMEDIATE transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::DatabaseTooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for version in (found + 1)..=target {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(MIGRATIONS[(version - 1) as usize])?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Renames a database that cannot be opened, with its WAL and SHM files, and returns the
/// error that says where it went.
fn move_aside(path: &Path, reason: &str) -> Result<Error> {
    let stamp = crate::model::now_unix();
    let mut moved_to = PathBuf::from(format!("{}.damaged-{stamp}", path.display()));
    let mut n = 1;
    while moved_to.exists() {
        moved_to = PathBuf::from(format!("{}.damaged-{stamp}-{n}", path.display()));
        n += 1;
    }
    std::fs::rename(path, &moved_to)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", moved_to.display()))?;
        }
    }
    Ok(Error::DatabaseMovedAside {
        path: path.to_owned(),
        moved_to,
        reason: reason.to_owned(),
    })
}

/// Runs `f` in an IMMEDIATE transaction that commits when `f` returns `Ok`.
pub(crate) fn write<R>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<R>,
) -> Result<R> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let r = f(&tx)?;
    tx.commit()?;
    Ok(r)
}
