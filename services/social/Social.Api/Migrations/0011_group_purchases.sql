-- Paid group memberships awaiting payment: the reference a checkout names (payments' purpose group_membership),
-- at the price asked when the 402 was answered. No foreign key to groups: a payment arriving for a group
-- deleted since must still find its purchase, to be refunded.
CREATE TABLE group_purchases (
    id          uuid        PRIMARY KEY,
    group_id    uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    price_cents bigint      NOT NULL CHECK (price_cents > 0),
    currency    text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- The payment that made the buyer a member; null while unpaid.
    payment_id  uuid        NULL,
    created_at  timestamptz NOT NULL,
    paid_at     timestamptz NULL
);
-- One open purchase per buyer, group and price: joining again answers the same reference.
CREATE UNIQUE INDEX group_purchases_open ON group_purchases (group_id, user_id, price_cents, currency) WHERE payment_id IS NULL;
CREATE INDEX group_purchases_user ON group_purchases (user_id);
