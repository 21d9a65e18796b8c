-- mikit store, migration 3: Mi Home cloud devices (for `mikit device`), as `mikit cloud devices`
-- last listed them. One row per (account, did); a new listing replaces the account's rows.
-- The miIO token is kept because `mikit device` needs it for LAN control; it never leaves the
-- database except through `mikit cloud devices --show-tokens`.

CREATE TABLE cloud_devices (
    account     INTEGER NOT NULL REFERENCES accounts(id),
    did         TEXT    NOT NULL,          -- "381205710", "blt.3.xxx", "lumi.158d..."
    region      TEXT    NOT NULL,          -- cn, de, us, ru, sg, i2, ...
    name        TEXT    NOT NULL,
    model       TEXT    NOT NULL,
    urn         TEXT,                      -- spec_type, when the cloud sent it
    ip          TEXT,                      -- localip
    mac         TEXT,
    token       TEXT,                      -- 32 hex, NULL for children without one
    online      INTEGER,                   -- 0/1, NULL if unknown
    home_id     TEXT,
    room_id     TEXT,
    room        TEXT,
    record      TEXT    NOT NULL,          -- the record as received minus the token (compact JSON)
    listed_at   INTEGER NOT NULL,          -- unix s of the listing
    PRIMARY KEY (account, did)
) WITHOUT ROWID;

CREATE INDEX cloud_devices_name ON cloud_devices (account, name);
