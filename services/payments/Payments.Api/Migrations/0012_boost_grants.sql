-- The days each boost payment added, so a full refund takes back what that payment gave and nothing else: not the
-- days of another payment when this one was refunded before it was delivered (it added none), and not twice when a
-- refund failed at the provider and a second one went through. taken_back_at: when its refund took the days back.
CREATE TABLE boost_grants (
    payment_id    uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    days          integer     NOT NULL CHECK (days > 0),
    granted_at    timestamptz NOT NULL,
    taken_back_at timestamptz NULL
);

-- Boost payments paid before this file, taken as delivered (a delivery still queued adds its days when it runs, as
-- it always did; its grant is here already). Those refunded in full whose refund the take-back consumer already
-- handled had their days taken back; a refund still queued finds its grant open and takes them when it runs.
INSERT INTO boost_grants (payment_id, user_id, days, granted_at, taken_back_at)
SELECT p.id, p.user_id, p.product::integer, COALESCE(p.succeeded_at, p.updated_at),
       CASE WHEN p.status = 'refunded' AND EXISTS (
           SELECT 1 FROM inbox_messages i JOIN outbox_messages o ON o.id = i.message_id
           WHERE i.consumer LIKE '%.BoostRefundedConsumer' AND o.type LIKE '%.PaymentRefunded,%'
               AND o.payload->>'paymentId' = p.id::text
       ) THEN p.updated_at END
FROM payments p
WHERE p.purpose = 'boost' AND p.status IN ('succeeded', 'partially_refunded', 'refunded')
    AND p.product ~ '^[1-9][0-9]{0,5}$';
