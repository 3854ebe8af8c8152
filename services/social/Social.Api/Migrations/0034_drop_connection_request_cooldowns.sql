-- 0033 moved the waits to request_cooldowns and kept this table for the instances of the release before it, which
-- wrote here during that rolling update. No release since reads or writes it. Rows written here after 0033's copy are
-- not copied again: they are waits the previous instances started, and copying them now could bring back the ids of
-- accounts erased since (erasure clears request_cooldowns only). Dropped, a lost wait only lets its asker ask sooner.
DROP TABLE IF EXISTS connection_request_cooldowns;
