-- The hourly cleanup deletes inbox rows older than Messaging:InboxRetention; this keeps it from scanning the table.
CREATE INDEX inbox_messages_processed_at ON inbox_messages (processed_at);
