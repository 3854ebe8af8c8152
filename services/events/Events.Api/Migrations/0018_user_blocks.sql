-- Social's blocks, projected from UserBlocked / UserUnblocked (events never calls social): a pair in a block, either
-- way, neither sees nor joins the other's events and courses. as_of orders the messages; an unblock keeps the row
-- (blocked false). Rows go when either account is deleted (UserBlockEraser).
CREATE TABLE user_blocks (
    blocker_user_id uuid        NOT NULL,
    blocked_user_id uuid        NOT NULL,
    blocked         boolean     NOT NULL,
    as_of           timestamptz NOT NULL,
    PRIMARY KEY (blocker_user_id, blocked_user_id)
);
CREATE INDEX user_blocks_blocked_user_id ON user_blocks (blocked_user_id);
