-- The subscription a subscription checkout created at the provider: its later webhooks name only that.
ALTER TABLE payments ADD COLUMN provider_subscription_id text NULL;
CREATE INDEX payments_provider_subscription ON payments (provider_subscription_id) WHERE provider_subscription_id IS NOT NULL;

-- One row per user who ever subscribed. plan is what was bought; tier what it entitles to now
-- (free once it ended), which is what identity puts in access tokens.
CREATE TABLE subscriptions (
    user_id                   uuid        PRIMARY KEY,
    plan                      text        NOT NULL CHECK (plan IN ('premium', 'elite')),
    tier                      text        NOT NULL CHECK (tier IN ('free', 'premium', 'elite')),
    -- Stripe's statuses, plus 'expired': no renewal was reported well after the period ended.
    status                    text        NOT NULL CHECK (status IN (
                                              'active', 'trialing', 'past_due', 'unpaid', 'incomplete',
                                              'incomplete_expired', 'paused', 'canceled', 'expired')),
    provider_subscription_id  text        NULL UNIQUE,
    last_payment_id           uuid        NULL,
    current_period_end        timestamptz NULL,
    cancel_at_period_end      boolean     NOT NULL DEFAULT false,
    updated_at                timestamptz NOT NULL,
    CHECK (tier = 'free' OR tier = plan)
);
-- The expiry sweep looks for entitlements whose period has run out.
CREATE INDEX subscriptions_lapsing ON subscriptions (current_period_end) WHERE tier <> 'free';

-- How long a user's profile stays boosted; each boost bought extends it.
CREATE TABLE boosts (
    user_id        uuid        PRIMARY KEY,
    boosted_until  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
