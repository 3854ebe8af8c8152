-- Social's blocks, projected from UserBlocked / UserUnblocked, so the public profile answers 404 between a
-- blocked pair. Rows go when either account is deleted (the UserDeleted consumer's BlockEraser).
CREATE TABLE user_blocks (
    blocker_user_id uuid        NOT NULL,
    blocked_user_id uuid        NOT NULL,
    blocked         boolean     NOT NULL,
    as_of           timestamptz NOT NULL,
    PRIMARY KEY (blocker_user_id, blocked_user_id)
);
CREATE INDEX user_blocks_blocked_user_id ON user_blocks (blocked_user_id);
