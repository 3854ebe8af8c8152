-- The dispatcher's hourly cleanup deletes the rows published more than a week ago (OutboxDispatcher.CleanUpAsync);
-- without an index on when they went it read the whole week's table every hour to find them.
CREATE INDEX outbox_messages_published_at ON outbox_messages (published_at) WHERE published_at IS NOT NULL;
