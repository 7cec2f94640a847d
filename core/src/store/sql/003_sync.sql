-- 003: device key, enrollment and sync bookkeeping (Step 2).

-- The device's ed25519 key pair, generated on the device; the secret never leaves it.
CREATE TABLE device_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key  BLOB NOT NULL,
    public_key  BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The server this device enrolled with and who it belongs to.
CREATE TABLE enrollment (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    server_url    TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    committee_id  TEXT NOT NULL,
    enrolled_at   INTEGER NOT NULL
);

-- Where this device's pull stands in the server's log.
CREATE TABLE sync_state (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    epoch              INTEGER NOT NULL DEFAULT 0,
    seq                INTEGER NOT NULL DEFAULT 0,
    resume_doc         TEXT,
    directory_version  INTEGER NOT NULL DEFAULT 0,
    reconcile          INTEGER NOT NULL DEFAULT 0,
    last_sync_at       INTEGER,
    last_error         TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- Documents the server refused, for the user to see (nothing of them reached others).
CREATE TABLE sync_rejections (
    doc_id   TEXT NOT NULL,
    code     TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       INTEGER NOT NULL
);
