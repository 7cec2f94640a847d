//! SQLite backend (the embedded default): one file in the data directory.
//!
//! - Schema: numbered migrations in `sql/` (`001_init.sql` …), each applied in one IMMEDIATE
//!   transaction and tracked in `PRAGMA user_version`. A database newer than this build is
//!   refused before anything is written to it. A shipped migration is never edited.
//! - Durability: WAL with `synchronous=FULL`, because an acknowledged push must survive a
//!   crash or power loss (devices drop what the server acknowledged from their unsent set).
//! - Connections: one writer behind a mutex (SQLite has one writer anyway) and a small pool of
//!   read-only connections opened on demand, so reads run beside writes instead of queueing
//!   behind them. Every method runs in one transaction: writes in an IMMEDIATE one that
//!   commits on `Ok`, reads in a deferred one so they see a single consistent snapshot.
//! - A file that is not a database is reported, never moved or deleted: unlike a phone, the
//!   server must not silently start over with an empty log.
//!
//! ```no_run
//! use sotay_server::store::{sqlite::SqliteStore, ServerStore};
//! let store = SqliteStore::open("data/sotay-server.db")?;
//! println!("epoch {}", store.epoch()?);
//! # Ok::<(), sotay_server::Error>(())
//! ```

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Params, Row, Transaction, TransactionBehavior, params,
};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{CommitteeSettings, RoleSpan, Span};

use super::group_commit::GroupCommit;
use super::{
    AcceptedBatch, BlobMeta, Branch, Committee, Device, DocData, DocMeta, LogEntry, LogPage, Scope,
    ServerMember, ServerStore, StoredBlob, StoredSignoff,
};
use super::{
    actor_taken, check_blob, check_signoff_id, check_signoff_scope, conflicting_doc, effective_at,
    new_epoch, new_server_secret, role_changed,
};
use crate::{Error, Result};

/// The migrations, in order; migration `i` (1-based) brings `user_version` to `i`.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_init.sql"),
    include_str!("sql/002_approvals.sql"),
    include_str!("sql/003_blobs.sql"),
    include_str!("sql/004_committee_settings.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Idle reader connections kept for reuse; more are opened under load and closed after.
/// Opening one costs a schema parse and its statement cache starts empty: with a pool of 4,
/// parsing SQL was the largest item of the server's profile under 600 concurrent devices.
const IDLE_READERS: usize = 32;

/// Memory-mapped I/O for readers: in WAL mode a connection's page cache is dropped whenever
/// another connection has written since its last read, and under load that is every read;
/// with the file mapped, refilling it is a memory access instead of a `pread` each page.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// How long a statement waits for a lock held by another process (e.g. an admin command
/// run while the server is up) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite [`ServerStore`].
pub struct SqliteStore {
    path: PathBuf,
    epoch: u64,
    /// Read once at open: it never changes.
    server_secret: [u8; 32],
    writer: GroupCommit,
    readers: Mutex<Vec<Connection>>,
    /// Request nonces: checked in memory, written in batches (`remember_nonce`).
    nonces: Mutex<Nonces>,
    /// Facts that never change once stored (a document's kind and scope, the device an actor
    /// is bound to), remembered after the first read: every push asks for them.
    known: Mutex<Known>,
}

/// Nonces seen, and those not yet written.
///
/// Why in memory: every request, idle ones included, records a nonce, and a write per
/// request through the single SQLite writer made every request wait for the commit (and its
/// fsync) of whatever batch was in progress. The map is complete: loaded from the table at
/// open and fed by every request, so a miss means the nonce is new (one server process per
/// database, as the document cache already assumes). Pending nonces are written at most once
/// a second or every [`NONCE_FLUSH_COUNT`], without fsync, and on drop; a crash can lose the
/// last second's, which only reopens a replay window of minutes for requests that are
/// signed, time-stamped and idempotent anyway. Keys are 64-bit hashes of (device, nonce) so
/// the map stays small (16 bytes an entry) under thousands of requests a second.
#[derive(Default)]
struct Nonces {
    seen: HashMap<u64, i64>,
    pending: Vec<(String, String, i64)>,
    /// When pending nonces were last written (Unix seconds).
    flushed_at: i64,
    /// The cut-off of the last pruning of `seen`.
    pruned_to: i64,
}

/// Pending nonces written once this many wait (or once a second).
const NONCE_FLUSH_COUNT: usize = 512;

impl Nonces {
    /// Records a sighting; `false` if the key was seen at or after `forget_before`.
    fn remember(&mut self, key: u64, now: i64, forget_before: i64) -> bool {
        if forget_before >= self.pruned_to + 60 {
            self.seen.retain(|_, t| *t >= forget_before);
            self.pruned_to = forget_before;
        }
        match self.seen.insert(key, now) {
            Some(t) if t >= forget_before => {
                self.seen.insert(key, t);
                false
            }
            _ => true,
        }
    }
}

fn nonce_key(device_id: &str, nonce: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(device_id.as_bytes());
    h.update([0]);
    h.update(nonce.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// See `SqliteStore::known`. Only found rows are remembered; both maps are cleared when they
/// reach [`KNOWN_MAX`] entries.
#[derive(Default)]
struct Known {
    docs: HashMap<DocId, DocMeta>,
    actors: HashMap<Vec<u8>, String>,
}

const KNOWN_MAX: usize = 100_000;

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Nothing is forgotten here: the cut-off is the requests' business.
        if let Err(e) = self.flush_nonces(sotay_core::model::now_unix(), i64::MIN) {
            tracing::warn!(error = %e, "request nonces not written at shutdown");
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

/// Locks a mutex, ignoring poisoning: a panic while a connection was held unwinds through
/// its `Transaction`, which rolls back, so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteStore {
    /// Opens (creating the file and its parent directories if needed) and migrates the store.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut writer = Connection::open(&path)?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        // Refuse a newer database before any PRAGMA below writes to the file.
        check_version(&writer, &path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut writer, &path)?;
        let tx = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO meta (id, epoch, server_secret) VALUES (1, ?1, ?2)",
            params![to_i64(new_epoch()), new_server_secret()],
        )?;
        // A database created before migration 002 gets its key now.
        tx.execute(
            "UPDATE meta SET server_secret = ?1 WHERE id = 1 AND server_secret IS NULL",
            [new_server_secret()],
        )?;
        let (epoch, server_secret): (i64, [u8; 32]) = tx.query_row(
            "SELECT epoch, server_secret FROM meta WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.commit()?;
        let mut nonces = Nonces::default();
        {
            let mut stmt = writer.prepare("SELECT device_id, nonce, seen_at FROM nonces")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let (device, nonce): (String, String) = (row.get(0)?, row.get(1)?);
                nonces.seen.insert(nonce_key(&device, &nonce), row.get(2)?);
            }
        }
        Ok(Self {
            path,
            epoch: to_u64(epoch),
            server_secret,
            writer: GroupCommit::new(writer),
            readers: Mutex::new(Vec::new()),
            known: Mutex::new(Known::default()),
            nonces: Mutex::new(nonces),
        })
    }

    /// Marks this database as restored from a backup: it gets a new epoch, so every phone's
    /// cursor (which may point past the restored log, or into a log that has since grown
    /// differently) is recognised as foreign and answered with a heads reconciliation. Run it
    /// with the server stopped, right after restoring the file.
    pub fn mark_restored(&mut self) -> Result<u64> {
        let epoch = new_epoch();
        let conn = self.writer.get_mut();
        conn.execute("UPDATE meta SET epoch = ?1 WHERE id = 1", [to_i64(epoch)])?;
        self.epoch = epoch;
        Ok(epoch)
    }

    /// Writes the pending nonces (without fsync) and forgets old ones in the table.
    fn flush_nonces(&self, now: i64, forget_before: i64) -> Result<()> {
        let pending = {
            let mut n = lock(&self.nonces);
            n.flushed_at = now;
            std::mem::take(&mut n.pending)
        };
        if pending.is_empty() {
            return Ok(());
        }
        self.writer.write(false, move |tx| {
            tx.prepare_cached("DELETE FROM nonces WHERE seen_at < ?1")?
                .execute([forget_before])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, nonce) DO UPDATE SET seen_at = excluded.seen_at",
            )?;
            for (device, nonce, seen_at) in &pending {
                insert.execute(params![device, nonce, seen_at])?;
            }
            Ok(())
        })
    }

    /// Runs `f` on the writer, in the next group-committed batch (`group_commit`): its
    /// writes are kept when it returns `Ok` and are durable when this returns.
    fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.writer.write(true, f)
    }

    /// Runs `f` in a read transaction on a pooled reader connection.
    fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let result = read_in(&mut conn, f);
        let mut pool = lock(&self.readers);
        // A connection left inside a transaction (a failed ROLLBACK) is not reused.
        if pool.len() < IDLE_READERS && conn.is_autocommit() {
            pool.push(conn);
        }
        result
    }
}

/// Runs `f` in a deferred read transaction, so it sees one consistent snapshot. BEGIN and
/// COMMIT come from the statement cache: rusqlite's `transaction()` parses them on every call,
/// and a sync request makes several reads.
fn read_in<R>(conn: &mut Connection, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let r = f(conn);
    let end = conn
        .prepare_cached(if r.is_ok() { "COMMIT" } else { "ROLLBACK" })?
        .execute([]);
    let r = r?;
    end?;
    Ok(r)
}

fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

fn check_version(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::Core(sotay_core::Error::DatabaseTooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        }));
    }
    Ok(())
}

/// Applies the missing migrations, each in its own IMMEDIATE transaction. The version is
/// re-read inside each transaction, so two processes opening a new file at once cannot both
/// apply the same migration.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_version(&tx, path)?;
        let version = user_version(&tx)?;
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(()); // up to date; the transaction rolls back having changed nothing
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

// ----- conversions ------------------------------------------------------------------------

/// Seqs and epochs are `u64` in the API and `INTEGER` (i64) in SQLite; real values always
/// fit, and an out-of-range cursor saturates instead of wrapping to a negative number.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn scope_parts(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Branch(b) => ("branch", b.as_str()),
        Scope::Committee(c) => ("committee", c.as_str()),
    }
}

/// A column that must parse into `T`; a value this build cannot read is a database error.
fn parsed<T>(
    row: &Row<'_>,
    idx: usize,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            Type::Text,
            format!("unknown {what} {s:?}").into(),
        )
    })
}

fn scope_at(row: &Row<'_>, kind: usize, id: usize) -> rusqlite::Result<Scope> {
    let scope_id: String = row.get(id)?;
    parsed(row, kind, "scope kind", |k| match k {
        "branch" => Some(Scope::Branch(BranchId::new(&scope_id))),
        "committee" => Some(Scope::Committee(scope_id.clone())),
        _ => None,
    })
}

fn branch_row(row: &Row<'_>) -> rusqlite::Result<Branch> {
    Ok(Branch {
        id: BranchId::new(row.get::<_, String>(0)?),
        committee_id: row.get(1)?,
        name: row.get(2)?,
    })
}

const MEMBER_COLS: &str = "id, committee_id, branch_id, full_name, role, status, active";

fn member_row(row: &Row<'_>) -> rusqlite::Result<ServerMember> {
    Ok(ServerMember {
        id: MemberId::new(row.get::<_, String>(0)?),
        committee_id: row.get(1)?,
        branch_id: row.get::<_, Option<String>>(2)?.map(BranchId::new),
        full_name: row.get(3)?,
        role: parsed(row, 4, "role", |s| Role::parse(s).ok())?,
        status: parsed(row, 5, "member status", |s| MemberStatus::parse(s).ok())?,
        active: row.get(6)?,
    })
}

const DEVICE_COLS: &str = "id, member_id, public_key, name, enrolled_at, revoked_at";

fn device_row(row: &Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: row.get(0)?,
        member_id: MemberId::new(row.get::<_, String>(1)?),
        public_key: row.get(2)?,
        name: row.get(3)?,
        enrolled_at: row.get(4)?,
        revoked_at: row.get(5)?,
    })
}

const DOC_COLS: &str = "doc_id, kind, scope_kind, scope_id";

fn doc_row(row: &Row<'_>) -> rusqlite::Result<DocMeta> {
    Ok(DocMeta {
        doc_id: DocId::new(row.get::<_, String>(0)?),
        kind: parsed(row, 1, "document kind", DocKind::parse)?,
        scope: scope_at(row, 2, 3)?,
    })
}

const ENTRY_COLS: &str = "seq, doc_id, hash, bytes, device_id, member_id, received_at";

fn entry_row(row: &Row<'_>) -> rusqlite::Result<LogEntry> {
    Ok(LogEntry {
        seq: to_u64(row.get(0)?),
        doc_id: DocId::new(row.get::<_, String>(1)?),
        hash: row.get(2)?,
        bytes: row.get(3)?,
        device_id: row.get(4)?,
        member_id: MemberId::new(row.get::<_, String>(5)?),
        received_at: row.get(6)?,
    })
}

fn role_span_row(row: &Row<'_>) -> rusqlite::Result<RoleSpan> {
    Ok(RoleSpan {
        branch_id: row.get::<_, Option<String>>(0)?.map(BranchId::new),
        role: parsed(row, 1, "role", |s| Role::parse(s).ok())?,
        from: row.get(2)?,
        until: row.get(3)?,
    })
}

const BLOB_META_COLS: &str = "branch_id, sha256, size, device_id, member_id, received_at";

fn blob_meta_row(row: &Row<'_>) -> rusqlite::Result<BlobMeta> {
    Ok(BlobMeta {
        branch_id: BranchId::new(row.get::<_, String>(0)?),
        sha256: row.get(1)?,
        size: to_u64(row.get(2)?),
        device_id: row.get(3)?,
        member_id: MemberId::new(row.get::<_, String>(4)?),
        received_at: row.get(5)?,
    })
}

const SIGNOFF_COLS: &str =
    "seq, id, doc_id, scope_kind, scope_id, signer, device_id, received_at, bytes";

fn signoff_row(row: &Row<'_>) -> rusqlite::Result<StoredSignoff> {
    Ok(StoredSignoff {
        seq: to_u64(row.get(0)?),
        id: row.get(1)?,
        doc_id: DocId::new(row.get::<_, String>(2)?),
        scope: scope_at(row, 3, 4)?,
        signer: MemberId::new(row.get::<_, String>(5)?),
        device_id: row.get(6)?,
        received_at: row.get(7)?,
        bytes: row.get(8)?,
    })
}

// ----- queries used by several methods ----------------------------------------------------

fn doc_meta_in(tx: &Connection, doc_id: &DocId) -> Result<Option<DocMeta>> {
    let sql = format!("SELECT {DOC_COLS} FROM docs WHERE doc_id = ?1");
    one(tx, &sql, [doc_id.as_str()], doc_row)
}

fn actor_device_in(tx: &Connection, actor: &[u8]) -> Result<Option<String>> {
    one(
        tx,
        "SELECT device_id FROM actors WHERE actor = ?1",
        [actor],
        |r| r.get(0),
    )
}

fn max_seq_in(tx: &Connection) -> Result<u64> {
    let max: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM log", [], |r| r.get(0))?;
    Ok(to_u64(max))
}

/// Whether `sql` returns a row.
fn exists(tx: &Connection, sql: &str, params: impl Params) -> Result<bool> {
    Ok(tx.prepare_cached(sql)?.exists(params)?)
}

/// The row `sql` returns, if any.
fn one<T>(
    tx: &Connection,
    sql: &str,
    params: impl Params,
    map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>> {
    Ok(tx.prepare_cached(sql)?.query_row(params, map).optional()?)
}

/// Every row `sql` returns.
fn all<T>(
    tx: &Connection,
    sql: &str,
    params: impl Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn committee_exists(tx: &Connection, id: &str) -> Result<bool> {
    exists(tx, "SELECT 1 FROM committees WHERE id = ?1", [id])
}

/// Closes the member's open role span and opens one for `member` if active (see
/// [`ServerStore::put_member`]).
fn record_role_in(tx: &Connection, member: &ServerMember, at: i64) -> Result<()> {
    let id = member.id.as_str();
    let sql = "SELECT from_at, until_at FROM role_spans WHERE member_id = ?1
               ORDER BY id DESC LIMIT 1";
    let last = one(tx, sql, [id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let at = effective_at(at, last);
    tx.prepare_cached(
        "UPDATE role_spans SET until_at = ?2 WHERE member_id = ?1 AND until_at IS NULL",
    )?
    .execute(params![id, at])?;
    if member.active {
        tx.prepare_cached(
            "INSERT INTO role_spans (member_id, branch_id, role, from_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            id,
            member.branch_id.as_ref().map(BranchId::as_str),
            member.role.as_str(),
            at
        ])?;
    }
    Ok(())
}

/// Bumps the directory version of a member's committee.
fn bump_member_directory(tx: &Connection, member_id: &str) -> Result<()> {
    let sql = "SELECT committee_id FROM members WHERE id = ?1";
    if let Some(committee) = one(tx, sql, [member_id], |r| r.get::<_, String>(0))? {
        bump_directory(tx, &committee)?;
    }
    Ok(())
}

fn read_committee_settings(tx: &Connection, committee_id: &str) -> Result<CommitteeSettings> {
    let sql = "SELECT evidence_weights, quality_grid FROM committee_settings
               WHERE committee_id = ?1";
    let row = one(tx, sql, [committee_id], |r| {
        Ok(CommitteeSettings {
            evidence_weights: r.get(0)?,
            quality_grid: r.get(1)?,
        })
    })?;
    Ok(row.unwrap_or_default())
}

fn bump_directory(tx: &Connection, committee_id: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO directory_versions (committee_id, version) VALUES (?1, 1)
         ON CONFLICT (committee_id) DO UPDATE SET version = version + 1",
    )?
    .execute([committee_id])?;
    Ok(())
}

/// The page of the log `log_after` describes. Each scope is one ordered range of the
/// `log_by_scope` index (covering for `exclude_device`); the ranges are merged by seq, and a
/// full row is read only for entries that are returned. So a page costs its own entries plus
/// one index step per scope, however long the log or however many scopes.
fn log_page(
    tx: &Connection,
    scopes: &[Scope],
    after: u64,
    exclude_device: &str,
    budget: usize,
) -> Result<LogPage> {
    let mut scopes: Vec<&Scope> = scopes.iter().collect();
    scopes.sort();
    scopes.dedup(); // a scope named twice must not yield its entries twice
    let after_i = to_i64(after);

    let mut stmts = Vec::with_capacity(scopes.len());
    for _ in &scopes {
        stmts.push(tx.prepare(
            "SELECT seq FROM log
             WHERE scope_kind = ?1 AND scope_id = ?2 AND seq > ?3 AND device_id <> ?4
             ORDER BY seq",
        )?);
    }
    let mut streams = Vec::with_capacity(scopes.len());
    for (stmt, scope) in stmts.iter_mut().zip(&scopes) {
        let (kind, id) = scope_parts(scope);
        streams.push(stmt.query(params![kind, id, after_i, exclude_device])?);
    }
    // Min-heap of (next seq, stream).
    let mut heads = BinaryHeap::new();
    for (i, stream) in streams.iter_mut().enumerate() {
        if let Some(row) = stream.next()? {
            heads.push(Reverse((row.get::<_, i64>(0)?, i)));
        }
    }

    let mut fetch = tx.prepare_cached(&format!("SELECT {ENTRY_COLS} FROM log WHERE seq = ?1"))?;
    let mut entries = Vec::new();
    let mut used = 0usize;
    while let Some(Reverse((seq, i))) = heads.pop() {
        let entry = fetch.query_row([seq], entry_row)?;
        used = used.saturating_add(entry.bytes.len());
        entries.push(entry);
        if let Some(row) = streams[i].next()? {
            heads.push(Reverse((row.get::<_, i64>(0)?, i)));
        }
        if used >= budget {
            // Stopped at the budget: the cursor stays at the last entry returned.
            return Ok(LogPage {
                entries,
                reached: to_u64(seq),
                more: !heads.is_empty(),
            });
        }
    }
    // Scanned to the end: the cursor moves past everything, seen or skipped. Same
    // transaction, so no entry committed after the scan can be skipped by this.
    Ok(LogPage {
        entries,
        reached: after.max(max_seq_in(tx)?),
        more: false,
    })
}

impl ServerStore for SqliteStore {
    fn create_committee(&self, committee: &Committee) -> Result<()> {
        let committee = committee.clone();
        self.write(move |tx| {
            if committee_exists(tx, &committee.id)? {
                return Err(Error::AlreadyExists(format!("committee {}", committee.id)));
            }
            tx.execute(
                "INSERT INTO committees (id, name) VALUES (?1, ?2)",
                params![committee.id, committee.name],
            )?;
            Ok(())
        })
    }

    fn committee(&self, id: &str) -> Result<Option<Committee>> {
        self.read(|tx| {
            one(
                tx,
                "SELECT id, name FROM committees WHERE id = ?1",
                [id],
                |r| {
                    Ok(Committee {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                },
            )
        })
    }

    fn create_branch(&self, branch: &Branch) -> Result<()> {
        let branch = branch.clone();
        self.write(move |tx| {
            if exists(
                tx,
                "SELECT 1 FROM branches WHERE id = ?1",
                [branch.id.as_str()],
            )? {
                return Err(Error::AlreadyExists(format!("branch {}", branch.id)));
            }
            if !committee_exists(tx, &branch.committee_id)? {
                return Err(Error::NotFound(format!(
                    "committee {}",
                    branch.committee_id
                )));
            }
            tx.execute(
                "INSERT INTO branches (id, committee_id, name) VALUES (?1, ?2, ?3)",
                params![branch.id.as_str(), branch.committee_id, branch.name],
            )?;
            Ok(())
        })
    }

    fn branch(&self, id: &BranchId) -> Result<Option<Branch>> {
        self.read(|tx| {
            let sql = "SELECT id, committee_id, name FROM branches WHERE id = ?1";
            one(tx, sql, [id.as_str()], branch_row)
        })
    }

    fn branches(&self, committee_id: &str) -> Result<Vec<Branch>> {
        self.read(|tx| {
            let sql =
                "SELECT id, committee_id, name FROM branches WHERE committee_id = ?1 ORDER BY id";
            all(tx, sql, [committee_id], branch_row)
        })
    }

    fn put_member(&self, member: &ServerMember, at: i64) -> Result<()> {
        let member = member.clone();
        self.write(move |tx| {
            if !committee_exists(tx, &member.committee_id)? {
                return Err(Error::NotFound(format!(
                    "committee {}",
                    member.committee_id
                )));
            }
            if let Some(branch_id) = &member.branch_id {
                let sql = "SELECT committee_id FROM branches WHERE id = ?1";
                let committee: String = one(tx, sql, [branch_id.as_str()], |r| r.get(0))?
                    .ok_or_else(|| Error::NotFound(format!("branch {branch_id}")))?;
                if committee != member.committee_id {
                    return Err(Error::InvalidInput(format!(
                        "branch {branch_id} belongs to committee {committee}, not {}",
                        member.committee_id
                    )));
                }
            }
            let sql = format!("SELECT {MEMBER_COLS} FROM members WHERE id = ?1");
            let previous = one(tx, &sql, [member.id.as_str()], member_row)?;
            // An upsert, not INSERT OR REPLACE: replacing would delete the row that devices
            // and enrollment codes refer to.
            tx.execute(
                "INSERT INTO members (id, committee_id, branch_id, full_name, role, status, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET
                     committee_id = excluded.committee_id, branch_id = excluded.branch_id,
                     full_name = excluded.full_name, role = excluded.role,
                     status = excluded.status, active = excluded.active",
                params![
                    member.id.as_str(),
                    member.committee_id,
                    member.branch_id.as_ref().map(BranchId::as_str),
                    member.full_name,
                    member.role.as_str(),
                    member.status.as_str(),
                    member.active,
                ],
            )?;
            if role_changed(previous.as_ref(), &member) {
                record_role_in(tx, &member, at)?;
            }
            bump_directory(tx, &member.committee_id)?;
            // A member moved to another committee also changes the old committee's directory.
            if let Some(previous) = previous.filter(|p| p.committee_id != member.committee_id) {
                bump_directory(tx, &previous.committee_id)?;
            }
            Ok(())
        })
    }

    fn role_history(&self, member: &MemberId) -> Result<Vec<RoleSpan>> {
        self.read(|tx| {
            let sql = "SELECT branch_id, role, from_at, until_at FROM role_spans
                       WHERE member_id = ?1 ORDER BY id";
            all(tx, sql, [member.as_str()], role_span_row)
        })
    }

    fn member(&self, id: &MemberId) -> Result<Option<ServerMember>> {
        self.read(|tx| {
            let sql = format!("SELECT {MEMBER_COLS} FROM members WHERE id = ?1");
            one(tx, &sql, [id.as_str()], member_row)
        })
    }

    fn members(&self, committee_id: &str) -> Result<Vec<ServerMember>> {
        self.read(|tx| {
            let sql =
                format!("SELECT {MEMBER_COLS} FROM members WHERE committee_id = ?1 ORDER BY id");
            all(tx, &sql, [committee_id], member_row)
        })
    }

    fn directory_version(&self, committee_id: &str) -> Result<u64> {
        self.read(|tx| {
            let sql = "SELECT version FROM directory_versions WHERE committee_id = ?1";
            let v: Option<i64> = one(tx, sql, [committee_id], |r| r.get(0))?;
            Ok(v.map_or(0, to_u64))
        })
    }

    fn set_plan_delegation(&self, branch: &BranchId, delegated: bool, at: i64) -> Result<()> {
        let branch = branch.clone();
        self.write(move |tx| {
            let sql = "SELECT committee_id FROM branches WHERE id = ?1";
            let committee: String = one(tx, sql, [branch.as_str()], |r| r.get(0))?
                .ok_or_else(|| Error::NotFound(format!("branch {branch}")))?;
            let sql = "SELECT from_at, until_at FROM plan_delegations WHERE branch_id = ?1
                       ORDER BY id DESC LIMIT 1";
            let last: Option<(i64, Option<i64>)> =
                one(tx, sql, [branch.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let open = last.is_some_and(|(_, until)| until.is_none());
            let at = effective_at(at, last);
            match (open, delegated) {
                (true, false) => tx.execute(
                    "UPDATE plan_delegations SET until_at = ?2
                     WHERE branch_id = ?1 AND until_at IS NULL",
                    params![branch.as_str(), at],
                )?,
                (false, true) => tx.execute(
                    "INSERT INTO plan_delegations (branch_id, from_at) VALUES (?1, ?2)",
                    params![branch.as_str(), at],
                )?,
                _ => return Ok(()), // already as asked
            };
            bump_directory(tx, &committee)
        })
    }

    fn set_committee_settings(
        &self,
        committee_id: &str,
        settings: &CommitteeSettings,
    ) -> Result<()> {
        let committee_id = committee_id.to_owned();
        let settings = settings.clone();
        self.write(move |tx| {
            let sql = "SELECT id FROM committees WHERE id = ?1";
            if one(tx, sql, [&committee_id], |r| r.get::<_, String>(0))?.is_none() {
                return Err(Error::NotFound(format!("committee {committee_id}")));
            }
            if read_committee_settings(tx, &committee_id)? == settings {
                return Ok(()); // already as asked
            }
            tx.execute(
                "INSERT INTO committee_settings (committee_id, evidence_weights, quality_grid)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (committee_id) DO UPDATE SET
                   evidence_weights = excluded.evidence_weights,
                   quality_grid = excluded.quality_grid",
                params![
                    committee_id,
                    settings.evidence_weights,
                    settings.quality_grid
                ],
            )?;
            bump_directory(tx, &committee_id)
        })
    }

    fn committee_settings(&self, committee_id: &str) -> Result<CommitteeSettings> {
        let committee_id = committee_id.to_owned();
        self.read(move |tx| read_committee_settings(tx, &committee_id))
    }

    fn plan_delegations(&self, branch: &BranchId) -> Result<Vec<Span>> {
        self.read(|tx| {
            let sql = "SELECT from_at, until_at FROM plan_delegations
                       WHERE branch_id = ?1 ORDER BY id";
            all(tx, sql, [branch.as_str()], |r| {
                Ok(Span {
                    from: r.get(0)?,
                    until: r.get(1)?,
                })
            })
        })
    }

    fn create_enrollment_code(
        &self,
        code_hash: [u8; 32],
        member: &MemberId,
        expires_at: i64,
    ) -> Result<()> {
        let member = member.clone();
        self.write(move |tx| {
            if !exists(tx, "SELECT 1 FROM members WHERE id = ?1", [member.as_str()])? {
                return Err(Error::NotFound(format!("member {member}")));
            }
            if exists(tx, "SELECT 1 FROM enrollment_codes WHERE code_hash = ?1", [code_hash])? {
                return Err(Error::AlreadyExists("enrollment code".into()));
            }
            tx.execute(
                "INSERT INTO enrollment_codes (code_hash, member_id, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash, member.as_str(), expires_at],
            )?;
            Ok(())
        })
    }

    fn redeem_enrollment_code(
        &self,
        code_hash: [u8; 32],
        device: &Device,
        now: i64,
    ) -> Result<Option<Device>> {
        let device = device.clone();
        self.write(move |tx| {
            let sql =
                "SELECT member_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?1";
            let code: Option<(String, i64, Option<i64>)> = one(tx, sql, [code_hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            let member_id = match code {
                Some((member_id, expires_at, None)) if now < expires_at => MemberId::new(member_id),
                _ => return Ok(None),
            };
            if exists(tx, "SELECT 1 FROM devices WHERE id = ?1", [&device.id])? {
                return Err(Error::AlreadyExists(format!("device {}", device.id)));
            }
            let stored = Device {
                member_id,
                ..device.clone()
            };
            tx.execute(
                "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1",
                params![code_hash, now],
            )?;
            tx.execute(
                &format!("INSERT INTO devices ({DEVICE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![
                    stored.id,
                    stored.member_id.as_str(),
                    stored.public_key,
                    stored.name,
                    stored.enrolled_at,
                    stored.revoked_at,
                ],
            )?;
            // Device keys are in the directory phones verify approvals against.
            bump_member_directory(tx, stored.member_id.as_str())?;
            Ok(Some(stored))
        })
    }

    fn device(&self, id: &str) -> Result<Option<Device>> {
        self.read(|tx| {
            let sql = format!("SELECT {DEVICE_COLS} FROM devices WHERE id = ?1");
            one(tx, &sql, [id], device_row)
        })
    }

    fn devices_of_member(&self, member: &MemberId) -> Result<Vec<Device>> {
        self.read(|tx| {
            let sql = format!("SELECT {DEVICE_COLS} FROM devices WHERE member_id = ?1 ORDER BY id");
            all(tx, &sql, [member.as_str()], device_row)
        })
    }

    fn revoke_device(&self, id: &str, now: i64) -> Result<bool> {
        let id = id.to_owned();
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )?;
            if changed == 1 {
                let member: String =
                    tx.query_row("SELECT member_id FROM devices WHERE id = ?1", [&id], |r| {
                        r.get(0)
                    })?;
                bump_member_directory(tx, &member)?;
            }
            Ok(changed == 1)
        })
    }

    fn remember_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool> {
        let flush = {
            let mut n = lock(&self.nonces);
            if !n.remember(nonce_key(device_id, nonce), now, forget_before) {
                return Ok(false);
            }
            n.pending
                .push((device_id.to_owned(), nonce.to_owned(), now));
            n.pending.len() >= NONCE_FLUSH_COUNT || now != n.flushed_at
        };
        if flush {
            self.flush_nonces(now, forget_before)?;
        }
        Ok(true)
    }

    fn epoch(&self) -> Result<u64> {
        Ok(self.epoch)
    }

    fn server_secret(&self) -> Result<[u8; 32]> {
        Ok(self.server_secret)
    }

    fn max_seq(&self) -> Result<u64> {
        self.read(max_seq_in)
    }

    fn doc_meta(&self, doc_id: &DocId) -> Result<Option<DocMeta>> {
        if let Some(meta) = lock(&self.known).docs.get(doc_id) {
            return Ok(Some(meta.clone()));
        }
        let meta = self.read(|tx| doc_meta_in(tx, doc_id))?;
        if let Some(meta) = &meta {
            let mut known = lock(&self.known);
            if known.docs.len() >= KNOWN_MAX {
                known.docs.clear();
            }
            known.docs.insert(doc_id.clone(), meta.clone());
        }
        Ok(meta)
    }

    fn docs_in_scopes(&self, scopes: &[Scope]) -> Result<Vec<DocMeta>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {DOC_COLS} FROM docs WHERE scope_kind = ?1 AND scope_id = ?2"
            ))?;
            let mut by_id = BTreeMap::new();
            for scope in scopes {
                let (kind, id) = scope_parts(scope);
                for meta in stmt.query_map([kind, id], doc_row)? {
                    let meta = meta?;
                    by_id.insert(meta.doc_id.clone(), meta);
                }
            }
            Ok(by_id.into_values().collect())
        })
    }

    fn doc_data(&self, doc_id: &DocId) -> Result<DocData> {
        self.read(|tx| {
            let sql = "SELECT bytes, upto_seq FROM snapshots WHERE doc_id = ?1";
            let snapshot: Option<(Vec<u8>, i64)> =
                one(tx, sql, [doc_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let after = snapshot.as_ref().map_or(0, |(_, upto)| *upto);
            let sql = "SELECT bytes FROM log WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq";
            let changes = all(tx, sql, params![doc_id.as_str(), after], |r| r.get(0))?;
            Ok((snapshot.map(|(bytes, upto)| (bytes, to_u64(upto))), changes))
        })
    }

    fn put_snapshot(&self, doc_id: &DocId, snapshot: &[u8], upto_seq: u64) -> Result<()> {
        let (doc_id, snapshot) = (doc_id.clone(), snapshot.to_vec());
        self.write(move |tx| {
            if doc_meta_in(tx, &doc_id)?.is_none() {
                return Err(Error::NotFound(format!("document {doc_id}")));
            }
            let last = max_seq_in(tx)?;
            if upto_seq > last {
                return Err(Error::InvalidInput(format!(
                    "snapshot of {doc_id} claims to cover seq {upto_seq}, beyond the log's end {last}"
                )));
            }
            tx.execute(
                "INSERT INTO snapshots (doc_id, bytes, upto_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (doc_id) DO UPDATE SET bytes = excluded.bytes, upto_seq = excluded.upto_seq",
                params![doc_id.as_str(), snapshot, to_i64(upto_seq)],
            )?;
            Ok(())
        })
    }

    fn actor_device(&self, actor: &[u8]) -> Result<Option<String>> {
        if let Some(device) = lock(&self.known).actors.get(actor) {
            return Ok(Some(device.clone()));
        }
        let device = self.read(|tx| actor_device_in(tx, actor))?;
        if let Some(device) = &device {
            let mut known = lock(&self.known);
            if known.actors.len() >= KNOWN_MAX {
                known.actors.clear();
            }
            known.actors.insert(actor.to_vec(), device.clone());
        }
        Ok(device)
    }

    fn append(&self, batch: &AcceptedBatch) -> Result<Vec<u64>> {
        // One IMMEDIATE transaction: any refusal below rolls back everything before it.
        let batch = batch.clone();
        self.write(move |tx| {
            for meta in &batch.new_docs {
                match doc_meta_in(tx, &meta.doc_id)? {
                    Some(known) if known != *meta => return Err(conflicting_doc(meta, &known)),
                    Some(_) => {} // already stored (a retry, or another device won the race)
                    None => {
                        let (kind, id) = scope_parts(&meta.scope);
                        tx.prepare_cached(
                            "INSERT INTO docs (doc_id, kind, scope_kind, scope_id) VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![meta.doc_id.as_str(), meta.kind.as_str(), kind, id])?;
                    }
                }
            }
            for (actor, device) in &batch.actor_bindings {
                match actor_device_in(tx, actor)? {
                    Some(bound) if bound != *device => return Err(actor_taken(actor)),
                    Some(_) => {}
                    None => {
                        tx.prepare_cached("INSERT INTO actors (actor, device_id) VALUES (?1, ?2)")?
                            .execute(params![actor, device])?;
                    }
                }
            }
            let mut seqs = Vec::new();
            for entry in &batch.entries {
                let meta = doc_meta_in(tx, &entry.doc_id)?
                    .ok_or_else(|| Error::NotFound(format!("document {}", entry.doc_id)))?;
                let sql = "SELECT 1 FROM log WHERE doc_id = ?1 AND hash = ?2";
                if exists(tx, sql, params![entry.doc_id.as_str(), entry.hash])? {
                    // Already stored: a retried request stores nothing twice. Checked first
                    // rather than INSERT … ON CONFLICT DO NOTHING, which would still spend
                    // an AUTOINCREMENT seq on every skipped entry.
                    continue;
                }
                let (kind, id) = scope_parts(&meta.scope);
                tx.prepare_cached(
                    "INSERT INTO log (doc_id, hash, bytes, device_id, member_id, received_at,
                                      scope_kind, scope_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    entry.doc_id.as_str(),
                    entry.hash,
                    entry.bytes,
                    entry.device_id,
                    entry.member_id.as_str(),
                    entry.received_at,
                    kind,
                    id,
                ])?;
                seqs.push(to_u64(tx.last_insert_rowid()));
            }
            Ok(seqs)
        })
    }

    fn log_after(
        &self,
        scopes: &[Scope],
        after: u64,
        exclude_device: &str,
        budget: usize,
    ) -> Result<LogPage> {
        self.read(|tx| log_page(tx, scopes, after, exclude_device, budget))
    }

    fn audit(&self, doc_id: &DocId) -> Result<Vec<LogEntry>> {
        self.read(|tx| {
            let sql = format!("SELECT {ENTRY_COLS} FROM log WHERE doc_id = ?1 ORDER BY seq");
            all(tx, &sql, [doc_id.as_str()], entry_row)
        })
    }

    fn put_signoff(&self, signoff: &StoredSignoff) -> Result<u64> {
        check_signoff_id(&signoff.id)?;
        let signoff = signoff.clone();
        self.write(move |tx| {
            let doc = doc_meta_in(tx, &signoff.doc_id)?
                .ok_or_else(|| Error::NotFound(format!("document {}", signoff.doc_id)))?;
            check_signoff_scope(&signoff, &doc)?;
            let sql = "SELECT seq FROM signoffs WHERE id = ?1";
            if let Some(seq) = one(tx, sql, [&signoff.id], |r| r.get::<_, i64>(0))? {
                return Ok(to_u64(seq)); // already stored: a retried push stores nothing twice
            }
            let (kind, id) = scope_parts(&signoff.scope);
            tx.prepare_cached(
                "INSERT INTO signoffs (id, doc_id, scope_kind, scope_id, signer, device_id,
                                       received_at, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                signoff.id,
                signoff.doc_id.as_str(),
                kind,
                id,
                signoff.signer.as_str(),
                signoff.device_id,
                signoff.received_at,
                signoff.bytes,
            ])?;
            Ok(to_u64(tx.last_insert_rowid()))
        })
    }

    fn signoffs_after(&self, scopes: &[Scope], after: u64) -> Result<Vec<StoredSignoff>> {
        let mut scopes: Vec<&Scope> = scopes.iter().collect();
        scopes.sort();
        scopes.dedup(); // a scope named twice must not yield its sign-offs twice
        self.read(|tx| {
            let sql = format!(
                "SELECT {SIGNOFF_COLS} FROM signoffs
                 WHERE scope_kind = ?1 AND scope_id = ?2 AND seq > ?3 ORDER BY seq"
            );
            let mut found = Vec::new();
            for scope in scopes {
                let (kind, id) = scope_parts(scope);
                found.extend(all(
                    tx,
                    &sql,
                    params![kind, id, to_i64(after)],
                    signoff_row,
                )?);
            }
            found.sort_unstable_by_key(|s| s.seq);
            Ok(found)
        })
    }

    fn signoffs_of(&self, doc: &DocId) -> Result<Vec<StoredSignoff>> {
        self.read(|tx| {
            let sql = format!("SELECT {SIGNOFF_COLS} FROM signoffs WHERE doc_id = ?1 ORDER BY seq");
            all(tx, &sql, [doc.as_str()], signoff_row)
        })
    }

    fn max_signoff_seq(&self) -> Result<u64> {
        self.read(|tx| {
            let max: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM signoffs", [], |r| {
                r.get(0)
            })?;
            Ok(to_u64(max))
        })
    }

    fn put_blob(&self, blob: &StoredBlob) -> Result<bool> {
        // Hashed here, outside the writer: the group commit's other writes do not wait on it.
        check_blob(blob)?;
        let blob = blob.clone();
        self.write(move |tx| {
            let m = &blob.meta;
            let branch = m.branch_id.as_str();
            if !exists(tx, "SELECT 1 FROM branches WHERE id = ?1", [branch])? {
                return Err(Error::NotFound(format!("branch {branch}")));
            }
            let sql = "SELECT 1 FROM blobs WHERE branch_id = ?1 AND sha256 = ?2";
            if exists(tx, sql, params![branch, m.sha256])? {
                return Ok(false); // already stored: the first upload's metadata stays
            }
            tx.prepare_cached(&format!(
                "INSERT INTO blobs ({BLOB_META_COLS}, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))?
            .execute(params![
                branch,
                m.sha256,
                to_i64(m.size),
                m.device_id,
                m.member_id.as_str(),
                m.received_at,
                blob.bytes,
            ])?;
            Ok(true)
        })
    }

    fn blob_meta(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<BlobMeta>> {
        self.read(|tx| {
            let sql =
                format!("SELECT {BLOB_META_COLS} FROM blobs WHERE branch_id = ?1 AND sha256 = ?2");
            one(tx, &sql, params![branch.as_str(), sha256], blob_meta_row)
        })
    }

    fn blob(&self, branch: &BranchId, sha256: &[u8; 32]) -> Result<Option<StoredBlob>> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {BLOB_META_COLS}, bytes FROM blobs WHERE branch_id = ?1 AND sha256 = ?2"
            );
            one(tx, &sql, params![branch.as_str(), sha256], |r| {
                Ok(StoredBlob {
                    meta: blob_meta_row(r)?,
                    bytes: r.get(6)?,
                })
            })
        })
    }
}
