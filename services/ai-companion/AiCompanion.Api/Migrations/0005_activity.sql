-- The concierge feed (seed 003's activities): items computed from other services' events, one per (user, source),
-- so a redelivered or replayed event never makes a second item.
CREATE TABLE activity_items (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    -- What the item is about: event:<id>, group:<id>, connection:<id>, course:<id>, or boost (one reminder per user, moved on each new boost).
    source        text        NOT NULL,
    type          text        NOT NULL CHECK (type IN ('opportunity', 'connection', 'insight', 'boost')),
    priority      text        NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    title         text        NOT NULL,
    description   text        NOT NULL,
    action_text   text        NOT NULL,
    action_link   text        NOT NULL,
    -- The other person the item names or whose event, group or course it is: a block between them hides it, a deletion erases it.
    about_user_id uuid        NULL,
    -- When the item shows (a boost reminder's is the boost's end: hidden until then); the feed's order with id.
    created_at    timestamptz NOT NULL,
    -- The time of the message that last set the item (a boost reminder only moves for a newer one).
    as_of         timestamptz NOT NULL,
    read_at       timestamptz NULL,
    UNIQUE (user_id, source)
);
CREATE INDEX activity_items_feed ON activity_items (user_id, created_at DESC, id DESC);
CREATE INDEX activity_items_about ON activity_items (about_user_id) WHERE about_user_id IS NOT NULL;
CREATE INDEX activity_items_source ON activity_items (source);

-- The items a user may see: none about someone they blocked or who blocked them, none about a deleted account.
CREATE VIEW activity_shown AS
SELECT i.* FROM activity_items i
WHERE i.about_user_id IS NULL
   OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                   AND ((b.blocker_id = i.user_id AND b.blocked_id = i.about_user_id) OR (b.blocker_id = i.about_user_id AND b.blocked_id = i.user_id)))
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = i.about_user_id AND u.deleted));

-- Fan-out finds the members of a region or city by their profile.
CREATE INDEX users_region_lower ON users (lower(region)) WHERE NOT deleted;
CREATE INDEX users_city_lower ON users (lower(city)) WHERE NOT deleted;
