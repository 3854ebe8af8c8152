-- Refunds of a referred member's payments heard of while the referral was still unconverted: PaymentRefunded and
-- PaymentSucceeded arrive on separate queues, so a payment's refund may be handled first. The payment, when it comes,
-- finds its refund here: refunded in full, it converts the referral revoked at once, as the other order would have.
-- total_refunded_cents is the highest running total heard of (refunds may arrive out of order too). Rows go when the
-- referral converts (nothing remembered can change it after that) or with the referral, never by age: a payment
-- replayed late from an error queue must still find its refund. What stays is a few rows per referred member who
-- never converts.
CREATE TABLE referral_refunds (
    payment_id           uuid        PRIMARY KEY,
    referred_user_id     uuid        NOT NULL REFERENCES referrals (referred_user_id) ON DELETE CASCADE,
    total_refunded_cents bigint      NOT NULL,
    refunded_at          timestamptz NOT NULL
);
CREATE INDEX referral_refunds_referred_user_id ON referral_refunds (referred_user_id);
