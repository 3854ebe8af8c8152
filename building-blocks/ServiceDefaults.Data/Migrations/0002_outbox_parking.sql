-- Rows that can never be published (their event type no longer exists) are parked instead of blocking the rest.
ALTER TABLE outbox_messages ADD COLUMN failed_at timestamptz NULL;
DROP INDEX outbox_messages_unpublished;
CREATE INDEX outbox_messages_unpublished ON outbox_messages (sequence) WHERE published_at IS NULL AND failed_at IS NULL;
