-- Private keys are encrypted with Data Protection; rows written before that are encrypted on first read.
ALTER TABLE signing_keys ADD COLUMN encrypted boolean NOT NULL DEFAULT false;
