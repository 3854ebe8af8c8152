-- A thread's title as of its latest change (messaging's NewThread, then ThreadRenamed): a change handled late keeps a
-- newer one. Rows from before have none, and any change replaces their title.
ALTER TABLE feed_threads ADD COLUMN title_as_of timestamptz NULL;
