-- A deleted account's erasure, to be gone over again once every send that raced it has ended (ErasureFollowUpSweep):
-- such a send's notification of the account was not yet committed when the erasure deleted the rest.
CREATE TABLE erasure_follow_ups (
    user_id uuid        PRIMARY KEY,
    due_at  timestamptz NOT NULL
);
CREATE INDEX erasure_follow_ups_due ON erasure_follow_ups (due_at);
