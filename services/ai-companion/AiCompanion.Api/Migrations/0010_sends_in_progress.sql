-- A send being answered. Its client_txn_id is claimed before the message is counted or the model asked, so sends of one
-- id at once get one reply between them (the others are told to ask again, and then get it). The exchange's store
-- takes the claim back in its own transaction and stores nothing if the claim is gone: the conversation was forgotten,
-- or the account erased, while the reply was being written. A claim older than the longest reply (a process that died
-- mid-send) may be taken over.
CREATE TABLE companion_sends (
    user_id uuid NOT NULL,
    client_txn_id text NOT NULL,
    claimed_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_txn_id)
);
