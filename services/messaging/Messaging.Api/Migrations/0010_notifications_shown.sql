-- What a person is shown of their notifications: none whose actor is in a block with them, either way. The list, the
-- unread counts and the digest read this view, so a block made after a notification hides it too, and an unblock
-- shows it again (the consumers also tell nobody across a block that stands when the event arrives).
-- Its columns are those of notifications now: a later migration that changes that table drops and creates it again.
CREATE VIEW notifications_shown AS
SELECT n.* FROM notifications n
WHERE n.actor_id IS NULL
   OR NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                  AND ((b.blocker_id = n.user_id AND b.blocked_id = n.actor_id)
                       OR (b.blocker_id = n.actor_id AND b.blocked_id = n.user_id)));
