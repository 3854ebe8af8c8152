-- The ticket key is encrypted with Data Protection; rows written before that are encrypted on first read.
ALTER TABLE ticket_signing_keys ADD COLUMN encrypted boolean NOT NULL DEFAULT false;
