-- The owner a purchase was opened with: payments names them its seller (GroupMembershipPending), who sees and may
-- refund the payment. After the group changes hands an old purchase is neither offered again nor honoured (its
-- payment is refunded), so whatever a buyer pays goes to the owner of the day. Purchases of groups deleted since keep
-- null: they are refunded anyway.
ALTER TABLE group_purchases ADD COLUMN seller_id uuid NULL;
UPDATE group_purchases p SET seller_id = g.owner_id FROM groups g WHERE g.id = p.group_id;
DROP INDEX group_purchases_open;
CREATE UNIQUE INDEX group_purchases_open ON group_purchases (group_id, user_id, price_cents, currency, seller_id)
    WHERE payment_id IS NULL;
