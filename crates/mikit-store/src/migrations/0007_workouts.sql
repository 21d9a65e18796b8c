-- mikit store, migration 7: workouts (docs: shared reference huami-cloud.md §6).
-- Values a payload leaves out or marks "not applicable" (-1, -20000, -274, -361, -2000000, empty
-- entries) are NULL, never a number: absent is not 0. Unknown sport codes are kept as numbers.

-- One workout: the typed summary fields whose meaning is known (the rest stays in workout_raw).
CREATE TABLE workouts (
    account             INTEGER NOT NULL REFERENCES accounts(id),
    trackid             INTEGER NOT NULL,  -- the service's id (its start, unix seconds)
    start               INTEGER NOT NULL,  -- UTC epoch seconds
    end                 INTEGER,           -- UTC epoch seconds
    date                TEXT    NOT NULL,  -- local calendar day of the start (filters)
    tz_offset           INTEGER NOT NULL,  -- UTC offset at the start, seconds east (0 when unknown)
    sport               INTEGER NOT NULL,  -- Huami sport code (§6.2 `type`)
    source              TEXT,
    title               TEXT,              -- `sport_title` (user text)
    time_zone           TEXT,              -- IANA name (`syncedTimezone`)
    auto_detected       INTEGER,           -- 1 = auto-recognised, 0 = started by hand
    distance_m          REAL,
    duration_s          INTEGER,           -- moving time (`run_time`)
    pause_s             INTEGER,           -- `pause_time`
    kcal                REAL,
    avg_hr              REAL,
    max_hr              INTEGER,
    min_hr              INTEGER,
    avg_cadence         REAL,              -- steps or strokes per minute
    max_cadence         REAL,
    avg_stride_cm       REAL,
    steps               INTEGER,
    ascent_m            REAL,
    descent_m           REAL,
    min_altitude_m      REAL,
    max_altitude_m      REAL,
    avg_pace            REAL,              -- seconds per metre
    max_pace            REAL,              -- seconds per metre, as the service names it
    min_pace            REAL,
    swolf               INTEGER,
    strokes             INTEGER,
    trips               INTEGER,           -- pool lengths swum
    pool_length_m       INTEGER,
    swim_style          INTEGER,
    avg_stroke_speed    REAL,
    avg_distance_per_stroke REAL,
    training_effect     REAL,
    anaerobic_training_effect REAL,
    update_time_ms      INTEGER,           -- `updateTime`, ms
    summary_sha256      BLOB    NOT NULL,  -- of the raw summary: re-fetch the detail only if it changed
    has_detail          INTEGER NOT NULL,  -- 1 once the detail was stored with this summary
    points              INTEGER NOT NULL,  -- rows in workout_points
    has_track           INTEGER NOT NULL,  -- 1 when some point has a position
    PRIMARY KEY (account, trackid)
) WITHOUT ROWID;

CREATE INDEX workouts_by_date ON workouts (account, date);

-- The payloads as received, compressed (see payload.rs), for `--redecode`.
CREATE TABLE workout_raw (
    account         INTEGER NOT NULL,
    trackid         INTEGER NOT NULL,
    summary_zstd    BLOB    NOT NULL,      -- the history item (compact JSON)
    detail_zstd     BLOB,                  -- the detail's `data` (compact JSON); NULL until fetched
    PRIMARY KEY (account, trackid)
);

-- Per-point streams, merged on time by the decoder.
CREATE TABLE workout_points (
    account         INTEGER NOT NULL,
    trackid         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,      -- 0, 1, … in time order
    time            INTEGER,               -- UTC epoch seconds
    lat             REAL,                  -- degrees
    lon             REAL,
    altitude_m      REAL,
    accuracy_m      REAL,
    heart_rate      INTEGER,
    cadence         INTEGER,               -- per minute
    stride_cm       REAL,
    speed_mps       REAL,
    distance_m      REAL,                  -- cumulative
    pace            REAL,                  -- seconds per metre
    power_w         INTEGER,
    PRIMARY KEY (account, trackid, seq)
) WITHOUT ROWID;

-- Laps: kilometre / mile splits and swim lengths.
CREATE TABLE workout_laps (
    account         INTEGER NOT NULL,
    trackid         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    kind            TEXT    NOT NULL,      -- 'km', 'mile', 'lap', 'length'
    start           INTEGER,               -- UTC epoch seconds
    duration_s      REAL,
    distance_m      REAL,
    cumulative_s    REAL,
    avg_hr          REAL,
    avg_pace        REAL,                  -- seconds per metre
    strokes         INTEGER,
    swolf           INTEGER,
    swim_style      INTEGER,
    lat             REAL,                  -- where the lap ended, degrees
    lon             REAL,
    PRIMARY KEY (account, trackid, seq)
) WITHOUT ROWID;

CREATE TABLE workout_pauses (
    account         INTEGER NOT NULL,
    trackid         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    start           INTEGER,               -- UTC epoch seconds
    end             INTEGER,
    start_index     INTEGER,               -- point indexes as the service sends them
    stop_index      INTEGER,
    kind            INTEGER,               -- 2 manual, 3 automatic
    PRIMARY KEY (account, trackid, seq)
) WITHOUT ROWID;
