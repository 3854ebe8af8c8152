-- Conversations of three kinds: direct (two connected people, one per pair), thread (in a group, open to its
-- members) and event_chat (one per event, open to its confirmed attendees and its organizer).
CREATE TABLE conversations (
    id               uuid        PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('direct', 'thread', 'event_chat')),
    direct_low       uuid        NULL,
    direct_high      uuid        NULL,
    group_id         uuid        NULL,
    event_id         uuid        NULL,
    -- The event's organizer (who may delete others' messages there), or a thread's author.
    owner_id         uuid        NULL,
    created_by       uuid        NULL,
    last_seq         bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    last_activity_at timestamptz NOT NULL,
    closed           boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL,
    CHECK ((kind = 'direct') = (direct_low IS NOT NULL AND direct_high IS NOT NULL)),
    CHECK (direct_high > direct_low),
    CHECK (kind <> 'thread' OR group_id IS NOT NULL),
    CHECK ((kind = 'event_chat') = (event_id IS NOT NULL))
);
CREATE UNIQUE INDEX conversations_direct_pair ON conversations (direct_low, direct_high) WHERE kind = 'direct';
CREATE UNIQUE INDEX conversations_event ON conversations (event_id) WHERE kind = 'event_chat';
CREATE INDEX conversations_group ON conversations (group_id, last_activity_at DESC) WHERE kind = 'thread';

-- A member's state in a conversation: how far they read, whether it is muted. For an event chat, active
-- follows the registration (a cancelled RSVP leaves); role is organizer or attendee there, else member.
CREATE TABLE conversation_members (
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('member', 'organizer', 'attendee')),
    active          boolean     NOT NULL DEFAULT true,
    read_seq        bigint      NOT NULL DEFAULT 0 CHECK (read_seq >= 0),
    muted           boolean     NOT NULL DEFAULT false,
    joined_at       timestamptz NOT NULL,
    as_of           timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
-- The caller's conversation list (newest activity first) starts from here.
CREATE INDEX conversation_members_user ON conversation_members (user_id, conversation_id) WHERE active;

-- Messages, numbered per conversation by the database (conversations.last_seq, under its row lock).
-- A deleted message stays as a tombstone with its seq, its text and attachments cleared.
CREATE TABLE messages (
    id              uuid        PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint      NOT NULL CHECK (seq > 0),
    sender_id       uuid        NOT NULL,
    text            text        NOT NULL,
    reply_to        uuid        NULL,
    attachment_ids  uuid[]      NOT NULL DEFAULT '{}',
    client_txn_id   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    edited_at       timestamptz NULL,
    deleted_at      timestamptz NULL,
    search          tsvector    GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
    UNIQUE (conversation_id, seq),
    -- A retried send (same client_txn_id) finds the message its first attempt made.
    UNIQUE (sender_id, client_txn_id)
);
CREATE INDEX messages_search ON messages USING gin (search);
CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL;

-- Files uploaded to a conversation; a message may carry those its sender uploaded there, each once.
CREATE TABLE attachments (
    id              uuid        PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    uploader_id     uuid        NOT NULL,
    message_id      uuid        NULL,
    blob_key        text        NOT NULL,
    content_type    text        NOT NULL,
    file_name       text        NULL,
    size_bytes      bigint      NOT NULL CHECK (size_bytes > 0),
    created_at      timestamptz NOT NULL
);
CREATE INDEX attachments_conversation ON attachments (conversation_id, uploader_id);
