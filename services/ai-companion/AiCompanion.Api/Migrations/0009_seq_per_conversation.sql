-- seq counts within each user's conversation (1, 2, 3...) instead of across every conversation. The counter of a
-- conversation outlives a delete of its messages, so a client's cursor never meets a number twice.
CREATE TABLE conversation_sequences (
    user_id uuid PRIMARY KEY,
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
);

ALTER TABLE companion_messages ALTER COLUMN seq DROP IDENTITY;

UPDATE companion_messages m SET seq = r.n
FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY seq) AS n FROM companion_messages) r
WHERE m.id = r.id;

INSERT INTO conversation_sequences (user_id, last_seq)
SELECT user_id, max(seq) FROM companion_messages GROUP BY user_id;

DROP INDEX companion_messages_history;
CREATE UNIQUE INDEX companion_messages_history ON companion_messages (user_id, seq);
