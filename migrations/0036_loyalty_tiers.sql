-- Loyalty tiers: ranges of a card's balance a program names (Bronze 0-999, Silver 1000-4999...).
CREATE TABLE loyalty_tiers (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name        text NOT NULL,
  points_from bigint NOT NULL,
  -- Inclusive; NULL: no top.
  points_to   bigint,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz
);
CREATE INDEX loyalty_tiers_campaign ON loyalty_tiers (campaign_id, points_from);
CREATE INDEX loyalty_tiers_project ON loyalty_tiers (project_id);
