//! Document bytes in SQLite: a snapshot plus incremental chunks.
//!
//! Appending the few hundred bytes of one change is what makes an edit durable in
//! milliseconds; folding the chunks into a fresh `save()` every so often keeps loading fast
//! and the file small (200 one-edit chunks take ~6× the space of their compacted form).

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::ids::{BranchId, DocId, DocKind};
use crate::model::Document;
use crate::{Error, Result};

/// A document's stored bytes.
#[derive(Debug)]
pub(crate) struct StoredDoc {
    pub(crate) kind: String,
    pub(crate) snapshot: Vec<u8>,
    pub(crate) chunks: Vec<Vec<u8>>,
    pub(crate) load_error: Option<String>,
}

/// Inserts a new document as a snapshot.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    doc: &mut Document,
    branch: &BranchId,
    now: i64,
) -> Result<()> {
    let snapshot = doc.save();
    tx.execute(
        "INSERT INTO documents (doc_id, kind, branch_id, snapshot, chunk_count, has_unsent, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 0, 1, ?5, ?5)",
        params![doc.id().as_str(), doc.kind().as_str(), branch.as_str(), snapshot, now],
    )?;
    Ok(())
}

/// Appends one chunk of changes; returns the number of chunks now waiting for compaction.
pub(crate) fn append_chunk(
    tx: &Transaction<'_>,
    id: &DocId,
    bytes: &[u8],
    now: i64,
) -> Result<i64> {
    let count: i64 = tx
        .query_row(
            "UPDATE documents SET chunk_count = chunk_count + 1, has_unsent = 1, updated_at = ?2
             WHERE doc_id = ?1 RETURNING chunk_count",
            params![id.as_str(), now],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::DocumentNotFound(id.to_string()))?;
    tx.execute(
        "INSERT INTO doc_chunks (doc_id, seq, bytes)
         VALUES (?1, COALESCE((SELECT max(seq) FROM doc_chunks WHERE doc_id = ?1), 0) + 1, ?2)",
        params![id.as_str(), bytes],
    )?;
    Ok(count)
}

/// Replaces snapshot and chunks by a fresh snapshot (inside the caller's transaction).
pub(crate) fn compact(tx: &Transaction<'_>, id: &DocId, snapshot: &[u8]) -> Result<()> {
    tx.execute(
        "UPDATE documents SET snapshot = ?2, chunk_count = 0 WHERE doc_id = ?1",
        params![id.as_str(), snapshot],
    )?;
    tx.execute(
        "DELETE FROM doc_chunks WHERE doc_id = ?1",
        params![id.as_str()],
    )?;
    Ok(())
}

/// Reads a document's bytes.
pub(crate) fn read(conn: &Connection, id: &DocId) -> Result<StoredDoc> {
    let (kind, snapshot, load_error): (String, Option<Vec<u8>>, Option<String>) = conn
        .query_row(
            "SELECT kind, snapshot, load_error FROM documents WHERE doc_id = ?1",
            params![id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| Error::DocumentNotFound(id.to_string()))?;
    let mut stmt =
        conn.prepare_cached("SELECT bytes FROM doc_chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let chunks = stmt
        .query_map(params![id.as_str()], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(StoredDoc {
        kind,
        snapshot: snapshot.unwrap_or_default(),
        chunks,
        load_error,
    })
}

/// Quarantines a document whose bytes fail to load.
pub(crate) fn mark_damaged(conn: &Connection, id: &DocId, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE documents SET load_error = ?2 WHERE doc_id = ?1",
        params![id.as_str(), reason],
    )?;
    Ok(())
}

/// A document's id, kind (if known to this build) and load error, if any.
pub(crate) type DocListing = (DocId, Option<DocKind>, Option<String>);

/// All document ids with their kinds.
pub(crate) fn list(conn: &Connection) -> Result<Vec<DocListing>> {
    let mut stmt =
        conn.prepare("SELECT doc_id, kind, load_error FROM documents ORDER BY created_at, doc_id")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                DocId::new(r.get::<_, String>(0)?),
                DocKind::parse(&r.get::<_, String>(1)?),
                r.get(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Encodes heads as concatenated 32-byte hashes.
pub(crate) fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted = heads.to_vec();
    sorted.sort();
    sorted.iter().flat_map(|h| h.0).collect()
}

/// Decodes concatenated 32-byte hashes.
pub(crate) fn decode_heads(bytes: &[u8]) -> Result<Vec<ChangeHash>> {
    if bytes.len() % 32 != 0 {
        return Err(Error::InvalidInput(
            "stored heads are not whole hashes".into(),
        ));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            ChangeHash(h)
        })
        .collect())
}
