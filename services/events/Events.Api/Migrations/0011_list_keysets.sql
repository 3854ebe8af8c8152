-- Photo pages are read newest first with the id breaking ties, by offset or by cursor ((created_at, id) < position):
-- the index carries the whole order, so a cursor page is one seek and the bounded total an index-only count.
DROP INDEX event_photos_event;
CREATE INDEX event_photos_event ON event_photos (event_id, created_at DESC, id DESC);

-- The earliest start among events going on now, where the catalogue's scan begins (CatalogueQueries): found without
-- stepping over the month of events that already ended.
CREATE INDEX community_events_ongoing ON community_events USING gist (tstzrange(starts_at, ends_at)) WHERE status = 'published';
