-- Orders: a customer's purchases with their items (kept as one JSON array: read and written with the order, never
-- queried one by one), amounts in the currency's minor units. The customer's order summary (summary.orders of the
-- customer object, what segment filters `orders.*` read) is kept on the customer row, recomputed from the orders in
-- the transaction that changes one of them.
CREATE TABLE orders (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  source_id       text,
  status          text NOT NULL CHECK (status IN ('CREATED', 'PAID', 'CANCELED', 'FULFILLED')),
  amount          bigint,
  initial_amount  bigint,
  discount_amount bigint NOT NULL DEFAULT 0,
  items_discount_amount bigint NOT NULL DEFAULT 0,
  total_discount_amount bigint NOT NULL DEFAULT 0,
  total_amount    bigint,
  items           jsonb NOT NULL DEFAULT '[]'::jsonb,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Redemptions applied to the order, by parent redemption id (the order object's `redemptions`).
  redemptions     jsonb NOT NULL DEFAULT '{}'::jsonb,
  customer_id     text,
  referrer_id     text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz,
  CONSTRAINT orders_source_id_unique UNIQUE (project_id, source_id)
);
CREATE INDEX orders_project_created ON orders (project_id, created_at, id);
CREATE INDEX orders_project_updated ON orders (project_id, updated_at, id);
CREATE INDEX orders_customer ON orders (project_id, customer_id, created_at) WHERE customer_id IS NOT NULL;

-- {total_amount, total_count, last_order_amount, last_order_date} over the customer's PAID and FULFILLED orders;
-- NULL while there are none.
ALTER TABLE customers ADD COLUMN order_summary jsonb;
