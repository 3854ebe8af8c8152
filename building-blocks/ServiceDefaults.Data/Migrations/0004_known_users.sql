-- The users identity announced (UserRegistered) to a service that refuses writes by anyone else; a deleted
-- user's row stays with deleted_at set, so a UserRegistered arriving after its UserDeleted cannot revive it.
CREATE TABLE known_users (
    user_id    uuid        PRIMARY KEY,
    deleted_at timestamptz NULL
);
