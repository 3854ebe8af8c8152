-- Refunds of a ticket's payment handled before its confirmation (each consumer has its own queue, so an admin's
-- partial refund or a partial chargeback can reach events while the registration is still held, with no payment
-- recorded on it yet). The running total is kept here and carried onto the registration when the payment confirms
-- it, so the organizer's revenue is net of it; the row goes then, or with its registration.
CREATE TABLE early_ticket_refunds (
    payment_id             uuid        PRIMARY KEY,
    registration_id        uuid        NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    total_refunded_cents   bigint      NOT NULL,
    as_of                  timestamptz NOT NULL
);
CREATE INDEX early_ticket_refunds_registration ON early_ticket_refunds (registration_id);
