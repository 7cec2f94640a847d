-- 003: attachments' bytes (content-addressed blobs). Shipped migrations are never edited;
-- add a new file instead.
--
-- One row per (branch, SHA-256): a blob belongs to the branch whose device uploaded it, and
-- only that branch's devices (and its committee's inspectors) fetch it, as with documents.
-- The same file in two branches is stored twice, so neither learns the other has it. The
-- server checks the hash and the size before storing (a mismatch stores nothing); a repeated
-- upload stores nothing and keeps the first uploader. A rowid table, not WITHOUT ROWID: rows
-- are up to the size limit (20 MiB by default) and live in overflow pages.
CREATE TABLE blobs (
    id           INTEGER PRIMARY KEY,
    branch_id    TEXT NOT NULL REFERENCES branches (id),
    sha256       BLOB NOT NULL CHECK (length(sha256) = 32),
    size         INTEGER NOT NULL CHECK (size >= 0),
    device_id    TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    bytes        BLOB NOT NULL CHECK (length(bytes) = size),
    UNIQUE (branch_id, sha256)
);
