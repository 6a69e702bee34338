-- Points earned on paid orders that wait N days (an earning rule's pending_points) before they reach the card;
-- canceled when the order is.
CREATE TABLE loyalty_pending_points (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  voucher_id      text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  campaign_id     text NOT NULL,
  customer_id     text NOT NULL,
  order_id        text NOT NULL,
  earning_rule_id text NOT NULL,
  points          bigint NOT NULL,
  activates_at    timestamptz NOT NULL,
  -- PENDING, then ACTIVATED or CANCELED (each by one guarded update).
  status          text NOT NULL DEFAULT 'PENDING',
  details         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz
);
CREATE INDEX loyalty_pending_points_due ON loyalty_pending_points (activates_at) WHERE status = 'PENDING';
CREATE INDEX loyalty_pending_points_order ON loyalty_pending_points (project_id, order_id) WHERE status = 'PENDING';
CREATE INDEX loyalty_pending_points_card ON loyalty_pending_points (voucher_id, activates_at) WHERE status = 'PENDING';
