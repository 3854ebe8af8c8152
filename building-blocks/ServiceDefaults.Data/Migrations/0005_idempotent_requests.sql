-- Idempotency-Key per user: the request's fingerprint while it runs, then the answer replayed to a repeat (24 h).
CREATE TABLE idempotent_requests (
    user_id      uuid        NOT NULL,
    key          text        NOT NULL,
    fingerprint  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    status_code  integer     NULL,
    content_type text        NULL,
    location     text        NULL,
    etag         text        NULL,
    body         bytea       NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotent_requests_created_at ON idempotent_requests (created_at);
