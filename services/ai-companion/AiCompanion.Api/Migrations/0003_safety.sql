-- Safety (SB 243): what the crisis protocol and the filters did, and the minors' continuous use for break reminders.

-- One row per safety hit: who, where (the user's message or the model's reply), which category, when.
-- Never the text of any message: the event is for counting and for the user's own erasure, not for reading.
CREATE TABLE safety_events (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    stage       text        NOT NULL CHECK (stage IN ('input', 'output')),
    category    text        NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX safety_events_user ON safety_events (user_id);
CREATE INDEX safety_events_time ON safety_events (occurred_at, category);

-- A minor's current stretch of continuous use (messages at most 30 minutes apart) and the last break reminder in it.
-- Kept for users under 18 only (adults get no reminder, so their use is not tracked).
CREATE TABLE companion_use (
    user_id          uuid        PRIMARY KEY,
    continuous_since timestamptz NOT NULL,
    last_message_at  timestamptz NOT NULL,
    last_reminder_at timestamptz NULL
);
