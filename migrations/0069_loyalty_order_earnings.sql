-- The order.paid earning rules an order has earned on: an order paid again (moved back and paid once more) does not
-- earn again. One row per order and rule, taken by a guarded insert in the earning transaction.
CREATE TABLE loyalty_order_earnings (
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  order_id        text NOT NULL,
  earning_rule_id text NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (project_id, order_id, earning_rule_id)
);
