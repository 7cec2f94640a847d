-- 008: attachments' bytes (content-addressed blobs): the phone's cache and its upload queue.
--
-- blobs: every blob this phone holds, by SHA-256 (64 lowercase hex digits), checked against
-- its hash before it is stored (added here, or fetched from the server). Kept as long as the
-- store: a material's attachments stay readable offline once opened.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    bytes      BLOB NOT NULL CHECK (length(bytes) = size),
    stored_at  INTEGER NOT NULL
);

-- blob_uploads: blobs added here that the server does not have yet, with the branch they go
-- to. state: 'pending' (sent at the next sync; the row goes once the server has the blob) or
-- 'refused' (the server refused it for good — too large for its limit, not this branch's —:
-- refused_code and refused_message say why, and it is not sent again).
CREATE TABLE blob_uploads (
    sha256           TEXT NOT NULL REFERENCES blobs (sha256),
    branch_id        TEXT NOT NULL,
    queued_at        INTEGER NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'refused')),
    refused_code     TEXT,
    refused_message  TEXT,
    PRIMARY KEY (sha256, branch_id)
);
