-- mikit store, migration 3: Mi Home cloud devices (for `mikit device`), homes and rooms.
-- Filled in by the cloud work (issue 4); until then it creates nothing.
SELECT 1;
