-- 009: the committee's settings (evidence weights, meeting-quality grid) now come from the
-- server in the signed directory, no longer from this device. Shipped migrations are never
-- edited; add a new file instead.
--
-- The device's own settings go (every phone of a committee must propose the same points).
-- The directory stored here was written before it carried the settings and no longer
-- decodes: it goes too, and the directory version goes back to 0, so the next sync brings
-- the directory again. Until then approvals show "no directory yet", as after enrollment.
DROP TABLE settings;
DELETE FROM directory;
UPDATE sync_state SET directory_version = 0;
