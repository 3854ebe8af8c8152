-- The user projection is user_profiles, as in every service: deleted becomes deleted_at (when the tombstone was
-- written), and username is null until identity's first event about the user (it was '' before).
ALTER TABLE users RENAME TO user_profiles;
ALTER TABLE user_profiles RENAME CONSTRAINT users_pkey TO user_profiles_pkey;
ALTER TABLE user_profiles RENAME CONSTRAINT users_tier_check TO user_profiles_tier_check;

ALTER TABLE user_profiles ADD COLUMN deleted_at timestamptz NULL;
UPDATE user_profiles SET deleted_at = as_of WHERE deleted;
ALTER TABLE user_profiles ALTER COLUMN username DROP NOT NULL, ALTER COLUMN username DROP DEFAULT;
UPDATE user_profiles SET username = NULL WHERE username = '';

-- The view and the fan-out indexes read deleted: rebuilt over deleted_at before it goes.
DROP VIEW activity_shown;
DROP INDEX users_region_lower;
DROP INDEX users_city_lower;
ALTER TABLE user_profiles DROP COLUMN deleted;

CREATE VIEW activity_shown AS
SELECT i.* FROM activity_items i
WHERE i.about_user_id IS NULL
   OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                   AND ((b.blocker_id = i.user_id AND b.blocked_id = i.about_user_id)
                        OR (b.blocker_id = i.about_user_id AND b.blocked_id = i.user_id)))
       AND NOT EXISTS (SELECT 1 FROM user_profiles u
                       WHERE u.user_id = i.about_user_id AND u.deleted_at IS NOT NULL));

CREATE INDEX user_profiles_region_lower ON user_profiles (lower(region)) WHERE deleted_at IS NULL;
CREATE INDEX user_profiles_city_lower ON user_profiles (lower(city)) WHERE deleted_at IS NULL;
