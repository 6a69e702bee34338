-- Promotion stacks: named sequences of a PROMOTION campaign's tiers, redeemed together as one redeemable.
CREATE TABLE promotion_stacks (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id    text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name           text NOT NULL,
  -- The tiers' ids, in the order they apply.
  tier_ids       jsonb NOT NULL,
  hierarchy_mode text NOT NULL DEFAULT 'MANUAL',
  category_id    text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz
);
CREATE INDEX promotion_stacks_campaign ON promotion_stacks (campaign_id, created_at, id);
CREATE INDEX promotion_stacks_project ON promotion_stacks (project_id, created_at, id);
