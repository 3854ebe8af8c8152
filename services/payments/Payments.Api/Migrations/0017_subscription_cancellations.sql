-- Every stop of a subscription asked of the provider, kept until the provider has done it: the message that asks it
-- (SubscriptionCancellationRequested) is retried for seconds, and a provider away longer would leave it in the _error
-- queue while the subscription renews and charges (a deleted account's, a refunded one's, a replaced plan's).
-- SubscriptionCancellationRecovery asks again those not done by their next attempt.
CREATE TABLE subscription_cancellations (
    id                       uuid        PRIMARY KEY,
    user_id                  uuid        NOT NULL,
    provider_subscription_id text        NOT NULL,
    at_period_end            boolean     NOT NULL,
    refunded_payment_id      uuid        NULL,
    requested_at             timestamptz NOT NULL,
    attempts                 integer     NOT NULL DEFAULT 0,
    next_attempt_at          timestamptz NOT NULL,
    done_at                  timestamptz NULL
);
CREATE INDEX subscription_cancellations_due ON subscription_cancellations (next_attempt_at) WHERE done_at IS NULL;
