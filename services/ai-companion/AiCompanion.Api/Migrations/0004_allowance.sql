-- Daily message limits and sessions bought with credits.

-- Messages a user sent the companion on one UTC day. Reservations increment it with one conditional upsert,
-- so concurrent sends never pass the tier's limit; a failed reply gives its reservation back.
CREATE TABLE companion_usage (
    user_id  uuid   NOT NULL,
    day      date   NOT NULL,
    messages bigint NOT NULL CHECK (messages >= 0),
    PRIMARY KEY (user_id, day)
);

-- A session bought with credits (purpose companion_session, reference the id): pending until payments answers,
-- active from the spend for its length (and at most message_allowance messages past the daily limit), rejected
-- when payments declined the spend or the session could not start (the spend is then given back), ended once over.
-- One open (pending or active) session per user; an active one past its end is ended when the next is bought.
CREATE TABLE companion_sessions (
    id                uuid        PRIMARY KEY,
    user_id           uuid        NOT NULL,
    idempotency_key   text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'ended')),
    price_credits     bigint      NOT NULL CHECK (price_credits > 0),
    minutes           integer     NOT NULL CHECK (minutes > 0),
    message_allowance integer     NULL CHECK (message_allowance > 0),
    messages_used     integer     NOT NULL DEFAULT 0 CHECK (messages_used >= 0 AND messages_used <= coalesce(message_allowance, messages_used)),
    spend_id          uuid        NULL,
    requested_at      timestamptz NOT NULL,
    starts_at         timestamptz NULL,
    ends_at           timestamptz NULL,
    rejection         text        NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE UNIQUE INDEX companion_sessions_one_open ON companion_sessions (user_id) WHERE status IN ('pending', 'active');
