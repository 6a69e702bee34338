-- Loyalty cards' points, their ledger, and earning rules.
-- A card's points and balance are NULL until they first change: until then both are its template's loyalty_card.points.
ALTER TABLE vouchers ADD COLUMN loyalty_points bigint;
ALTER TABLE vouchers ADD COLUMN loyalty_balance bigint;
-- Points are spent only by guarded single statements; this is the last line of defence.
ALTER TABLE vouchers ADD CONSTRAINT vouchers_loyalty_balance_nonnegative CHECK (loyalty_balance IS NULL OR loyalty_balance >= 0);

CREATE TABLE loyalty_transactions (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  voucher_id  text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  campaign_id text,
  -- POINTS_ACCRUAL, POINTS_ADDITION, POINTS_REMOVAL, POINTS_TRANSFER_IN, POINTS_TRANSFER_OUT...
  type        text NOT NULL,
  points      bigint NOT NULL,
  balance     bigint NOT NULL,
  total       bigint NOT NULL,
  source      text,
  source_id   text,
  reason      text,
  -- What caused it: earning_rule_id, event_id, related card of a transfer.
  related     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL
);
CREATE INDEX loyalty_transactions_voucher ON loyalty_transactions (voucher_id, created_at, id);

CREATE TABLE earning_rules (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  -- The event it earns on: a custom event's name, customer.order.paid, customer.segment.entered.
  event       text NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  -- Everything else as sent: loyalty, validation_rule_id, segment, source, validity, metadata.
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz
);
CREATE INDEX earning_rules_project ON earning_rules (project_id, created_at, id);
CREATE INDEX earning_rules_campaign ON earning_rules (campaign_id, created_at, id);
