-- What a clawback could not take because the grant's credits were already spent. Before, the shortfall was forgotten,
-- so a spend reversed after the refund gave the refunded credits back. Now a reversal settles the user's debts first
-- (oldest first), each settlement a clawback naming the reversal. Rows stay with the ledger, as the ledger does.
CREATE TABLE credit_debts (
    grant_id    uuid        PRIMARY KEY REFERENCES credit_transactions (id),
    user_id     uuid        NOT NULL,
    owed        bigint      NOT NULL CHECK (owed >= 0),
    created_at  timestamptz NOT NULL
);
CREATE INDEX credit_debts_owing ON credit_debts (user_id, created_at) WHERE owed > 0;
