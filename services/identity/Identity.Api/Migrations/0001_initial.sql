CREATE TABLE users (
    id                  uuid        PRIMARY KEY,
    username            text        NOT NULL,
    email               text        NULL,
    phone               text        NULL,
    password_hash       text        NOT NULL,
    role                text        NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'organizer', 'admin')),
    tier                text        NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'premium', 'elite')),
    full_name           text        NULL,
    bio                 text        NULL,
    region              text        NULL,
    city                text        NULL,
    country             text        NULL,
    gender              text        NULL,
    date_of_birth       date        NULL,
    interests           text[]      NOT NULL DEFAULT '{}',
    languages           text[]      NOT NULL DEFAULT '{}',
    profile_image_url   text        NULL,
    linkedin_url        text        NULL,
    github_url          text        NULL,
    identity_badge      text        NULL,
    referral_code       text        NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
-- Identifiers are stored normalised (lower-case username and e-mail, E.164 phone), so plain unique indexes suffice.
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_referral_code_key ON users (referral_code);

-- One row per refresh token; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id           uuid        PRIMARY KEY,
    family_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    rotated_at   timestamptz NULL,
    revoked_at   timestamptz NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE password_reset_tokens (
    token_hash   bytea       PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz NULL
);

CREATE TABLE referrals (
    referred_user_id  uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    referrer_user_id  uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL,
    converted_at      timestamptz NULL
);
CREATE INDEX referrals_referrer ON referrals (referrer_user_id);

CREATE TABLE waitlist_entries (
    sequence     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text        NOT NULL UNIQUE,
    source       text        NULL,
    created_at   timestamptz NOT NULL
);

-- ES256 signing keys, generated at first run; public halves stay in the JWKS until their tokens expire.
CREATE TABLE signing_keys (
    kid          text        PRIMARY KEY,
    private_key  bytea       NOT NULL,
    created_at   timestamptz NOT NULL
);

-- Failed logins per account and per IP, in fixed windows.
CREATE TABLE login_failures (
    key               text        PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    failures          integer     NOT NULL
);
