-- A connection's pair (user_low, user_high) is computed from two NOT NULL columns, so it is never null: the schema
-- says so, as the model does.
ALTER TABLE connections ALTER COLUMN user_low SET NOT NULL, ALTER COLUMN user_high SET NOT NULL;
