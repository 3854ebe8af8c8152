-- Only a proven address or number belongs to one account: an unverified one claims nothing, so a
-- registration never reveals that an address has an account and nobody can pre-empt its owner.
DROP INDEX users_email_key;
DROP INDEX users_phone_key;
CREATE UNIQUE INDEX users_verified_email_key ON users (email) WHERE email_verified_at IS NOT NULL;
CREATE UNIQUE INDEX users_verified_phone_key ON users (phone) WHERE phone_verified_at IS NOT NULL;
-- Lookups of the (few) unverified accounts holding an address or number.
CREATE INDEX users_email ON users (email) WHERE email IS NOT NULL;
CREATE INDEX users_phone ON users (phone) WHERE phone IS NOT NULL;

-- Accounts now exist from registration on; the drafts waiting for a link are gone with their table
-- (their links were never followed: registering again creates the account).
DROP TABLE pending_registrations;

-- A link that proves an account's e-mail: one use, expiring, stored hashed, bound to the address it went to.
CREATE TABLE email_verification_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX email_verification_tokens_user_id ON email_verification_tokens (user_id);
CREATE INDEX email_verification_tokens_expires_at ON email_verification_tokens (expires_at);
