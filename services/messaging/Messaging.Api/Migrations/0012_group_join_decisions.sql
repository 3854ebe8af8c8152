-- When a person's latest request to join a group was decided: a request told after it notifies nobody.
CREATE TABLE group_join_decisions (
    group_id   uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    decided_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_join_decisions_user ON group_join_decisions (user_id);
