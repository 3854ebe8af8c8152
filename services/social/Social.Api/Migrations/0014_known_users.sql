-- Writes need a user identity announced (known_users, a platform table): the users this service heard of before
-- known_users existed are known from its own projection.
INSERT INTO known_users (user_id) SELECT user_id FROM profiles ON CONFLICT DO NOTHING;
