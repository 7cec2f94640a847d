-- 001: the document store. Shipped migrations are never edited; add a new file instead.

-- This device's member identity (Step 2 adds the enrolled device key beside it).
CREATE TABLE identity (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    member_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL
);

-- One row per document. The document is `snapshot` (an Automerge save(), may be NULL)
-- followed by its `doc_chunks` in `seq` order; compaction folds the chunks into a new
-- snapshot in one transaction.
CREATE TABLE documents (
    doc_id       TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    branch_id    TEXT NOT NULL,
    snapshot     BLOB,
    chunk_count  INTEGER NOT NULL DEFAULT 0,
    -- Sync bookkeeping (Step 2): the heads the server last acknowledged (concatenated
    -- 32-byte hashes) and whether local changes are waiting to be sent.
    acked_heads  BLOB NOT NULL DEFAULT x'',
    has_unsent   INTEGER NOT NULL DEFAULT 1,
    -- Set when the stored bytes fail to load: the document is quarantined, never deleted.
    load_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE doc_chunks (
    doc_id  TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;
