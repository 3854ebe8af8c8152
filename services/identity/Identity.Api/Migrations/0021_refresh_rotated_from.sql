-- The client address that rotated a refresh token: the same token sent again within Identity:RefreshRetryWindow is a
-- lost answer's retry only from there (anyone else sending it is a reuse, and ends the sign-in).
ALTER TABLE refresh_tokens ADD COLUMN rotated_from text;
