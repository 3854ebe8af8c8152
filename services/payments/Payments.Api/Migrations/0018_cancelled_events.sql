-- Events whose cancellation payments has heard of: a seat's hold told after it (a message retried, or delivered out
-- of order) is remembered as already ended, not put up for sale again.
CREATE TABLE cancelled_events (
    event_id     uuid        PRIMARY KEY,
    cancelled_at timestamptz NOT NULL
);
