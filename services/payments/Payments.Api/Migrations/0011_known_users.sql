-- Writes need a user identity announced (known_users, a platform table). Payments keeps no projection of users:
-- those it heard of before known_users existed are the ones with an account, a payment, a subscription, a
-- membership or a boost here. A user registered earlier who never did any of these is not known here: in a
-- database older than this file, an operator adds them from identity's users (README, "Tokens").
INSERT INTO known_users (user_id)
SELECT user_id FROM credit_accounts
UNION SELECT user_id FROM payments
UNION SELECT user_id FROM subscriptions
UNION SELECT user_id FROM memberships
UNION SELECT user_id FROM boosts
ON CONFLICT DO NOTHING;
