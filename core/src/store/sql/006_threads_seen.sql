-- 006: comment threads a member has looked at, for "what needs me" (Store::needs_me).
--
-- seen: the thread's state when the member last looked at it (its newest message and its
-- proposal status, see store/needs_me.rs); the thread needs the member again once that
-- changes. Keyed by member too, so a store whose identity changes (tests, demos) keeps each
-- member's own marks.
CREATE TABLE threads_seen (
    member_id  TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    root_id    TEXT NOT NULL,
    seen       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (member_id, doc_id, root_id)
);
