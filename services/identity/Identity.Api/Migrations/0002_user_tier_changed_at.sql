-- When the subscription change behind users.tier happened (payments' SubscriptionChanged.OccurredAt):
-- changes may arrive out of order, and an older one must not undo a newer one.
ALTER TABLE users ADD COLUMN tier_changed_at timestamptz NULL;
