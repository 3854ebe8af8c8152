-- The tier each user is entitled to, combining every source (a paid subscription, referral rewards),
-- as last published in SubscriptionChanged: the one row a user's tier changes are serialised on.
CREATE TABLE memberships (
    user_id     uuid        PRIMARY KEY,
    tier        text        NOT NULL CHECK (tier IN ('free', 'premium', 'elite')),
    -- Null with a paid tier: for life.
    tier_until  timestamptz NULL,
    source      text        NOT NULL CHECK (source IN ('none', 'subscription', 'referral')),
    -- When a timed referral reward lapses: the tier is worked out again then.
    review_at   timestamptz NULL,
    updated_at  timestamptz NOT NULL,
    CHECK ((tier = 'free') = (source = 'none'))
);
CREATE INDEX memberships_review ON memberships (review_at) WHERE review_at IS NOT NULL;
-- Users with a tier from before memberships existed: what they were last told, reviewed at the
-- next sweep (which publishes only if the combined tier differs).
INSERT INTO memberships (user_id, tier, tier_until, source, review_at, updated_at)
SELECT user_id, tier, current_period_end, 'subscription', now(), now() FROM subscriptions WHERE tier <> 'free';
INSERT INTO memberships (user_id, tier, tier_until, source, review_at, updated_at)
SELECT DISTINCT referrer_user_id, 'elite', NULL::timestamptz, 'referral', now(), now() FROM referral_rewards
ON CONFLICT (user_id) DO NOTHING;

-- A conversion whose payment was refunded in full no longer counts, nor do the rewards it reached.
ALTER TABLE referral_conversions ADD COLUMN revoked_at timestamptz NULL;
ALTER TABLE referral_rewards ADD COLUMN revoked_at timestamptz NULL;
-- Memberships publish SubscriptionChanged now; a reward no longer maps to one event.
ALTER TABLE referral_rewards DROP COLUMN event_id;
CREATE INDEX referral_conversions_payment ON referral_conversions (payment_id);

-- A clawback takes a grant back (what earned it was refunded): user account -> platform:grants,
-- naming the grant it takes back, once per grant.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'credit_transactions'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%reversal%'
    LOOP
        EXECUTE format('ALTER TABLE credit_transactions DROP CONSTRAINT %I', c.conname);
    END LOOP;
END
$$;
ALTER TABLE credit_transactions ADD CONSTRAINT credit_transactions_kind
    CHECK (kind IN ('grant', 'spend', 'reversal', 'clawback'));
ALTER TABLE credit_transactions ADD CONSTRAINT credit_transactions_compensation
    CHECK ((kind IN ('reversal', 'clawback')) = (reverses_transaction_id IS NOT NULL));
