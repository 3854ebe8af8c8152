-- Two-factor sign-in (TOTP, RFC 6238): the encrypted secret per user (pending until confirmed), one-time
-- recovery codes stored as hashes, and the challenges a login with the right password waits on.
CREATE TABLE two_factor_secrets (
    user_id        uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    enabled_at     timestamptz NULL,
    last_used_step bigint      NULL
);

CREATE TABLE two_factor_recovery_codes (
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea       NOT NULL,
    used_at   timestamptz NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE two_factor_challenges (
    challenge_hash bytea       PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempts       integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX two_factor_challenges_user_id ON two_factor_challenges (user_id);
CREATE INDEX two_factor_challenges_expires_at ON two_factor_challenges (expires_at);
