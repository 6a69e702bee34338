-- Programs whose tiers start with the next qualification period (loyalty_tiers_expiration.start_date NEXT_PERIOD):
-- a member whose points of this period reach a tier gets it when the next period starts, so the tier-expiry job
-- looks at the member again then, whether or not the tier they hold ends.
ALTER TABLE loyalty_tier_members ADD COLUMN recheck_at timestamptz;
CREATE INDEX loyalty_tier_members_recheck ON loyalty_tier_members (recheck_at, voucher_id) WHERE recheck_at IS NOT NULL;
