-- A member manages the outside sign-ins linked to the account. A signed-in client asks for a link ticket (hashed,
-- single use, short-lived, the account's); a start with intent=link and that ticket signs nobody in: its callback hands
-- the client a one-time link code (hashed, single use, short-lived, still the ticket's account's) that the same
-- account's client posts to link the provider's subject to it. Rows written by the previous release during a rolling
-- update are sign-ins.
ALTER TABLE external_login_states ADD COLUMN intent text NOT NULL DEFAULT 'sign_in';
ALTER TABLE external_login_states ADD COLUMN link_user_id uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX external_login_states_link_user_id ON external_login_states (link_user_id);

CREATE TABLE external_login_link_tickets (
    ticket_hash bytea       PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider    text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX external_login_link_tickets_expires_at ON external_login_link_tickets (expires_at);
CREATE INDEX external_login_link_tickets_user_id ON external_login_link_tickets (user_id);

CREATE TABLE external_login_link_codes (
    code_hash  bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider   text        NOT NULL,
    subject    text        NOT NULL,
    email      text        NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX external_login_link_codes_user_id ON external_login_link_codes (user_id);
CREATE INDEX external_login_link_codes_expires_at ON external_login_link_codes (expires_at);

-- A provider the member unlinked: a sign-in with it by the account's verified e-mail no longer links it again (only
-- linking it on purpose, from the account's settings, does, and clears the row).
CREATE TABLE external_login_opt_outs (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider   text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, provider)
);
