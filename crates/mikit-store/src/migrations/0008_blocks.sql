-- mikit store, migration 8: per-minute series and workout points as compressed column blocks
-- (one zstd frame per band day / per workout; the layout is documented in block.rs), and the
-- decoded day summary compressed. After the statements below, `Store::migrate` converts the
-- rows of `minutes`, `workout_points` and `days` into the new tables (same transaction), drops
-- the old tables and renames `days_zstd` to `days`.

-- The minutes of one band day: the rows the day owns, [local_midnight, minutes_end) in UTC.
-- A rowid table: blocks of 1–2 KB are too large for WITHOUT ROWID pages.
CREATE TABLE minute_blocks (
    account     INTEGER NOT NULL REFERENCES accounts(id),
    date        TEXT    NOT NULL,          -- the band day (days.date)
    first_ts    INTEGER NOT NULL,          -- UTC start of the block's first minute
    last_ts     INTEGER NOT NULL,          -- UTC start of its last minute
    rows        INTEGER NOT NULL,          -- minutes in the block (never 0: no block instead)
    block_zstd  BLOB    NOT NULL,          -- zstd frame of the column layout (block.rs, kind 'M')
    PRIMARY KEY (account, date)
);
-- Time-range reads (exports, the dashboard) find the blocks by their first minute.
CREATE INDEX minute_blocks_by_time ON minute_blocks (account, first_ts);

-- The points of one workout, in order (seq 0, 1, … is the row index in the block).
CREATE TABLE workout_point_blocks (
    account     INTEGER NOT NULL,
    trackid     INTEGER NOT NULL,
    rows        INTEGER NOT NULL,          -- points in the block (never 0: no block instead)
    block_zstd  BLOB    NOT NULL,          -- zstd frame of the column layout (block.rs, kind 'P')
    PRIMARY KEY (account, trackid)
);

-- `days` with its summary JSON compressed (`summary_zstd`: a zstd frame of the same text),
-- columns in the same order as before. A rowid table (compressed summaries are ~1 KB).
CREATE TABLE days_zstd (
    account         INTEGER NOT NULL REFERENCES accounts(id),
    date            TEXT    NOT NULL,
    tz_offset       INTEGER NOT NULL,
    local_midnight  INTEGER NOT NULL,
    steps           INTEGER,
    distance_m      INTEGER,
    kcal            INTEGER,
    goal            INTEGER,
    sleep_start     INTEGER,
    sleep_end       INTEGER,
    deep_min        INTEGER,
    light_min       INTEGER,
    rem_min         INTEGER,
    awake_min       INTEGER,
    sleep_score     INTEGER,
    resting_hr      INTEGER,
    max_hr          INTEGER,
    max_hr_at       INTEGER,
    source          INTEGER,
    device_id       TEXT,
    minutes         INTEGER NOT NULL,      -- number of minute records decoded
    issues          TEXT,                  -- JSON array of decode issues; NULL when the day decoded fully
    summary_zstd    BLOB    NOT NULL,      -- zstd frame of the decoded summary JSON (every key)
    minutes_end     INTEGER,               -- see migration 5
    PRIMARY KEY (account, date)
);
