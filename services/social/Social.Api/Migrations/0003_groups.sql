-- Groups: one concept for seed 000's groups, 001's communities and 003's circles. member_count is
-- changed in the same transaction as the membership row it counts, so it always equals the rows.
CREATE TABLE groups (
    id            uuid        PRIMARY KEY,
    owner_id      uuid        NOT NULL,
    name          text        NOT NULL,
    description   text        NOT NULL DEFAULT '',
    category      text        NULL,
    tags          text[]      NOT NULL DEFAULT '{}',
    region        text        NULL,
    interest      text        NULL,
    image_url     text        NULL,
    color         text        NULL,
    visibility    text        NOT NULL CHECK (visibility IN ('public', 'private', 'secret')),
    join_policy   text        NOT NULL CHECK (join_policy IN ('open', 'request', 'invite')),
    price_cents   bigint      NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency      text        NULL,
    member_count  integer     NOT NULL DEFAULT 0 CHECK (member_count >= 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
-- Explore lists listed groups (public, private) most members first.
CREATE INDEX groups_explore ON groups (member_count DESC, id DESC) WHERE visibility <> 'secret';
CREATE INDEX groups_region ON groups (lower(region)) WHERE visibility <> 'secret';
CREATE INDEX groups_tags ON groups USING gin (tags);

-- Members, the owner included (role owner), one row per person and group.
CREATE TABLE group_members (
    group_id  uuid        NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   uuid        NOT NULL,
    role      text        NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, joined_at DESC, group_id DESC);
CREATE INDEX group_members_listing ON group_members (group_id, joined_at DESC, user_id DESC);

-- Requests to join a group whose join_policy is request, until a moderator answers.
CREATE TABLE group_requests (
    group_id   uuid        NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    reason     text        NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_requests_user ON group_requests (user_id);

-- Invitations a member sent; an invitation lets its addressee see a secret group and join an invite-only one.
CREATE TABLE group_invitations (
    group_id   uuid        NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL,
    invited_by uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_invitations_user ON group_invitations (user_id);

-- Events a person checked in at (events' ArrivalRecorded): the "events attended" of their activity.
CREATE TABLE events_attended (
    user_id    uuid        NOT NULL,
    event_id   uuid        NOT NULL,
    arrived_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, event_id)
);

-- The compatibility score gains its last part: 5 per group both belong to (at most 15).
CREATE OR REPLACE FUNCTION compatibility_score(a uuid, b uuid) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT LEAST(100,
          8 * LEAST(5, cardinality(common_interests(pa.interests, pb.interests)))
        + CASE WHEN pa.region IS NOT NULL AND lower(pa.region) = lower(pb.region) THEN 20 ELSE 0 END
        + 5 * LEAST(5, (SELECT count(*) FROM connection_edges x JOIN connection_edges y ON y.other_id = x.other_id
                        WHERE x.user_id = a AND y.user_id = b))::integer
        + 5 * LEAST(3, (SELECT count(*) FROM group_members x JOIN group_members y ON y.group_id = x.group_id
                        WHERE x.user_id = a AND y.user_id = b))::integer)
    FROM profiles pa, profiles pb WHERE pa.user_id = a AND pb.user_id = b
$$;
