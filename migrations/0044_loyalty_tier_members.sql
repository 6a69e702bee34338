-- A member's tier where the program keeps it (points earned in a period, or a grace period after the balance drops):
-- the tier, when it ends, and the points earned in the current qualification period. Programs whose tiers follow the
-- balance alone keep no rows here.
CREATE TABLE loyalty_tier_members (
  voucher_id    text PRIMARY KEY REFERENCES vouchers (id) ON DELETE CASCADE,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id   text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  tier_id       text REFERENCES loyalty_tiers (id) ON DELETE SET NULL,
  -- When the member entered the tier they hold (start_date of the tier's expiration object).
  tier_since    timestamptz,
  -- When the tier ends unless prolonged; NULL: it lasts (while the balance holds it).
  expires_at    timestamptz,
  period_start  timestamptz,
  period_points bigint NOT NULL DEFAULT 0,
  -- Points earned in the period before period_start's (END_OF_NEXT_PERIOD tiers are held by them).
  previous_points bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL
);
-- The tier-expiry job takes the members whose tier ends, earliest first.
CREATE INDEX loyalty_tier_members_due ON loyalty_tier_members (expires_at, voucher_id) WHERE expires_at IS NOT NULL;
