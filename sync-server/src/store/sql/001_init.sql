-- 001: the server store. Shipped migrations are never edited; add a new file instead.

-- One row: the database's epoch, random and fixed at creation (a restored or replaced
-- server has another, so devices know their cursors no longer apply).
CREATE TABLE meta (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    epoch  INTEGER NOT NULL
);

-- ----- organisation -----------------------------------------------------------------------

CREATE TABLE committees (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE branches (
    id            TEXT PRIMARY KEY,
    committee_id  TEXT NOT NULL REFERENCES committees (id),
    name          TEXT NOT NULL
);
CREATE INDEX branches_by_committee ON branches (committee_id, id);

-- Removed members stay (active = 0): their audit trail and devices still name them.
-- role / status hold sotay_core::org::{Role, MemberStatus}::as_str().
CREATE TABLE members (
    id            TEXT PRIMARY KEY,
    committee_id  TEXT NOT NULL REFERENCES committees (id),
    branch_id     TEXT REFERENCES branches (id),
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    status        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX members_by_committee ON members (committee_id, id);

-- Bumped by every put_member, so devices can tell their copy of the directory is stale.
CREATE TABLE directory_versions (
    committee_id  TEXT PRIMARY KEY REFERENCES committees (id),
    version       INTEGER NOT NULL
);

-- ----- enrollment and devices -------------------------------------------------------------

-- Only the SHA-256 of a code is kept, never the code.
CREATE TABLE enrollment_codes (
    code_hash   BLOB PRIMARY KEY CHECK (length(code_hash) = 32),
    member_id   TEXT NOT NULL REFERENCES members (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    member_id    TEXT NOT NULL REFERENCES members (id),
    public_key   BLOB NOT NULL CHECK (length(public_key) = 32),
    name         TEXT NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX devices_by_member ON devices (member_id, id);

-- Request nonces per device, for replay detection; old ones are forgotten by seen_at.
CREATE TABLE nonces (
    device_id  TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_seen_at ON nonces (seen_at);

-- ----- documents and the log --------------------------------------------------------------

-- kind holds sotay_core::ids::DocKind::as_str(); scope_id is a branch id or a committee id.
CREATE TABLE docs (
    doc_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('branch', 'committee')),
    scope_id    TEXT NOT NULL
);
CREATE INDEX docs_by_scope ON docs (scope_kind, scope_id, doc_id);

-- A compacted document (Automerge save()) covering the log up to upto_seq.
CREATE TABLE snapshots (
    doc_id    TEXT PRIMARY KEY REFERENCES docs (doc_id),
    bytes     BLOB NOT NULL,
    upto_seq  INTEGER NOT NULL
);

-- Automerge actors, bound to the device that first pushed a change under them.
CREATE TABLE actors (
    actor      BLOB PRIMARY KEY,
    device_id  TEXT NOT NULL
) WITHOUT ROWID;

-- Every accepted change, once, with its audit trail. seq is the devices' pull cursor:
-- AUTOINCREMENT so a seq is never handed out twice. The scope is copied from docs so a
-- page of the log is read from one index.
CREATE TABLE log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id       TEXT NOT NULL REFERENCES docs (doc_id),
    hash         BLOB NOT NULL CHECK (length(hash) = 32),
    bytes        BLOB NOT NULL,
    device_id    TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    scope_kind   TEXT NOT NULL,
    scope_id     TEXT NOT NULL,
    UNIQUE (doc_id, hash)
);
-- log_after: one ordered range per scope; device_id makes it covering for exclude_device.
CREATE INDEX log_by_scope ON log (scope_kind, scope_id, seq, device_id);
-- doc_data and audit.
CREATE INDEX log_by_doc ON log (doc_id, seq);
