-- When Stripe created the newest event applied to a subscription: an older one delivered late (Stripe retries a failed
-- delivery for days, in no particular order) no longer overwrites what a newer one said.
ALTER TABLE subscriptions ADD COLUMN provider_event_at timestamptz;
