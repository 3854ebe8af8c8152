-- A thread's own fields beside its conversation (same id; kind 'thread', owner_id its author): title, tags, pin and
-- soft deletion. A deleted thread leaves every list and read, and its conversation is closed for sending.
CREATE TABLE threads (
    id          uuid        PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    group_id    uuid        NOT NULL,
    author_id   uuid        NOT NULL,
    title       text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    tags        text[]      NOT NULL DEFAULT '{}',
    pinned_at   timestamptz NULL,
    pinned_by   uuid        NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    deleted_at  timestamptz NULL,
    deleted_by  uuid        NULL,
    CHECK ((pinned_at IS NULL) = (pinned_by IS NULL)),
    -- Titles are searched here; message text (the first message too) through messages.search.
    search      tsvector    GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED
);
-- A group's list: pinned first, then the conversation's last activity (joined from conversations).
CREATE INDEX threads_group ON threads (group_id, (pinned_at IS NOT NULL) DESC) WHERE deleted_at IS NULL;
CREATE INDEX threads_search ON threads USING gin (search) WHERE deleted_at IS NULL;
