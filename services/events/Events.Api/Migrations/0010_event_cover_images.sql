-- An uploaded cover's blob key; NULL when cover_image_url is an address the organizer gave (or there is no cover).
ALTER TABLE community_events ADD COLUMN cover_image_key text NULL;
