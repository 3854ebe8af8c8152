-- When a refresh-token family's sign-in happened, copied to each rotation: a session lasts at most
-- Identity:SessionLifetime from it. Null on rows written before this column and by instances of the previous release
-- during a rolling update; for those the family's first row's created_at is the start, read when the row is rotated.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at timestamptz NULL;
