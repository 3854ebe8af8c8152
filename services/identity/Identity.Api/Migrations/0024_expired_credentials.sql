-- Expired one-time secrets and the refresh tokens of sign-ins that are over are deleted by a sweep
-- (ExpiredCredentials) that finds them by their expiry: reset links had no index on it, and a sign-in is found by its
-- newest token, the one never rotated. The refresh tokens of a large install were never deleted before: create that
-- index first with CREATE INDEX CONCURRENTLY (the same name and definition), so that this finds it and the table's
-- writes are not held while it is built.
CREATE INDEX IF NOT EXISTS password_reset_tokens_expires_at ON password_reset_tokens (expires_at);
CREATE INDEX IF NOT EXISTS refresh_tokens_newest_expires_at ON refresh_tokens (expires_at) WHERE rotated_at IS NULL;
