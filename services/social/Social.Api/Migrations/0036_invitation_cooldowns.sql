-- A declined invitation starts a wait too (kind invitation; asker: the group, target: the person invited), so a group
-- does not notify someone who said no on every turn.
ALTER TABLE request_cooldowns
    DROP CONSTRAINT request_cooldowns_kind_check,
    ADD CONSTRAINT request_cooldowns_kind_check CHECK (kind IN ('connection', 'group', 'invitation'));
