-- Events began keeping blocks (its migration 0018_user_blocks) and knows only those announced since: every block
-- standing now is announced again (UserBlocked, through the outbox), as of when it was made. Every consumer keeps the
-- newest message per pair, so where it knows the pair already this changes nothing.
WITH standing AS (
    SELECT gen_random_uuid() AS id, blocker_id, blocked_id, created_at FROM blocks
)
INSERT INTO outbox_messages (id, type, payload, occurred_at)
SELECT id,
       'Community.Contracts.Social.UserBlocked, Community.Contracts',
       jsonb_build_object(
           'messageId', id,
           'occurredAt', created_at,
           'blockerUserId', blocker_id,
           'blockedUserId', blocked_id
       ),
       created_at
FROM standing
ORDER BY created_at;
