-- A person whose request to connect was withdrawn or declined waits before asking the same person again: asking,
-- withdrawing and asking again would otherwise notify them on every turn. Rows whose wait is over are swept as new
-- ones are written.
CREATE TABLE connection_request_cooldowns (
    requester_id uuid        NOT NULL,
    addressee_id uuid        NOT NULL,
    until        timestamptz NOT NULL,
    PRIMARY KEY (requester_id, addressee_id)
);
CREATE INDEX connection_request_cooldowns_addressee ON connection_request_cooldowns (addressee_id);
CREATE INDEX connection_request_cooldowns_until ON connection_request_cooldowns (until);
