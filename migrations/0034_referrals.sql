-- Referrals: who referred whom in which referral program (a referee is referred once per program).
CREATE TABLE referrals (
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  referee_id  text NOT NULL,
  referrer_id text NOT NULL,
  voucher_id  text NOT NULL,
  -- The custom event that converted the referee.
  event_id    text,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, referee_id)
);
CREATE INDEX referrals_referrer ON referrals (project_id, referrer_id, created_at);
CREATE INDEX referrals_referee ON referrals (project_id, referee_id);
