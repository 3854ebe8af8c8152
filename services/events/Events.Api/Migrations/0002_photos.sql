-- Photos people took at an event; the image itself lives in the blob store under blob_key.
CREATE TABLE event_photos (
    id           uuid        PRIMARY KEY,
    event_id     uuid        NOT NULL REFERENCES community_events (id) ON DELETE CASCADE,
    uploaded_by  uuid        NOT NULL,
    blob_key     text        NOT NULL UNIQUE,
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
    caption      text        NULL CHECK (caption IS NULL OR char_length(caption) <= 500),
    created_at   timestamptz NOT NULL
);
-- An event's gallery is read newest first; a deleted account's photos are found by uploader.
CREATE INDEX event_photos_event ON event_photos (event_id, created_at DESC);
CREATE INDEX event_photos_uploader ON event_photos (uploaded_by);
