-- The provider's customer a checkout made (Stripe makes one for every subscription checkout: the buyer's e-mail, name
-- and saved card), and every deletion of one asked of the provider, kept until the provider has done it: a deleted
-- account's customers are deleted there too. CustomerDeletionRecovery asks again those not done by their next attempt.
ALTER TABLE payments ADD COLUMN provider_customer_id text NULL;
CREATE TABLE customer_deletions (
    id                   uuid        PRIMARY KEY,
    user_id              uuid        NOT NULL,
    provider_customer_id text        NOT NULL,
    requested_at         timestamptz NOT NULL,
    attempts             integer     NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL,
    done_at              timestamptz NULL
);
CREATE UNIQUE INDEX customer_deletions_customer ON customer_deletions (provider_customer_id);
CREATE INDEX customer_deletions_due ON customer_deletions (next_attempt_at) WHERE done_at IS NULL;
