-- mikit store, migration 2: the MIoT spec cache (instances list with its fetch time, specs by URN).
-- Filled in by the spec-cache work (issue 6); until then it creates nothing.
SELECT 1;
