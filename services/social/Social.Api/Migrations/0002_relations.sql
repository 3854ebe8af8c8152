-- Who blocked whom. A block ends connections and follows both ways and hides each from the other.
CREATE TABLE blocks (
    blocker_id  uuid        NOT NULL,
    blocked_id  uuid        NOT NULL CHECK (blocked_id <> blocker_id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- One-way follows.
CREATE TABLE follows (
    follower_id uuid        NOT NULL,
    followed_id uuid        NOT NULL CHECK (followed_id <> follower_id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (follower_id, followed_id)
);
CREATE INDEX follows_followed ON follows (followed_id, created_at DESC, follower_id DESC);
CREATE INDEX follows_follower ON follows (follower_id, created_at DESC, followed_id DESC);

-- Mutual connections: a pending request, then accepted. One row per pair whoever asked (user_low,
-- user_high), so two people asking each other at once cannot end with two connections.
CREATE TABLE connections (
    id           uuid        PRIMARY KEY,
    requester_id uuid        NOT NULL,
    addressee_id uuid        NOT NULL CHECK (addressee_id <> requester_id),
    status       text        NOT NULL CHECK (status IN ('pending', 'accepted')),
    message      text        NULL,
    created_at   timestamptz NOT NULL,
    accepted_at  timestamptz NULL,
    user_low     uuid        GENERATED ALWAYS AS (LEAST(requester_id, addressee_id)) STORED,
    user_high    uuid        GENERATED ALWAYS AS (GREATEST(requester_id, addressee_id)) STORED,
    UNIQUE (user_low, user_high)
);
CREATE INDEX connections_requester ON connections (requester_id, status, id DESC);
CREATE INDEX connections_addressee ON connections (addressee_id, status, id DESC);

-- Accepted connections seen from either side: (user_id, other_id) for both people.
CREATE VIEW connection_edges AS
    SELECT requester_id AS user_id, addressee_id AS other_id FROM connections WHERE status = 'accepted'
    UNION ALL
    SELECT addressee_id, requester_id FROM connections WHERE status = 'accepted';

-- The interests two profiles share, sorted.
CREATE FUNCTION common_interests(a text[], b text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(i ORDER BY i), '{}') FROM (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS shared(i)
$$;

-- How well two people may get on, 0-100, the one definition discovery, connections and profiles show:
-- 8 per shared interest (at most 40), 20 for the same region, 5 per connection in common (at most 25).
-- The last 15 (shared groups) come with groups.
CREATE FUNCTION compatibility_score(a uuid, b uuid) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT LEAST(100,
          8 * LEAST(5, cardinality(common_interests(pa.interests, pb.interests)))
        + CASE WHEN pa.region IS NOT NULL AND lower(pa.region) = lower(pb.region) THEN 20 ELSE 0 END
        + 5 * LEAST(5, (SELECT count(*) FROM connection_edges x JOIN connection_edges y ON y.other_id = x.other_id
                        WHERE x.user_id = a AND y.user_id = b))::integer)
    FROM profiles pa, profiles pb WHERE pa.user_id = a AND pb.user_id = b
$$;
