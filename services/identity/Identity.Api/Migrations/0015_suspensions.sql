-- An account suspended by an admin (directly or by resolving a report): it cannot sign in while
-- suspended_at is set and suspended_until is null (until lifted) or still ahead (compared at sign-in).
ALTER TABLE users ADD COLUMN suspended_at timestamptz NULL;
ALTER TABLE users ADD COLUMN suspended_until timestamptz NULL;
ALTER TABLE users ADD COLUMN suspension_reason text NULL;
