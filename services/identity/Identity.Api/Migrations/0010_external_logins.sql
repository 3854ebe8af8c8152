-- Sign-in with an outside OpenID Connect provider: one row per started sign-in (state, nonce and
-- PKCE verifier, single use and short-lived), the accounts linked to a provider's subject, and the
-- one-time codes a client exchanges for its tokens (tokens never travel in a URL).
CREATE TABLE external_login_states (
    state_hash    bytea       PRIMARY KEY,
    provider      text        NOT NULL,
    nonce         text        NOT NULL,
    code_verifier text        NOT NULL,
    client_redirect_uri text  NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX external_login_states_expires_at ON external_login_states (expires_at);

CREATE TABLE external_logins (
    provider   text        NOT NULL,
    subject    text        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX external_logins_user_id ON external_logins (user_id);

CREATE TABLE external_login_codes (
    code_hash  bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created    boolean     NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX external_login_codes_expires_at ON external_login_codes (expires_at);
