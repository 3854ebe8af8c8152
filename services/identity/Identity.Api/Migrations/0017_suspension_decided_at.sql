-- When an admin or a report's resolution last suspended the account or lifted its suspension: a resolution handled
-- late (a backlog, a replay from the _error queue) that is older than that decision changes nothing.
ALTER TABLE users ADD COLUMN suspension_decided_at timestamptz NULL;
-- The suspensions in force or past were decided when they began.
UPDATE users SET suspension_decided_at = suspended_at WHERE suspended_at IS NOT NULL;
