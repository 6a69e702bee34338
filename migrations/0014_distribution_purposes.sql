-- Distributions that publish a campaign's codes (publish_unique_codes) or tell about a campaign (notify_promotion)
-- name the campaign. No foreign key: a deleted campaign leaves the distribution, which then publishes nothing.
ALTER TABLE distributions ADD COLUMN campaign_id text;
