-- The catalogue's COUNT (and a page's ids) are read from this index alone: at 1,000,000 events an
-- index-only scan reads 56 MB instead of the 1.2 GB table (bench/README.md). Same key and predicate
-- as 0001's index, plus the two columns the anonymous catalogue filters on.
DROP INDEX community_events_catalogue;
CREATE INDEX community_events_catalogue ON community_events (starts_at, id) INCLUDE (ends_at, visibility) WHERE status = 'published';
