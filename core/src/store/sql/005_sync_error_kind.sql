-- 005: what kind of failure the last sync ended with, so a restarted app can say "offline"
-- or "failed" (and whether to enroll again) instead of "idle".
--
-- last_error_kind: NULL (the last sync succeeded, or none ran), 'offline' (the server could
-- not be reached), 'server_refused' (the server answered with an error: last_error_status and
-- last_error_code hold its HTTP status and code), or 'other'.
ALTER TABLE sync_state ADD COLUMN last_error_kind TEXT
    CHECK (last_error_kind IN ('offline', 'server_refused', 'other'));
ALTER TABLE sync_state ADD COLUMN last_error_status INTEGER;
ALTER TABLE sync_state ADD COLUMN last_error_code TEXT;
-- An error recorded before this migration: its kind is unknown.
UPDATE sync_state SET last_error_kind = 'other' WHERE last_error IS NOT NULL;
