-- mikit store, migration 9: the account's devices, health events, weight records, which event
-- ranges were fetched, and where imported rows came from (issue 12; shared reference
-- huami-cloud.md §4 DV1/E1–E3/WT1, §7, §8; exports.md).

-- Where a row came from: NULL = the cloud sync; otherwise the archive kind it was imported
-- from ('zepp-export', 'mi-fitness-export'). The first source of a row wins: a sync never
-- replaces an imported row and an import never replaces a synced one; the same source
-- replaces its own rows, so re-running either changes nothing.
ALTER TABLE days ADD COLUMN origin TEXT;
ALTER TABLE workouts ADD COLUMN origin TEXT;

-- The account's devices (DV1), as of the last sync. `auth_key` is the band's Bluetooth key
-- (`additionalInfo.auth_key`, 32 hex digits, no prefix) or NULL for a device without one; the
-- database file is private (0600) like the session file.
CREATE TABLE huami_devices (
    account         INTEGER NOT NULL REFERENCES accounts(id),
    device_id       TEXT    NOT NULL,      -- `deviceId` (the MAC when the item has no id)
    mac             TEXT,
    model           TEXT,                  -- `productVersion` / model name as given
    device_source   INTEGER,
    device_type     INTEGER,
    firmware        TEXT,
    hardware        TEXT,
    serial          TEXT,
    active          INTEGER,               -- 1 active, 0 unbound, NULL not said
    auth_key        TEXT,
    raw_zstd        BLOB    NOT NULL,      -- the item as received (compact JSON)
    PRIMARY KEY (account, device_id)
);

-- One health event (E1–E3) or one imported health reading. `kind` is mikit's name for what the
-- row holds ('stress', 'spo2', 'spo2_apnea', 'spo2_nightly', 'pai', 'hrv', 'readiness',
-- 'respiratory_rate'); `value` its headline number in the unit `kind` implies (stress level,
-- SpO2 %, ODI per hour, PAI total, HRV ms, readiness score, breaths per minute); `detail_zstd`
-- the other decoded fields and series as a JSON object; `raw_zstd` the item as received (NULL
-- for imported rows).
CREATE TABLE health_events (
    account         INTEGER NOT NULL REFERENCES accounts(id),
    kind            TEXT    NOT NULL,
    ts              INTEGER NOT NULL,      -- UTC epoch seconds of the event
    tz_offset       INTEGER,               -- seconds east, when known
    value           REAL,
    detail_zstd     BLOB    NOT NULL,
    raw_zstd        BLOB,
    origin          TEXT,
    PRIMARY KEY (account, kind, ts)
);

-- Ranges of an event stream that were fetched (a successful answer, even an empty one): the
-- store tells "nothing measured" (a fetched range without rows) from "not fetched" (no range).
-- `stream` is the request's stream ('stress', 'spo2', 'spo2_nightly', …, 'weight'); a stream
-- may fill several kinds ('spo2' fills 'spo2' and 'spo2_apnea'). Ranges that touch or overlap
-- are merged when written, so the rows are the same however the fetching was split.
CREATE TABLE health_fetches (
    account         INTEGER NOT NULL REFERENCES accounts(id),
    stream          TEXT    NOT NULL,
    from_ts         INTEGER NOT NULL,      -- UTC epoch seconds, inclusive
    to_ts           INTEGER NOT NULL,      -- UTC epoch seconds, inclusive
    PRIMARY KEY (account, stream, from_ts)
) WITHOUT ROWID;

-- Weight and body composition (WT1, or an archive's BODY / weight rows). NULL where the scale
-- measured nothing. `summary_zstd` keeps every other field of the record as a JSON object.
CREATE TABLE weight_records (
    account         INTEGER NOT NULL REFERENCES accounts(id),
    ts              INTEGER NOT NULL,      -- UTC epoch seconds (the service sends seconds)
    device_id       TEXT,
    member_id       TEXT,
    weight_kg       REAL,
    height_cm       REAL,
    bmi             REAL,
    fat_rate        REAL,                  -- %
    body_water_rate REAL,                  -- %
    bone_mass       REAL,                  -- kg
    metabolism      REAL,                  -- kcal (basal)
    muscle_rate     REAL,                  -- % or kg as the scale reports it
    visceral_fat    REAL,
    impedance       REAL,
    body_score      REAL,
    summary_zstd    BLOB    NOT NULL,
    raw_zstd        BLOB,
    origin          TEXT,
    PRIMARY KEY (account, ts)
);
