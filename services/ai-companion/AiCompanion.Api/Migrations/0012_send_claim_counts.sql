-- What a send being answered has counted (its UTC day, and the bought session when the day's limit was reached), so
-- a retry that takes over the claim of a send whose process died gives that message back before counting its own.
-- Null: nothing counted yet (or a claim of an instance of the previous release, which the takeover cannot give back).
ALTER TABLE companion_sends ADD COLUMN counted_day date NULL, ADD COLUMN counted_session_id uuid NULL;
