-- Who is connected to the chat hub, shared by every messaging instance (SignalR's own state is per instance):
-- a row per open hub connection, and the conversations it joined. Presence (online/offline), notifications
-- for people not looking at a conversation, and the daily digest read these. instance_id names the messaging
-- instance holding the connection, so an instance that restarts clears its own leftovers; last_seen_at is
-- refreshed while the connection lives, so rows of an instance that died without cleaning up can be swept.
CREATE TABLE hub_connections (
    connection_id text        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    instance_id   text        NOT NULL,
    connected_at  timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX hub_connections_user ON hub_connections (user_id);
CREATE INDEX hub_connections_instance ON hub_connections (instance_id);

CREATE TABLE hub_joins (
    connection_id   text NOT NULL REFERENCES hub_connections (connection_id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    PRIMARY KEY (connection_id, conversation_id)
);
CREATE INDEX hub_joins_conversation ON hub_joins (conversation_id);

-- When each user was last connected (their last connection closed then); NULL while online or never seen.
-- The digest mails people whose last_offline_at is a day old.
CREATE TABLE user_presence (
    user_id         uuid        PRIMARY KEY,
    last_offline_at timestamptz NULL,
    online          boolean     NOT NULL DEFAULT false
);
