-- The sandbox webhook secret is encrypted with Data Protection (bytes); rows written before that are encrypted on first read.
ALTER TABLE sandbox_secrets ALTER COLUMN secret TYPE bytea USING convert_to(secret, 'UTF8');
ALTER TABLE sandbox_secrets ADD COLUMN encrypted boolean NOT NULL DEFAULT false;
