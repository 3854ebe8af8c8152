-- Paid group memberships (purpose group_membership): social announces each with GroupMembershipPending.
ALTER TABLE sellable_items DROP CONSTRAINT sellable_items_purpose_check;
ALTER TABLE sellable_items ADD CONSTRAINT sellable_items_purpose_check CHECK (purpose IN ('event_registration', 'course', 'group_membership'));
ALTER TABLE payments DROP CONSTRAINT payments_purpose_check;
ALTER TABLE payments ADD CONSTRAINT payments_purpose_check
    CHECK (purpose IN ('event_registration', 'course', 'subscription', 'boost', 'credits', 'group_membership'));
