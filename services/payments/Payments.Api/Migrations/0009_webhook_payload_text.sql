-- The raw webhook body as text: a signed body may carry \u0000, which jsonb refuses (it was a 500).
ALTER TABLE webhook_events ALTER COLUMN payload TYPE text USING payload::text;
