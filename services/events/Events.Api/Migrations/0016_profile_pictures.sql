-- The picture shown beside an attendee's name at the door: identity's profile_image_url as the newest
-- UserProfileUpdated carries it (an uploaded picture's address on identity, or a linked one). Rows made before this
-- column learn it from the person's next profile update; a deleted user's row has none.
ALTER TABLE user_profiles ADD COLUMN profile_image_url text NULL;
ALTER TABLE user_profiles ADD CHECK (deleted_at IS NULL OR profile_image_url IS NULL);
