-- 0033 copied the waits to request_cooldowns and kept this table for the instances of the release before it, which
-- write here during a rolling update; nothing since reads it, and erasing an account no longer clears it. Emptied,
-- not dropped: a deployment may go from a release before 0033 straight to this one, whose old instances would fail
-- on a table gone. Rows they write meanwhile are not copied (a lost wait only lets its asker ask sooner) and stay
-- until a migration of a later release, once none of those instances can be running, drops the table.
-- (A database migrated by a development build of this release, whose 0034 dropped the table, has none to empty.)
DO $$
BEGIN
    IF to_regclass('connection_request_cooldowns') IS NOT NULL THEN
        DELETE FROM connection_request_cooldowns;
    END IF;
END
$$;
