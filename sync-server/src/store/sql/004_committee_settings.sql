-- 004: a committee's own settings (evidence weights, meeting-quality grid), carried to every
-- phone in the signed directory. Shipped migrations are never edited; add a new file instead.
--
-- One row per committee once its admin set anything; each value is the JSON of its core type,
-- checked before it is stored; NULL keeps the default. A change bumps the committee's
-- directory version, so every phone receives it with its next sync.
CREATE TABLE committee_settings (
    committee_id      TEXT PRIMARY KEY REFERENCES committees (id),
    evidence_weights  TEXT,
    quality_grid      TEXT
);
