-- When the provider captured a payment's money, as its event says (PaymentBook.Capture): a member's purchases are
-- ordered by it, not by when their webhooks were handled here. Payments from before were captured when recorded.
ALTER TABLE payments ADD COLUMN captured_at timestamptz NULL;
UPDATE payments SET captured_at = succeeded_at WHERE succeeded_at IS NOT NULL;
