-- Stripe's last reported amount_refunded of a payment and its event's time
-- (PaymentBook.RecordReportedRefundTotalAsync): read again when one of our requested refunds, left out of that
-- report's count, fails or is given up, so a refund made meanwhile from Stripe's dashboard is counted then.
ALTER TABLE payments ADD COLUMN reported_refunded_cents bigint NULL;
ALTER TABLE payments ADD COLUMN refund_reported_at timestamptz NULL;
