-- When a key's latest failure was counted: the back-off of an account's usual address runs from it.
ALTER TABLE login_failures ADD COLUMN last_failed_at timestamptz NULL;

-- Addresses each account has signed in from: failures there are slowed down, never locked out by others' guesses.
CREATE TABLE login_addresses (
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address           text        NOT NULL,
    last_succeeded_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, address)
);
