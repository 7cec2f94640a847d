-- 002: read-model tables (what screens render without loading a document) and the local
-- member directory. Rows are derived from documents: they are rebuilt whenever
-- `maintenance` asks for it, so later migrations may drop and recreate them freely.

CREATE TABLE maintenance (
    task TEXT PRIMARY KEY
);
INSERT INTO maintenance (task) VALUES ('rebuild_read_model');

CREATE TABLE members (
    member_id       TEXT PRIMARY KEY,
    branch_id       TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    canonical_name  TEXT NOT NULL,
    search_key      TEXT NOT NULL,
    role            TEXT NOT NULL,
    status          TEXT NOT NULL
);

CREATE TABLE rm_plans (
    doc_id          TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    branch_id       TEXT NOT NULL,
    year            INTEGER NOT NULL,
    number          TEXT NOT NULL,
    title           TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    topic_count     INTEGER NOT NULL,
    conflict_count  INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX rm_plans_branch ON rm_plans (branch_id, year);

CREATE TABLE rm_topics (
    plan_id          TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    topic_id         TEXT NOT NULL,
    ord              INTEGER NOT NULL,
    title            TEXT NOT NULL,
    topic_group      TEXT NOT NULL,
    scheduled_date   TEXT NOT NULL,
    combined_meeting INTEGER NOT NULL,
    preparers        TEXT NOT NULL,   -- JSON array of member ids
    presenter        TEXT NOT NULL,
    executive        TEXT NOT NULL,
    draft_deadline   TEXT NOT NULL,
    expected_output  TEXT NOT NULL,
    notes            TEXT NOT NULL,
    status           TEXT NOT NULL,
    search_key       TEXT NOT NULL,
    PRIMARY KEY (plan_id, topic_id)
) WITHOUT ROWID;

CREATE TABLE rm_text_docs (
    doc_id              TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,
    branch_id           TEXT NOT NULL,
    plan_id             TEXT NOT NULL,
    topic_id            TEXT NOT NULL,
    title               TEXT NOT NULL,
    body_chars          INTEGER NOT NULL,
    comment_count       INTEGER NOT NULL,
    proposal_count      INTEGER NOT NULL,
    open_proposal_count INTEGER NOT NULL,
    unresolved_threads  INTEGER NOT NULL,
    conflict_count      INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX rm_text_docs_topic ON rm_text_docs (plan_id, topic_id);

CREATE TABLE rm_conflicts (
    doc_id   TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    path     TEXT NOT NULL,   -- '/'-joined path to the field
    conflict TEXT NOT NULL,   -- JSON of model::conflict::Conflict
    PRIMARY KEY (doc_id, path)
) WITHOUT ROWID;
