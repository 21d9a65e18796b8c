-- mikit store, migration 6: raw band-day items stored compressed (one zstd frame each, see payload.rs).
-- A new table with a new column name, so a compressed item and a text item can never be confused:
-- after the statements below, `Store::migrate` compresses every row of the old `raw_days` into
-- `raw_days_zstd` (the same transaction), drops `raw_days` and renames `raw_days_zstd` to `raw_days`.
-- A rowid table: items of 2–4 KB compressed are too large for WITHOUT ROWID pages, which would
-- move most of each row to an overflow page.
CREATE TABLE raw_days_zstd (
    account     INTEGER NOT NULL REFERENCES accounts(id),
    date        TEXT    NOT NULL,          -- YYYY-MM-DD, the item's date_time
    item_zstd   BLOB    NOT NULL,          -- zstd frame of the item exactly as received (compact JSON)
    PRIMARY KEY (account, date)
);
