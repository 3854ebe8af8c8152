-- What a person is shown of their notifications (0010), and now none about a thread hidden from them by a block with
-- its author, either way (ConversationAccess): what was said in it leads to a page they cannot open, nor clear by
-- reading, and the digest would mail it. The group's owner and moderators still see the thread, and so these. An
-- unblock shows them again. The columns stay those of notifications.
CREATE OR REPLACE VIEW notifications_shown AS
SELECT n.* FROM notifications n
WHERE (n.actor_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                      AND ((b.blocker_id = n.user_id AND b.blocked_id = n.actor_id)
                           OR (b.blocker_id = n.actor_id AND b.blocked_id = n.user_id))))
  AND NOT (n.kind = 'message_received'
           AND EXISTS (SELECT 1 FROM threads t JOIN blocks tb ON tb.blocked
                           AND ((tb.blocker_id = n.user_id AND tb.blocked_id = t.author_id)
                                OR (tb.blocker_id = t.author_id AND tb.blocked_id = n.user_id))
                       WHERE t.id = n.subject_id
                         AND NOT EXISTS (SELECT 1 FROM group_members g
                                         WHERE g.group_id = t.group_id AND g.user_id = n.user_id AND g.active
                                           AND g.role IN ('owner', 'moderator'))));
