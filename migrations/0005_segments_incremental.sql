-- Incremental segment evaluation reads a customer's re-checks (and removes a deleted customer's) by customer.
CREATE INDEX segment_checks_customer ON segment_checks (customer_id);

-- Bumped whenever a segment's filter changes: evaluators keep parsed filters per (id, revision).
ALTER TABLE segments ADD COLUMN revision integer NOT NULL DEFAULT 0;
