-- Verification (seed 004's is_verified): when an account's e-mail and phone were last proven to
-- be its owner's. Accounts from before are unverified: their e-mail was never confirmed by link.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz NULL;
ALTER TABLE users ADD COLUMN phone_verified_at timestamptz NULL;

-- The one live phone code of an account (a new code replaces it), with its sends counted per window.
CREATE TABLE phone_verification_codes (
    user_id           uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phone             text        NOT NULL,
    code_hash         bytea       NOT NULL,
    expires_at        timestamptz NOT NULL,
    attempts          integer     NOT NULL DEFAULT 0,
    last_sent_at      timestamptz NOT NULL,
    window_started_at timestamptz NOT NULL,
    sends_in_window   integer     NOT NULL DEFAULT 0
);
