-- The credits ledger, double entry: every transaction moves credits between two accounts (a user's,
-- "user:<id>", and a platform counter account such as "platform:grants" or "platform:spending"),
-- its entries sum to zero, and nothing is ever edited or deleted: a mistake is undone by a
-- compensating transaction. A user's balance is the sum of their entries, never a stored number.

-- One row per user with credits: locked (SELECT ... FOR UPDATE) so one user's transactions run one
-- at a time and a balance checked before a spend cannot change before it is written.
CREATE TABLE credit_accounts (
    user_id     uuid        PRIMARY KEY,
    created_at  timestamptz NOT NULL
);

CREATE TABLE credit_transactions (
    -- The id of the CreditsGranted or CreditsSpent event it published (a spend's id is what events confirms with).
    id                      uuid        PRIMARY KEY,
    user_id                 uuid        NOT NULL,
    kind                    text        NOT NULL CHECK (kind IN ('grant', 'spend', 'reversal')),
    amount                  bigint      NOT NULL CHECK (amount > 0),
    reason                  text        NOT NULL,
    purpose                 text        NULL,
    reference_id            uuid        NULL,
    -- The same key again answers this transaction instead of applying a second one.
    idempotency_key         text        NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 400),
    -- A reversal names the spend it pays back; a spend is paid back at most once.
    reverses_transaction_id uuid        NULL UNIQUE REFERENCES credit_transactions (id),
    created_at              timestamptz NOT NULL,
    CHECK ((kind = 'reversal') = (reverses_transaction_id IS NOT NULL)),
    CHECK (kind = 'grant' OR (purpose IS NOT NULL AND reference_id IS NOT NULL))
);
CREATE INDEX credit_transactions_spends ON credit_transactions (user_id, purpose, reference_id) WHERE kind = 'spend';

CREATE TABLE credit_entries (
    -- Insertion order; one user's entries are written under their account lock, so it is their order too.
    sequence        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  uuid        NOT NULL REFERENCES credit_transactions (id),
    account         text        NOT NULL,
    -- Set on user accounts (the account is then 'user:' || user_id); null on platform accounts.
    user_id         uuid        NULL,
    amount          bigint      NOT NULL CHECK (amount <> 0),
    created_at      timestamptz NOT NULL,
    CHECK ((user_id IS NOT NULL AND account = 'user:' || user_id::text) OR (user_id IS NULL AND account LIKE 'platform:%'))
);
CREATE INDEX credit_entries_user ON credit_entries (user_id, sequence DESC) INCLUDE (amount) WHERE user_id IS NOT NULL;
CREATE INDEX credit_entries_transaction ON credit_entries (transaction_id);

-- Checked at commit, when all of a transaction's entries are written: two entries summing to zero.
CREATE FUNCTION credit_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx uuid;
    total bigint;
    legs bigint;
BEGIN
    IF TG_TABLE_NAME = 'credit_entries' THEN
        tx := NEW.transaction_id;
    ELSE
        tx := NEW.id;
    END IF;
    SELECT coalesce(sum(amount), 0), count(*) INTO total, legs FROM credit_entries WHERE transaction_id = tx;
    IF total <> 0 OR legs <> 2 THEN
        RAISE EXCEPTION 'credit transaction % has % entries summing to %; it needs two summing to zero', tx, legs, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER credit_entries_balanced AFTER INSERT ON credit_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION credit_transaction_balanced();
CREATE CONSTRAINT TRIGGER credit_transactions_balanced AFTER INSERT ON credit_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION credit_transaction_balanced();

CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: correct it with a compensating transaction', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER credit_transactions_append_only BEFORE UPDATE OR DELETE ON credit_transactions
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
CREATE TRIGGER credit_transactions_no_truncate BEFORE TRUNCATE ON credit_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_append_only();
CREATE TRIGGER credit_entries_no_truncate BEFORE TRUNCATE ON credit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_append_only();
