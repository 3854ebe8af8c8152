-- A webhook event's id is all a redelivery needs to find. The bodies kept until now carry the payer's details
-- (checkout sessions' customer_details, charges' billing_details: name, e-mail, address, phone) that no erasure
-- reached: they are cleared, and none is kept again. The column stays (nullable) while pods of the previous release,
-- which still write it, finish; a later release drops it.
ALTER TABLE webhook_events ALTER COLUMN payload DROP NOT NULL;
UPDATE webhook_events SET payload = NULL WHERE payload IS NOT NULL;
