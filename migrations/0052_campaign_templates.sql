-- Campaign templates: a discount or gift card campaign's configuration (or a promotion tier's, as a discount
-- campaign) without its name, category and code count, and copies of the validation rules that guarded it, from
-- which new campaigns and promotion tiers are set up.
CREATE TABLE campaign_templates (
  id            text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name          text NOT NULL,
  description   text,
  campaign_type text NOT NULL,
  definition    jsonb NOT NULL,
  rules         jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz,
  CONSTRAINT campaign_templates_name_unique UNIQUE (project_id, name)
);
CREATE INDEX campaign_templates_page ON campaign_templates (project_id, id);
