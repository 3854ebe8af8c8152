-- A refund is recorded as requested (its amount reserved) and committed before the provider is asked.
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check CHECK (status IN ('requested', 'pending', 'succeeded', 'failed'));
-- RefundIntentRecovery finds the requests nobody finished (a crash, an unanswered call).
CREATE INDEX refunds_requested ON refunds (created_at) WHERE status = 'requested';
