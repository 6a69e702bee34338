-- Rewards a loyalty program's members can buy with points, and their assignments (price in points) to programs.
CREATE TABLE rewards (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name        text NOT NULL,
  -- CAMPAIGN (a code of a campaign), MATERIAL (a product), COIN (points as money: not redeemable here yet)
  type        text NOT NULL,
  parameters  jsonb NOT NULL DEFAULT '{}'::jsonb,
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Units available (NULL: unlimited), spent by a guarded update of redeemed.
  stock       integer,
  redeemed    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  CONSTRAINT rewards_stock CHECK (stock IS NULL OR redeemed <= stock)
);
CREATE INDEX rewards_project ON rewards (project_id, created_at, id);

CREATE TABLE reward_assignments (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  reward_id   text NOT NULL REFERENCES rewards (id) ON DELETE CASCADE,
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  points      bigint NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  UNIQUE (reward_id, campaign_id)
);
CREATE INDEX reward_assignments_campaign ON reward_assignments (campaign_id, created_at, id);
