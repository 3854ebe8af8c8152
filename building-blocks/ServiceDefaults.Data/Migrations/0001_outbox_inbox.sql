-- Transactional outbox: written in the same transaction as the state change, published by OutboxDispatcher.
CREATE TABLE outbox_messages (
    sequence      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            uuid        NOT NULL UNIQUE,
    type          text        NOT NULL,
    payload       jsonb       NOT NULL,
    occurred_at   timestamptz NOT NULL,
    trace_parent  text        NULL,
    published_at  timestamptz NULL,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text        NULL
);
CREATE INDEX outbox_messages_unpublished ON outbox_messages (sequence) WHERE published_at IS NULL;

-- Inbox: one row per (message, consumer) handled, written in the consumer's transaction.
CREATE TABLE inbox_messages (
    message_id    uuid        NOT NULL,
    consumer      text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, consumer)
);
