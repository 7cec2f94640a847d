-- 004: signed approvals (Step 3): the pinned server key, the signed member directory, and
-- sign-offs (submissions and approvals) made here or received.

-- The server's ed25519 public key, learnt at enrollment; every directory must verify with it.
ALTER TABLE enrollment ADD COLUMN server_key BLOB;

-- The last signed directory received, verbatim (postcard): sign-offs are verified offline
-- against it (device keys, role history, delegations).
CREATE TABLE directory (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    bytes    BLOB NOT NULL
);

-- Sign-offs: the record verbatim (postcard) plus what queries need.
-- state: 'unsent' (made here, not yet acknowledged), 'synced', or 'refused' (by the server).
CREATE TABLE signoffs (
    id              TEXT PRIMARY KEY,
    doc_id          TEXT NOT NULL,
    action          TEXT NOT NULL,
    signed_at       INTEGER NOT NULL,
    bytes           BLOB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('unsent', 'synced', 'refused')),
    refused_code    TEXT,
    refused_message TEXT
);
CREATE INDEX signoffs_by_doc ON signoffs (doc_id, signed_at);
CREATE INDEX signoffs_unsent ON signoffs (state) WHERE state = 'unsent';

-- Where this device's sign-off pull stands.
ALTER TABLE sync_state ADD COLUMN signoff_cursor INTEGER NOT NULL DEFAULT 0;
