-- mikit store, migration 4: devices added by hand (`mikit device add`), for devices the cloud
-- does not list or a user who never logs in to the cloud. They belong to this machine, not to
-- an account, so the table has no account column. Names are unique ignoring case, because
-- `mikit device` matches names case-insensitively.
-- The miIO token is kept for LAN control, like cloud_devices.token; it is never printed.

CREATE TABLE manual_devices (
    name        TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
    ip          TEXT    NOT NULL,          -- "192.168.1.20"
    port        INTEGER NOT NULL,          -- 54321 unless given
    token       TEXT    NOT NULL,          -- 32 hex
    model       TEXT,                      -- given, or learned from miIO.info
    did         TEXT,                      -- learned from the device, if asked
    added_at    INTEGER NOT NULL           -- unix s
) WITHOUT ROWID;
