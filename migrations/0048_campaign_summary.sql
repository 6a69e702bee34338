-- Validations of each campaign's codes and tiers per day (the campaign summary's validations), added to by each
-- process's counts about once a second.
CREATE TABLE campaign_validation_days (
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  campaign_id text NOT NULL,
  day         date NOT NULL,
  succeeded   bigint NOT NULL DEFAULT 0,
  failed      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, day)
);

-- A campaign's redemptions (the campaign summary).
CREATE INDEX redemptions_campaign ON redemptions (campaign_id, created_at) WHERE campaign_id IS NOT NULL;
CREATE INDEX publications_campaign ON publications (campaign_id, created_at) WHERE campaign_id IS NOT NULL;
