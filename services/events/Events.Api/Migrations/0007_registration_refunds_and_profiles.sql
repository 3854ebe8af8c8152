-- What was refunded of a registration's payment (PaymentRefunded's running total), so event stats
-- report revenue net of refunds; refunds_as_of orders the messages (a later total wins, even a lower one).
ALTER TABLE registrations
    ADD COLUMN refunded_cents bigint      NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    ADD COLUMN refunds_as_of  timestamptz NULL;
-- Registrations refunded before this column existed were refunded in full.
UPDATE registrations SET refunded_cents = amount_cents WHERE status = 'refunded' AND payment_id IS NOT NULL;

-- Display names of users, projected from identity's UserRegistered / UserProfileUpdated / UserDeleted
-- (events never calls identity). as_of orders the messages; a deleted user keeps a nameless row
-- (deleted_at set) so a late profile message cannot bring the name back.
CREATE TABLE user_profiles (
    user_id     uuid        PRIMARY KEY,
    username    text        NULL,
    full_name   text        NULL,
    as_of       timestamptz NOT NULL,
    deleted_at  timestamptz NULL,
    CHECK (deleted_at IS NULL OR (username IS NULL AND full_name IS NULL))
);
