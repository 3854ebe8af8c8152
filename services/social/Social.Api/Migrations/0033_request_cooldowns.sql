-- The waits before asking again, for requests to connect (target: the person asked) and now to join a group (target:
-- the group). The connections' waits move over as they are.
CREATE TABLE request_cooldowns (
    asker_id  uuid        NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('connection', 'group')),
    target_id uuid        NOT NULL,
    until     timestamptz NOT NULL,
    PRIMARY KEY (asker_id, kind, target_id)
);
CREATE INDEX request_cooldowns_target ON request_cooldowns (target_id);
CREATE INDEX request_cooldowns_until ON request_cooldowns (until);
-- Locked first, so no row an instance of the previous release writes meanwhile is left behind. The old table is kept
-- for those instances until a rolling update has replaced them (dropping it now would fail their requests); a later
-- migration drops it.
LOCK TABLE connection_request_cooldowns IN EXCLUSIVE MODE;
INSERT INTO request_cooldowns (asker_id, kind, target_id, until)
    SELECT requester_id, 'connection', addressee_id, until FROM connection_request_cooldowns;
