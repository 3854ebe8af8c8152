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
-- it always did; its grant is here already). Those already refunded in full had their days taken back, or never
-- added: nothing is left to take.
INSERT INTO boost_grants (payment_id, user_id, days, granted_at, taken_back_at)
SELECT id, user_id, product::integer, COALESCE(succeeded_at, updated_at),
       CASE WHEN status = 'refunded' THEN updated_at END
FROM payments
WHERE purpose = 'boost' AND status IN ('succeeded', 'partially_refunded', 'refunded')
    AND product ~ '^[1-9][0-9]{0,5}$';
