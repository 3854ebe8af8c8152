-- Blobs whose rows are gone but whose delete failed (the store out of reach, a bucket refusing): each is deleted again,
-- less often the longer it fails, until it goes (BlobDeletionRetries). A person's deleted picture or photo must not
-- stay in the bucket because the store was down when their account went.
CREATE TABLE blob_deletions (
    key              text        PRIMARY KEY,
    first_failed_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer     NOT NULL DEFAULT 1,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text        NOT NULL
);
CREATE INDEX blob_deletions_due ON blob_deletions (next_attempt_at);
