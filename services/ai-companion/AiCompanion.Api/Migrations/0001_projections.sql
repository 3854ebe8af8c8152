-- What the companion knows of other services, projected from their events (it never calls them).
-- Every row carries the as_of time of the message that last changed it: an older message changes nothing,
-- so replays and out-of-order deliveries leave the same state.

-- The profile a user may agree to share with the companion (identity's UserRegistered / UserProfileUpdated),
-- their age for the minors' rules, and their tier (payments' SubscriptionChanged) for the daily limits.
-- A deleted user keeps only the row that says so (UserDeleted erases everything else the companion has).
CREATE TABLE users (
    user_id        uuid        PRIMARY KEY,
    username       text        NOT NULL DEFAULT '',
    region         text        NULL,
    city           text        NULL,
    country        text        NULL,
    interests      text[]      NOT NULL DEFAULT '{}',
    identity_badge text        NULL,
    date_of_birth  date        NULL,
    deleted        boolean     NOT NULL DEFAULT false,
    as_of          timestamptz NOT NULL,
    tier           text        NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'premium', 'elite')),
    tier_as_of     timestamptz NOT NULL DEFAULT '-infinity'
);

-- Blocks (social); blocked false once lifted. The companion never speaks of a blocked user to their blocker or back.
CREATE TABLE blocks (
    blocker_id uuid        NOT NULL,
    blocked_id uuid        NOT NULL,
    blocked    boolean     NOT NULL,
    as_of      timestamptz NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id) WHERE blocked;
