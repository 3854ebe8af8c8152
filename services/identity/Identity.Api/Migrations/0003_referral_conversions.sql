-- The payment that converted a referral (the referred member's first paid purchase); converted_at says when.
ALTER TABLE referrals ADD COLUMN conversion_payment_id uuid NULL;
CREATE INDEX referrals_converted ON referrals (referrer_user_id) WHERE converted_at IS NOT NULL;
