-- A member's purchase of a reward with points, one row per redemption of a loyalty card that paid for a reward.
-- Unlimited rewards count their redemptions from these rows (no shared counter to lock); a limited one's also spend
-- rewards.redeemed by a guarded update (counted). A rollback of the card's redemption turns the row ROLLEDBACK and
-- gives a counted unit back.
CREATE TABLE reward_redemptions (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  redemption_id  text NOT NULL,
  reward_id      text NOT NULL,
  assignment_id  text NOT NULL,
  voucher_id     text NOT NULL,
  campaign_id    text,
  customer_id    text,
  points         bigint NOT NULL,
  counted        boolean NOT NULL,
  -- COMPLETED or ROLLEDBACK
  state          text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX reward_redemptions_uncounted ON reward_redemptions (reward_id) WHERE state = 'COMPLETED' AND NOT counted;
CREATE INDEX reward_redemptions_redemption ON reward_redemptions (redemption_id);
