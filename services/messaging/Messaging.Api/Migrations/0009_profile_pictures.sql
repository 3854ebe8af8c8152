-- The picture shown beside a person's name in conversations, messages and threads: identity's profile_image_url as
-- the newest UserProfileUpdated carries it (an uploaded picture's address on identity, or a linked one). Rows made
-- before this column learn it from the person's next profile update.
ALTER TABLE user_profiles ADD COLUMN profile_image_url text NULL;
