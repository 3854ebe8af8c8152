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
INSERT INTO request_cooldowns (asker_id, kind, target_id, until)
    SELECT requester_id, 'connection', addressee_id, until FROM connection_request_cooldowns;
DROP TABLE connection_request_cooldowns;
