-- The end a payment's checkout session was asked for, fitted to the provider's window at its first attempt
-- (CheckoutService): a retry under the same idempotency key asks it again rather than one computed from its own
-- clock, which Stripe would refuse. Payments from before get theirs at their next attempt.
ALTER TABLE payments ADD COLUMN asked_expires_at timestamptz NULL;
