-- Stripe's refund webhooks (refund.updated, refund.failed) name the refund by its Stripe id.
CREATE UNIQUE INDEX refunds_provider_refund ON refunds (provider_refund_id) WHERE provider_refund_id IS NOT NULL;
-- Why the provider failed a refund (Stripe's failure_reason), for whoever has to reach the payer.
ALTER TABLE refunds ADD COLUMN failure_reason text NULL;
