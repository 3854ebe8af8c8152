-- Notifications: one row per thing a person is told about (a connection request, a payment, a message they did not
-- see...). Ids are UUID v7 from the service clock, so the newest-first list pages by id. Repeats of one kind on one
-- subject share group_key, and the list folds them ("Amira and 3 others sent you messages").
CREATE TABLE notifications (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL,
    kind         text        NOT NULL,
    actor_id     uuid        NULL,
    subject_type text        NOT NULL,
    subject_id   uuid        NOT NULL,
    group_key    text        NOT NULL,
    data         jsonb       NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    read_at      timestamptz NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
-- Unread counts per kind and the digest's "has unread notifications" read only the unread rows.
CREATE INDEX notifications_unread ON notifications (user_id, kind, created_at) WHERE read_at IS NULL;

-- The daily digest's address (identity's UserRegistered carries it; profile updates do not) and when the last
-- digest went, so a person gets at most one a day whichever instance sends it.
ALTER TABLE users ADD COLUMN email text NULL;
-- Only a proven address is mailed (UserRegistered / UserProfileUpdated IsVerified), so a typo never spams a stranger.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN digest_sent_at timestamptz NULL;
