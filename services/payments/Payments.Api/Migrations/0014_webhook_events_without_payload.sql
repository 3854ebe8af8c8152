-- A webhook event's id is all a redelivery needs to find. The bodies kept until now carry the payer's details
-- (checkout sessions' customer_details, charges' billing_details: name, e-mail, address, phone) that no erasure
-- reached; they go, and none is kept again.
ALTER TABLE webhook_events DROP COLUMN payload;
