-- Pixel sizes read from each upload's header; NULL for photos stored before they were recorded (their files are not re-read).
ALTER TABLE event_photos
    ADD COLUMN width  integer NULL CHECK (width IS NULL OR width > 0),
    ADD COLUMN height integer NULL CHECK (height IS NULL OR height > 0),
    ADD CONSTRAINT event_photos_size_known_whole CHECK ((width IS NULL) = (height IS NULL));
