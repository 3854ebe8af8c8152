-- The send path with safety wired in: a reply the safety protocol wrote instead of a responder.
-- responder 'safety': the text is the crisis message or a refusal (on the user's message, or replacing the model's reply).
-- safety: 'crisis' or 'refusal' on such replies, so history and replays show what the client was shown and why.
-- reminder: the minors' break reminder that came with this reply (kept beside the text, never sent to the model).
ALTER TABLE companion_messages DROP CONSTRAINT companion_messages_responder_check;
ALTER TABLE companion_messages ADD CONSTRAINT companion_messages_responder_check CHECK (responder IN ('model', 'offline', 'safety'));
ALTER TABLE companion_messages ADD COLUMN safety text NULL CHECK (safety IN ('crisis', 'refusal'));
ALTER TABLE companion_messages ADD COLUMN reminder text NULL;
