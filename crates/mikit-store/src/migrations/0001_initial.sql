-- mikit store, migration 1. Migrations are append-only: never edit a released file, add a new one.
-- Times are INTEGER UTC epoch seconds; local-day facts carry the day's UTC offset (tz_offset, seconds east).
-- No wall-clock bookkeeping columns: syncing the same data twice must give an identical database.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    provider    TEXT    NOT NULL,          -- 'huami'
    user_id     TEXT    NOT NULL,          -- the service's user id (a string for Huami)
    email       TEXT,
    UNIQUE (provider, user_id)
);

-- The band_data.json item exactly as received (compact JSON), one per local day, so that a
-- better decoder can re-derive every table below without the network (`mikit fit sync --redecode`).
CREATE TABLE raw_days (
    account     INTEGER NOT NULL REFERENCES accounts(id),
    date        TEXT    NOT NULL,          -- YYYY-MM-DD, the item's date_time
    item        TEXT    NOT NULL,
    PRIMARY KEY (account, date)
) WITHOUT ROWID;

CREATE TABLE days (
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
    summary         TEXT    NOT NULL,      -- the decoded summary JSON (every key)
    PRIMARY KEY (account, date)
) WITHOUT ROWID;

CREATE TABLE minutes (
    account     INTEGER NOT NULL,
    ts          INTEGER NOT NULL,          -- UTC start of the minute
    kind        INTEGER,
    intensity   INTEGER,
    steps       INTEGER,
    heart_rate  INTEGER,
    PRIMARY KEY (account, ts)
) WITHOUT ROWID;

CREATE TABLE sleep_stages (
    account     INTEGER NOT NULL,
    date        TEXT    NOT NULL,          -- the day item the stage came from
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,          -- exclusive
    mode        INTEGER NOT NULL,
    kind        TEXT    NOT NULL,          -- light / deep / rem / awake / unknown
    nap         INTEGER NOT NULL,
    PRIMARY KEY (account, date, nap, start)
) WITHOUT ROWID;

CREATE TABLE activity_stages (
    account     INTEGER NOT NULL,
    date        TEXT    NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,          -- exclusive
    mode        INTEGER NOT NULL,
    steps       INTEGER,
    distance_m  INTEGER,
    kcal        INTEGER,
    PRIMARY KEY (account, date, start)
) WITHOUT ROWID;

-- Progress of each synced stream. `synced_through` is the end of the last committed request range;
-- the next incremental sync starts two days before it (the last two days change).
CREATE TABLE sync_state (
    account         INTEGER NOT NULL,
    stream          TEXT    NOT NULL,      -- 'band_data'
    first_date      TEXT,                  -- first day with data
    last_date       TEXT,                  -- last day with data
    synced_through  TEXT    NOT NULL,
    PRIMARY KEY (account, stream)
) WITHOUT ROWID;
