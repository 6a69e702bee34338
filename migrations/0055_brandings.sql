-- A project's brand configuration (Voucherify's management API allows one per project): its name and links, postal
-- address and contact.
CREATE TABLE brandings (
  id         text PRIMARY KEY,
  project_id text NOT NULL UNIQUE REFERENCES projects (id) ON DELETE CASCADE,
  brand      jsonb NOT NULL,
  address    jsonb NOT NULL,
  contact    jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz
);
