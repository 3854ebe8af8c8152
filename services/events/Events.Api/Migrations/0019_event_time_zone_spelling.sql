-- An event's time_zone was stored as the client spelled it, and the runtime accepted another casing of an id it had
-- already loaded ("europe/berlin"). Another instance, which had not, could not read it back. Only the database's own
-- spelling is accepted now; an id stored in another casing of a zone PostgreSQL knows is given that spelling.
UPDATE community_events e
SET time_zone = n.name
FROM (SELECT min(name) AS name FROM pg_timezone_names GROUP BY lower(name) HAVING count(*) = 1) n
WHERE lower(e.time_zone) = lower(n.name) AND e.time_zone <> n.name;
