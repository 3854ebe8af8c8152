-- Referral conversions identity announced (ReferralConverted): one per referred user, so a referrer's
-- conversions are counted here and a re-sent announcement counts once.
CREATE TABLE referral_conversions (
    referred_user_id  uuid        PRIMARY KEY,
    referrer_user_id  uuid        NOT NULL,
    payment_id        uuid        NOT NULL,
    converted_at      timestamptz NOT NULL
);
CREATE INDEX referral_conversions_referrer ON referral_conversions (referrer_user_id);

-- Tier rewards for reaching a number of conversions (5: three months of elite, 10: elite for life),
-- each granted once by publishing SubscriptionChanged; the subscription itself lives elsewhere.
CREATE TABLE referral_rewards (
    referrer_user_id    uuid        NOT NULL,
    conversions         integer     NOT NULL CHECK (conversions > 0),
    tier                text        NOT NULL,
    -- Null: for life.
    current_period_end  timestamptz NULL,
    event_id            uuid        NOT NULL,
    granted_at          timestamptz NOT NULL,
    PRIMARY KEY (referrer_user_id, conversions)
);
