-- 002: signed approvals. Shipped migrations are never edited; add a new file instead.
--
-- A sign-off is checked against the role its signer held, and the delegation in force, when
-- it was signed; so roles and delegations are kept as history (spans), not as current
-- values only. Times are Unix seconds, from inclusive, until exclusive (NULL while it lasts).

-- The server's ed25519 secret key, random, set by the server when it opens the database (a
-- new database gets it with its meta row, an upgraded one right after this migration). It
-- signs the member directories; phones pin its public key at enrollment.
ALTER TABLE meta ADD COLUMN server_secret BLOB
    CHECK (server_secret IS NULL OR length(server_secret) = 32);

-- Every role a member held: at most one open span (the last) per member, none once removed.
-- branch_id is NULL for committee-level roles; role holds sotay_core::org::Role::as_str().
-- id orders a member's spans (oldest first).
CREATE TABLE role_spans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  TEXT NOT NULL REFERENCES members (id),
    branch_id  TEXT REFERENCES branches (id),
    role       TEXT NOT NULL,
    from_at    INTEGER NOT NULL,
    until_at   INTEGER CHECK (until_at IS NULL OR until_at >= from_at)
);
CREATE INDEX role_spans_by_member ON role_spans (member_id, id);

-- Members already stored hold their current role from now on: their earlier history is
-- unknown, so nothing signed before this migration can be checked against it.
INSERT INTO role_spans (member_id, branch_id, role, from_at)
    SELECT id, branch_id, role, CAST(strftime('%s', 'now') AS INTEGER)
    FROM members WHERE active = 1 ORDER BY id;

-- When a branch delegated approval of its annual plan to its deputy secretary.
CREATE TABLE plan_delegations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id  TEXT NOT NULL REFERENCES branches (id),
    from_at    INTEGER NOT NULL,
    until_at   INTEGER CHECK (until_at IS NULL OR until_at >= from_at)
);
CREATE INDEX plan_delegations_by_branch ON plan_delegations (branch_id, id);

-- Sign-offs (submissions and approvals), verified before they are stored. bytes is the
-- encoded record, opaque here. seq is the devices' sign-off pull cursor, a sequence of its
-- own (not the log's): AUTOINCREMENT so a seq is never handed out twice. id (the record's
-- hash) makes a retried push store nothing. The scope is copied from docs, as in log.
CREATE TABLE signoffs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
    doc_id       TEXT NOT NULL REFERENCES docs (doc_id),
    scope_kind   TEXT NOT NULL CHECK (scope_kind IN ('branch', 'committee')),
    scope_id     TEXT NOT NULL,
    signer       TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    bytes        BLOB NOT NULL
);
-- signoffs_after: one ordered range per scope.
CREATE INDEX signoffs_by_scope ON signoffs (scope_kind, scope_id, seq);
-- signoffs_of.
CREATE INDEX signoffs_by_doc ON signoffs (doc_id, seq);
