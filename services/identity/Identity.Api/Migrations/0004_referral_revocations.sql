-- A conversion whose payment was refunded in full no longer counts (payments takes back its credits
-- and milestones the same way): the converting payment's amount tells a full refund from a partial one.
ALTER TABLE referrals
    ADD COLUMN conversion_amount_cents bigint      NULL,
    ADD COLUMN revoked_at              timestamptz NULL;
CREATE INDEX referrals_conversion_payment ON referrals (conversion_payment_id) WHERE conversion_payment_id IS NOT NULL;
