-- Expired one-time secrets and the refresh tokens of sessions that are over are deleted by a sweep (ExpiredCredentials)
-- that finds them by their expiry: the two tables that had no index on it get one.
CREATE INDEX password_reset_tokens_expires_at ON password_reset_tokens (expires_at);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
