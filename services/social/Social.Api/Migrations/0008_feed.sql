-- The feed's copy of events (events' EventPublished, EventUpdated, EventCancelled): whether their
-- activity may be shown (public and not cancelled) and the title it names. A row may come before
-- its EventPublished (a cancellation that overtook it): it stays hidden until then. as_of is the time
-- of the message that set title and is_public, so an older one changes nothing.
CREATE TABLE feed_events (
    event_id  uuid        PRIMARY KEY,
    title     text        NULL,
    is_public boolean     NOT NULL DEFAULT false,
    cancelled boolean     NOT NULL DEFAULT false,
    as_of     timestamptz NULL
);

-- What people did, one row per actor, kind and subject: an event published or an RSVP (subject the
-- event), a group joined (subject and group_id the group), a follow or a connection (subject the other
-- person, also in subject_user_id so a block with them hides it). visible is false for a private,
-- cancelled or not yet published event. Group activity goes with its group (cascade).
CREATE TABLE activities (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('event_published', 'event_rsvp', 'group_joined', 'user_followed', 'connection_accepted')),
    actor_id        uuid        NOT NULL,
    subject_id      uuid        NOT NULL,
    subject_user_id uuid        NULL,
    group_id        uuid        NULL REFERENCES groups (id) ON DELETE CASCADE,
    visible         boolean     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    UNIQUE (kind, actor_id, subject_id)
);
-- The feed reads, newest first, the shown activity of each person the caller follows or is connected
-- with, and of each group the caller belongs to: one index range per person and per group, index-only
-- (the columns the feed reads are included), since a user who follows 1,000 people probes it 1,000 times.
CREATE INDEX activities_actor ON activities (actor_id, occurred_at DESC, id DESC) INCLUDE (kind, subject_id, subject_user_id, group_id) WHERE visible;
CREATE INDEX activities_group ON activities (group_id, occurred_at DESC, id DESC) INCLUDE (kind, subject_id, subject_user_id, actor_id)
    WHERE visible AND group_id IS NOT NULL;
-- An event's visibility changes every row about it; an erased account removes the rows about it.
CREATE INDEX activities_subject ON activities (subject_id);
CREATE INDEX activities_subject_user ON activities (subject_user_id) WHERE subject_user_id IS NOT NULL;
