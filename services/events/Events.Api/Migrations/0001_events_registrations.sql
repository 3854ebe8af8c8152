-- earthdistance (with cube) gives an index-backed "within N metres" search. earthdistance needs a
-- superuser the first time; in production the database is prepared by deploy/k8s/dependencies
-- (see its README), so these statements find the extensions already there.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

CREATE TABLE community_events (
    id                  uuid        PRIMARY KEY,
    organizer_id        uuid        NOT NULL,
    title               text        NOT NULL,
    description         text        NOT NULL DEFAULT '',
    event_type          text        NOT NULL CHECK (event_type IN ('meetup', 'workshop', 'hackathon', 'trip', 'social', 'class', 'other')),
    interests           text[]      NOT NULL DEFAULT '{}',
    region              text        NULL,
    location_name       text        NULL,
    address             text        NULL,
    city                text        NULL,
    country             text        NULL,
    latitude            double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude           double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    geofence_radius_m   integer     NOT NULL DEFAULT 150 CHECK (geofence_radius_m BETWEEN 20 AND 2000),
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    time_zone           text        NOT NULL,
    capacity            integer     NULL CHECK (capacity IS NULL OR capacity > 0),
    -- Seats held or confirmed; changed only under the event's row lock, bounded by capacity here.
    seats_taken         integer     NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
    waitlist_enabled    boolean     NOT NULL DEFAULT true,
    price_cents         bigint      NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency            text        NULL CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$'),
    refund_cutoff_hours integer     NOT NULL DEFAULT 24 CHECK (refund_cutoff_hours >= 0),
    cover_image_url     text        NULL,
    visibility          text        NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    invited_user_ids    uuid[]      NOT NULL DEFAULT '{}',
    status              text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    cancellation_reason text        NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    published_at        timestamptz NULL,
    cancelled_at        timestamptz NULL,
    position            earth       GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED,
    search              tsvector    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || description)) STORED,
    CONSTRAINT community_events_time_order CHECK (ends_at > starts_at),
    CONSTRAINT community_events_paid_has_currency CHECK (price_cents = 0 OR currency IS NOT NULL),
    CONSTRAINT community_events_capacity CHECK (capacity IS NULL OR seats_taken <= capacity)
);
-- The catalogue reads published events in start order; nearby reads them by position.
CREATE INDEX community_events_catalogue ON community_events (starts_at, id) WHERE status = 'published';
CREATE INDEX community_events_position ON community_events USING gist (position) WHERE status = 'published';
CREATE INDEX community_events_search ON community_events USING gin (search) WHERE status = 'published';
CREATE INDEX community_events_interests ON community_events USING gin (interests) WHERE status = 'published';
CREATE INDEX community_events_city ON community_events (lower(city), starts_at) WHERE status = 'published';
CREATE INDEX community_events_organizer ON community_events (organizer_id, starts_at);

CREATE TABLE registrations (
    id                  uuid        PRIMARY KEY,
    sequence            bigint      GENERATED ALWAYS AS IDENTITY,
    event_id            uuid        NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
    user_id             uuid        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('held', 'confirmed', 'waitlisted', 'cancelled', 'expired', 'refunded')),
    ticket_code         text        NULL UNIQUE,
    amount_cents        bigint      NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    currency            text        NULL,
    hold_expires_at     timestamptz NULL,
    payment_id          uuid        NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    confirmed_at        timestamptz NULL,
    cancelled_at        timestamptz NULL,
    arrived_at          timestamptz NULL,
    arrival_distance_m  double precision NULL,
    checked_in_by       uuid        NULL,
    CONSTRAINT registrations_confirmed_has_ticket CHECK (status <> 'confirmed' OR ticket_code IS NOT NULL),
    CONSTRAINT registrations_held_has_expiry CHECK (status <> 'held' OR hold_expires_at IS NOT NULL)
);
-- One live registration per user and event: a second attempt finds the first, never a second seat.
CREATE UNIQUE INDEX registrations_live ON registrations (event_id, user_id) WHERE status IN ('held', 'confirmed', 'waitlisted');
CREATE INDEX registrations_user ON registrations (user_id, created_at DESC);
CREATE INDEX registrations_event ON registrations (event_id, sequence);
CREATE INDEX registrations_expiring_holds ON registrations (hold_expires_at) WHERE status = 'held';

-- The key that signs ticket QR payloads: generated on first use, never in configuration or git.
CREATE TABLE ticket_signing_keys (
    id          integer     PRIMARY KEY,
    secret      bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);
