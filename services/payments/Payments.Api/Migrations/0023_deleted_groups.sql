-- The group a membership awaiting payment is for, and the groups whose deletion payments has heard of: a deleted
-- group's memberships are sold no more (their open checkouts end), and one whose price is told after the deletion
-- (its message delivered later, or retried) is remembered as already ended, not put up for sale.
ALTER TABLE sellable_items ADD COLUMN group_id uuid NULL;
CREATE INDEX sellable_items_group ON sellable_items (group_id) WHERE group_id IS NOT NULL;
CREATE TABLE deleted_groups (
    group_id   uuid        PRIMARY KEY,
    deleted_at timestamptz NOT NULL
);
