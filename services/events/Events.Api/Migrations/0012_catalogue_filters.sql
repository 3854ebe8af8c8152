-- The catalogue's page and bounded total read from an index alone for the filters it takes (bench/README.md): the
-- catalogue index carries interest, type, price and country; city and country have their own, covering what they filter.
-- city is included beside lower(city): PostgreSQL reads an index only when it holds the columns a query names.
DROP INDEX community_events_catalogue;
CREATE INDEX community_events_catalogue ON community_events (starts_at, id)
    INCLUDE (ends_at, visibility, interests, event_type, price_cents, country) WHERE status = 'published';
DROP INDEX community_events_city;
CREATE INDEX community_events_city ON community_events (lower(city), starts_at)
    INCLUDE (id, ends_at, visibility, interests, city) WHERE status = 'published';
CREATE INDEX community_events_country ON community_events (country, starts_at) INCLUDE (id, ends_at, visibility) WHERE status = 'published';
