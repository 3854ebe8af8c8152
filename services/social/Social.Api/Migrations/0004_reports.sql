-- Reports of users, groups, messages and events, and how an admin resolved them. A reporter has at
-- most one open report per target (the partial unique index): a second while it is open is 409.
CREATE TABLE reports (
    id           uuid        PRIMARY KEY,
    reporter_id  uuid        NOT NULL,
    target_type  text        NOT NULL CHECK (target_type IN ('user', 'group', 'message', 'event')),
    target_id    uuid        NOT NULL,
    category     text        NOT NULL CHECK (category IN ('spam', 'harassment', 'hate', 'violence', 'sexual', 'self_harm', 'other')),
    comment      text        NULL,
    status       text        NOT NULL CHECK (status IN ('open', 'resolved')),
    created_at   timestamptz NOT NULL,
    action       text        NULL CHECK (action IN ('dismiss', 'warn', 'remove_content', 'suspend_user')),
    note         text        NULL,
    resolved_by  uuid        NULL,
    resolved_at  timestamptz NULL,
    CHECK ((status = 'open') = (action IS NULL AND resolved_by IS NULL AND resolved_at IS NULL))
);
CREATE UNIQUE INDEX reports_one_open_per_target ON reports (reporter_id, target_type, target_id) WHERE status = 'open';
-- The admin queue pages by status in id (time) order; UserDeleted erases by reporter (the unique index above covers only open ones).
CREATE INDEX reports_queue ON reports (status, id);
CREATE INDEX reports_reporter ON reports (reporter_id);
