-- A registration with an e-mail waits here until the address's owner confirms it, so the answer
-- to a registration never tells whether an address already has an account.
CREATE TABLE pending_registrations (
    token_hash    bytea       PRIMARY KEY,
    username      text        NOT NULL,
    email         text        NOT NULL,
    phone         text        NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL,
    full_name     text        NULL,
    referrer_id   uuid        NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX pending_registrations_expires_at ON pending_registrations (expires_at);

-- A waitlist place is shown only to the holder of the token given (and mailed) at joining.
ALTER TABLE waitlist_entries ADD COLUMN status_token_hash bytea NULL UNIQUE;
