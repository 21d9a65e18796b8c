-- mikit store, migration 2: the MIoT spec cache (issue 6, reference miot-spec.md §6).
-- Every body is kept exactly as the spec service served it, so a cached document
-- round-trips byte for byte. Times are UTC epoch seconds.

-- One instances list per requested status (`all`, `released`, ...).
CREATE TABLE spec_lists (
    status     TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    body       BLOB NOT NULL
);

-- The entries of each cached list, for model lookups and search without parsing the
-- whole list (pos = position in the served list; ties in model -> URN selection go to the
-- last entry in list order).
CREATE TABLE spec_list_entries (
    list         TEXT NOT NULL REFERENCES spec_lists (status) ON DELETE CASCADE,
    pos          INTEGER NOT NULL,
    model        TEXT NOT NULL,
    entry_status TEXT,
    version      INTEGER NOT NULL,
    urn          TEXT NOT NULL,
    PRIMARY KEY (list, pos)
) WITHOUT ROWID;
CREATE INDEX spec_list_entries_model ON spec_list_entries (model);

-- Instance specs by full URN; `description` is the spec's top-level description (search).
CREATE TABLE spec_instances (
    urn         TEXT PRIMARY KEY,
    fetched_at  INTEGER NOT NULL,
    description TEXT NOT NULL,
    body        BLOB NOT NULL
) WITHOUT ROWID;

-- Other documents of the service: type catalogs (`types:device`), type definitions
-- (`type:device:URN`), translations (`lang:URN`).
CREATE TABLE spec_documents (
    key        TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    body       BLOB NOT NULL
) WITHOUT ROWID;

-- Recent failures (e.g. a 404 for a listed URN), remembered briefly so that clients do not
-- hammer the service (hass-xiaomi-miot caches a failed download for 60 s, §6).
CREATE TABLE spec_failures (
    key       TEXT PRIMARY KEY,
    failed_at INTEGER NOT NULL,
    reason    TEXT NOT NULL
) WITHOUT ROWID;
