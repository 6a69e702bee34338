-- Promotion tiers: the discounts of a PROMOTION campaign, applied without a code, in the order of their hierarchy.
CREATE TABLE promotion_tiers (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name        text NOT NULL,
  banner      text,
  -- {discount}
  action      jsonb NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  hierarchy   integer NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  -- start_date, expiration_date, validity_timeframe, validity_day_of_week, validity_hours
  validity    jsonb NOT NULL DEFAULT '{}'::jsonb,
  category_id text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz
);
CREATE INDEX promotion_tiers_campaign ON promotion_tiers (campaign_id, hierarchy, id);
CREATE INDEX promotion_tiers_project ON promotion_tiers (project_id, created_at, id);
