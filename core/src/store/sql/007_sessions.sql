-- 007: read-model rows for the session cycle (Step 5): sessions, the materials published for
-- them, attendance, opinions, tasks, receipts, and every comment's who/when — what the
-- reading list, the proposals board and participation evidence read without loading a
-- document (a committee's year is thousands of documents). Derived rows: rebuilt below.

CREATE TABLE rm_sessions (
    doc_id          TEXT PRIMARY KEY REFERENCES documents (doc_id) ON DELETE CASCADE,
    branch_id       TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    topic_id        TEXT NOT NULL,
    title           TEXT NOT NULL,
    session_date    TEXT NOT NULL,   -- YYYY-MM-DD or empty
    combined        INTEGER NOT NULL,
    started_at      INTEGER,
    ended_at        INTEGER,
    chair           TEXT NOT NULL,
    clerk           TEXT NOT NULL,
    presenter       TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX rm_sessions_branch ON rm_sessions (branch_id, session_date);

CREATE TABLE rm_distribution (
    session_id      TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    doc_id          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    heads           TEXT NOT NULL,
    published_at    INTEGER NOT NULL,
    published_by    TEXT NOT NULL,
    PRIMARY KEY (session_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX rm_distribution_doc ON rm_distribution (doc_id);

CREATE TABLE rm_attendance (
    session_id      TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    member_id       TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    PRIMARY KEY (session_id, member_id)
) WITHOUT ROWID;
CREATE INDEX rm_attendance_member ON rm_attendance (member_id);

CREATE TABLE rm_opinions (
    session_id      TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    opinion_id      TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    source_doc      TEXT NOT NULL,
    source_comment  TEXT NOT NULL,
    PRIMARY KEY (session_id, opinion_id)
) WITHOUT ROWID;

CREATE TABLE rm_tasks (
    session_id      TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    task_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    owner           TEXT NOT NULL,
    deadline        TEXT NOT NULL,
    source_doc      TEXT NOT NULL,
    source_comment  TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER,          -- the update that closed it
    PRIMARY KEY (session_id, task_id)
) WITHOUT ROWID;
CREATE INDEX rm_tasks_source ON rm_tasks (source_doc, source_comment);

CREATE TABLE rm_receipts (
    log_id          TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    branch_id       TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    doc_id          TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    PRIMARY KEY (log_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX rm_receipts_member ON rm_receipts (member_id, doc_id);
CREATE INDEX rm_receipts_doc ON rm_receipts (doc_id);

CREATE TABLE rm_comments (
    doc_id          TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    comment_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    author          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    reply_to        TEXT NOT NULL,
    deleted         INTEGER NOT NULL,
    status          TEXT NOT NULL,     -- proposal status or empty
    excerpt         TEXT NOT NULL,
    PRIMARY KEY (doc_id, comment_id)
) WITHOUT ROWID;
CREATE INDEX rm_comments_author ON rm_comments (author);

INSERT OR IGNORE INTO maintenance (task) VALUES ('rebuild_read_model');

-- Settings kept on this device (the committee's evidence weights, as JSON).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
