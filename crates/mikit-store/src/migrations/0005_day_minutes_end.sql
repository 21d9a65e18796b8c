-- mikit store, migration 5: where each day's minutes end.
-- A band day's minute slots are local wall-clock minutes, so a DST day covers 23 or 25 hours
-- (docs/huami.md, "DST days"). `minutes_end` is the end (exclusive, UTC epoch seconds) of the
-- instants the day's minutes may occupy, trimmed to the next stored day's local midnight, so
-- that writing a day never touches a minute of its neighbours. NULL on rows written before
-- this migration: read as local_midnight + 1440 minutes, the old rule.
ALTER TABLE days ADD COLUMN minutes_end INTEGER;
