-- The caller's conversation with the companion: their messages and the companion's replies, one stream per user.
-- A user message and its reply are stored together once the reply exists (a failed reply stores nothing, so the
-- user sends again); seq orders the stream. The same client_txn_id again finds the first attempt (unique index).
CREATE TABLE companion_messages (
    id                uuid        PRIMARY KEY,
    user_id           uuid        NOT NULL,
    seq               bigint      GENERATED ALWAYS AS IDENTITY,
    role              text        NOT NULL CHECK (role IN ('user', 'assistant')),
    text              text        NOT NULL,
    client_txn_id     text        NULL,
    reply_to          uuid        NULL REFERENCES companion_messages (id) ON DELETE CASCADE,
    -- Which responder wrote a reply: 'model' or 'offline'; null for a user message.
    responder         text        NULL CHECK (responder IN ('model', 'offline')),
    prompt_tokens     integer     NULL,
    completion_tokens integer     NULL,
    created_at        timestamptz NOT NULL,
    CHECK ((role = 'user') = (client_txn_id IS NOT NULL)),
    CHECK ((role = 'assistant') = (reply_to IS NOT NULL))
);
CREATE UNIQUE INDEX companion_messages_txn ON companion_messages (user_id, client_txn_id) WHERE role = 'user';
CREATE INDEX companion_messages_history ON companion_messages (user_id, seq);
CREATE UNIQUE INDEX companion_messages_reply ON companion_messages (reply_to) WHERE reply_to IS NOT NULL;

-- What the user lets the companion know: share_profile is the consent to put the profile summary
-- (interests, region, identity badge) into the model's context; no row means no consent.
CREATE TABLE companion_settings (
    user_id       uuid        PRIMARY KEY,
    share_profile boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL
);
