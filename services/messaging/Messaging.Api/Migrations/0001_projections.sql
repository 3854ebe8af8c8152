-- What messaging knows of other services, projected from their events (it never calls them).
-- Every row carries the as_of time of the message that last changed it: an older message changes nothing,
-- so replays and out-of-order deliveries leave the same state.

-- Names shown beside messages (identity's UserRegistered / UserProfileUpdated / UserDeleted).
CREATE TABLE users (
    user_id      uuid        PRIMARY KEY,
    username     text        NOT NULL,
    display_name text        NULL,
    deleted      boolean     NOT NULL DEFAULT false,
    as_of        timestamptz NOT NULL
);

-- Accepted connections (social), one row per pair as (user_low, user_high); connected false once removed.
CREATE TABLE connections (
    user_low  uuid        NOT NULL,
    user_high uuid        NOT NULL CHECK (user_high > user_low),
    connected boolean     NOT NULL,
    as_of     timestamptz NOT NULL,
    PRIMARY KEY (user_low, user_high)
);

-- Blocks (social); blocked false once lifted.
CREATE TABLE blocks (
    blocker_id uuid        NOT NULL,
    blocked_id uuid        NOT NULL,
    blocked    boolean     NOT NULL,
    as_of      timestamptz NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id) WHERE blocked;

-- Groups and their members with their role (social); a thread is open to its group's active members.
CREATE TABLE groups (
    group_id uuid        PRIMARY KEY,
    deleted  boolean     NOT NULL DEFAULT false,
    as_of    timestamptz NOT NULL
);

CREATE TABLE group_members (
    group_id uuid        NOT NULL,
    user_id  uuid        NOT NULL,
    role     text        NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    active   boolean     NOT NULL,
    as_of    timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id) WHERE active;
