-- What a deleted account's paid tickets brought in, kept without whom they were for when its registrations are
-- erased (the money stayed with the organizer, or went back through a refund that lands here later), and the
-- arrivals its registrations counted, so an event's stats do not lose them.
CREATE TABLE erased_tickets (
    payment_id       uuid        PRIMARY KEY,
    registration_id  uuid        NOT NULL,
    event_id         uuid        NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
    currency         text        NULL,
    amount_cents     bigint      NOT NULL,
    refunded_cents   bigint      NOT NULL,
    refunds_as_of    timestamptz NULL
);
CREATE INDEX erased_tickets_event ON erased_tickets (event_id);

ALTER TABLE community_events ADD COLUMN erased_arrivals integer NOT NULL DEFAULT 0;
