-- The user projection is UserProfile in every service (docs/conventions.md): table user_profiles, deleted_at instead
-- of deleted, and a username that is null for a tombstone. Renamed in place, so the rows and their as_of stay.
ALTER TABLE users RENAME TO user_profiles;
ALTER INDEX users_pkey RENAME TO user_profiles_pkey;
ALTER TABLE user_profiles ADD COLUMN deleted_at timestamptz NULL;
UPDATE user_profiles SET deleted_at = as_of WHERE deleted;
ALTER TABLE user_profiles DROP COLUMN deleted;
ALTER TABLE user_profiles ALTER COLUMN username DROP NOT NULL;
UPDATE user_profiles SET username = NULL WHERE deleted_at IS NOT NULL;
