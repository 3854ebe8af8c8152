-- The billing period (days) a subscription checkout sold, as the provider was told it, and the one the subscription
-- now runs on: what the purchase delivers and what its later webhooks and refunds are judged by, whatever the tiers'
-- configuration says by then (a tier taken off sale, a period changed). NULL on rows from before this file: those are
-- read with the configuration of the day, as they always were.
-- First shipped as 0013_subscription_periods (a number already taken): a database that applied it under that name
-- has the columns, so they are added only where missing.
ALTER TABLE payments ADD COLUMN IF NOT EXISTS period_days integer NULL CHECK (period_days BETWEEN 1 AND 365);
ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS period_days integer NULL CHECK (period_days BETWEEN 1 AND 365);
