-- What can be bought, as the selling services announced it: the amount never comes from the client.
-- event_registration rows come from TicketHoldCreated, course rows from CourseEnrollmentPending.
CREATE TABLE sellable_items (
    reference_id    uuid        PRIMARY KEY,
    purpose         text        NOT NULL CHECK (purpose IN ('event_registration', 'course')),
    user_id         uuid        NOT NULL,
    -- 0 with no currency: sold for credits only (price_credits).
    amount_cents    bigint      NOT NULL CHECK (amount_cents >= 0),
    currency        text        NULL CHECK (currency ~ '^[A-Z]{3}$'),
    price_credits   integer     NULL CHECK (price_credits IS NULL OR price_credits > 0),
    event_id        uuid        NULL,
    seller_user_id  uuid        NULL,
    expires_at      timestamptz NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX sellable_items_event ON sellable_items (event_id) WHERE event_id IS NOT NULL;

CREATE TABLE payments (
    id                  uuid        PRIMARY KEY,
    user_id             uuid        NOT NULL,
    purpose             text        NOT NULL CHECK (purpose IN ('event_registration', 'course', 'subscription', 'boost', 'credits')),
    reference_id        uuid        NOT NULL,
    product             text        NULL,
    seller_user_id      uuid        NULL,
    amount_cents        bigint      NOT NULL CHECK (amount_cents > 0),
    currency            text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status              text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'refunded', 'partially_refunded')),
    provider            text        NOT NULL,
    payment_method      text        NOT NULL CHECK (payment_method IN ('card', 'alipay', 'wechat_pay')),
    session_id          text        NULL UNIQUE,
    checkout_url        text        NULL,
    payment_intent_id   text        NULL,
    success_url         text        NOT NULL,
    cancel_url          text        NOT NULL,
    refunded_cents      bigint      NOT NULL DEFAULT 0,
    failure_reason      text        NULL,
    expires_at          timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    succeeded_at        timestamptz NULL,
    CONSTRAINT payments_refund_bounds CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents)
);
-- One open checkout per buyer and thing bought: asking twice returns the same session.
CREATE UNIQUE INDEX payments_one_open_checkout ON payments (user_id, purpose, reference_id) WHERE status = 'pending';
CREATE INDEX payments_user ON payments (user_id, created_at DESC, id DESC);
CREATE INDEX payments_reference ON payments (reference_id);
CREATE INDEX payments_intent ON payments (payment_intent_id) WHERE payment_intent_id IS NOT NULL;

CREATE TABLE refunds (
    id                  uuid        PRIMARY KEY,
    payment_id          uuid        NOT NULL REFERENCES payments (id),
    amount_cents        bigint      NOT NULL CHECK (amount_cents > 0),
    reason              text        NOT NULL,
    requested_by        uuid        NULL,
    provider_refund_id  text        NULL,
    status              text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    created_at          timestamptz NOT NULL,
    completed_at        timestamptz NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);

-- Every webhook event id seen: a redelivery finds its row and changes nothing.
CREATE TABLE webhook_events (
    id              text        PRIMARY KEY,
    type            text        NOT NULL,
    received_at     timestamptz NOT NULL,
    payload         jsonb       NOT NULL
);

-- The sandbox's webhook signing secret: generated on first use, never in configuration or git.
CREATE TABLE sandbox_secrets (
    id          integer     PRIMARY KEY,
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL
);
