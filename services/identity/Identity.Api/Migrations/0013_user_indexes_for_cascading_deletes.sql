-- Deleting an account cascades to these tables: an index on user_id spares each deletion a full scan.
CREATE INDEX password_reset_tokens_user_id ON password_reset_tokens (user_id);
CREATE INDEX external_login_codes_user_id ON external_login_codes (user_id);
