-- When a person's invitations to a group last ended without their joining (declined, withdrawn, their sender gone):
-- an invitation told after its end notifies nobody.
CREATE TABLE group_invitation_ends (
    group_id uuid        NOT NULL,
    user_id  uuid        NOT NULL,
    ended_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_invitation_ends_user ON group_invitation_ends (user_id);
