-- What a send being answered has counted (its UTC day, and the bought session when the day's limit was reached), so
-- a retry that takes over the claim of a send whose process died gives that message back before counting its own.
-- Null: nothing counted (or a claim of an instance of the previous release, which a takeover cannot give back).
-- Whoever ends a claim without storing its reply gives back what it counted: the send itself on a failure (only while
-- it still holds the claim), or the takeover.
ALTER TABLE companion_sends ADD COLUMN counted_day date NULL, ADD COLUMN counted_session_id uuid NULL;
-- Forgetting the conversation marks the claims of replies being written instead of deleting them: the store keeps
-- nothing of a marked claim, and the send still ends its claim itself, giving its message back or not as on any
-- failure. (An instance of the previous release still deletes them, and stores without looking at the mark.)
ALTER TABLE companion_sends ADD COLUMN forgotten boolean NOT NULL DEFAULT false;
