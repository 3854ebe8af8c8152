-- Files uploaded and never sent: the sweep finds those past their day, and an upload counts its uploader's.
CREATE INDEX attachments_unsent ON attachments (uploader_id, created_at) WHERE message_id IS NULL;
