-- Sessions ended while their access tokens still live (logout: session_id; reset, deletion, role change: not_before),
-- served in sequence order by /internal/revocations; writers lock the table so sequences commit in order.
CREATE TABLE session_revocations (
    sequence          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id           uuid        NOT NULL,
    session_id        uuid        NULL,
    not_before        timestamptz NULL,
    reason            text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    tokens_expire_by  timestamptz NOT NULL,
    CHECK (session_id IS NOT NULL OR not_before IS NOT NULL)
);
CREATE INDEX session_revocations_user ON session_revocations (user_id) WHERE not_before IS NOT NULL;
CREATE INDEX session_revocations_expiry ON session_revocations (tokens_expire_by);
