-- Redemptions and their rollbacks. A limited voucher's redeemed_quantity is spent by one guarded UPDATE
-- (WHERE redeemed_quantity < quantity); an unlimited voucher's row is never updated by a redemption (its
-- redemptions are counted from the redemption rows). Rule limits (per customer, per day...) are spent in
-- redemption_counters by one guarded upsert each.
ALTER TABLE vouchers ADD COLUMN redeemed_quantity integer NOT NULL DEFAULT 0;
ALTER TABLE vouchers ADD CONSTRAINT vouchers_redeemed_nonnegative CHECK (redeemed_quantity >= 0);
-- {total_redeemed, total_failed, total_succeeded, total_rolled_back, total_rollback_failed, total_rollback_succeeded,
--  gift_redeemed_amount}; NULL while the customer has none.
ALTER TABLE customers ADD COLUMN redemption_summary jsonb;

CREATE TABLE redemptions (
  id                  text PRIMARY KEY,
  project_id          text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  -- The parent redemption of a stack (NULL for a parent or a single redemption).
  parent_id           text,
  customer_id         text,
  order_id            text,
  tracking_id         text,
  related_object_type text NOT NULL,
  related_object_id   text NOT NULL,
  voucher_id          text,
  campaign_id         text,
  result              text NOT NULL,
  status              text NOT NULL,
  amount              bigint NOT NULL DEFAULT 0,
  gift_amount         bigint NOT NULL DEFAULT 0,
  -- What the redemption spent, to give back on rollback: {quantity: bool, counters: [[object, customer, period]]}.
  spent               jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The Redemption object as answered.
  body                jsonb NOT NULL,
  created_at          timestamptz NOT NULL
);
CREATE INDEX redemptions_project_created ON redemptions (project_id, created_at, id);
CREATE INDEX redemptions_parent ON redemptions (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX redemptions_voucher ON redemptions (voucher_id, created_at) WHERE voucher_id IS NOT NULL;
CREATE INDEX redemptions_customer ON redemptions (project_id, customer_id, created_at) WHERE customer_id IS NOT NULL;

CREATE TABLE redemption_rollbacks (
  id            text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  redemption_id text NOT NULL,
  body          jsonb NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX redemption_rollbacks_redemption ON redemption_rollbacks (redemption_id);

-- Redemptions of an object (voucher, campaign, promotion tier) by customer ('' for all) and period ('' total,
-- 'D2026-12-04', 'W2026-11-30', 'M2026-12'), kept only for objects whose validation rules limit them.
CREATE TABLE redemption_counters (
  object_id   text NOT NULL,
  customer_id text NOT NULL,
  period      text NOT NULL,
  count       integer NOT NULL CHECK (count >= 0),
  PRIMARY KEY (object_id, customer_id, period)
);
