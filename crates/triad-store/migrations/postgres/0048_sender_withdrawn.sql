-- The state's administrator withdraws trust from a sending instance (its key lost or its
-- district gone): files it signs are refused from then on and what it sent leaves the heat
-- map, but its imports are kept (nothing accepted is lost). Adding its key again restores it.
ALTER TABLE aggregate_senders ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE aggregate_senders ADD COLUMN withdrawn_by TEXT REFERENCES users(id);
