-- Money Stripe took back for a dispute (charge.dispute.funds_withdrawn), one row per dispute: it counts in the
-- payment's refunded total once, however often and under whichever event id the dispute is reported.
-- reinstated_at: when Stripe gave it back (charge.dispute.funds_reinstated); what it took back stays taken.
CREATE TABLE chargebacks (
    dispute_id    text        PRIMARY KEY,
    payment_id    uuid        NOT NULL REFERENCES payments (id),
    amount_cents  bigint      NOT NULL,
    withdrawn_at  timestamptz NOT NULL,
    reinstated_at timestamptz NULL
);
