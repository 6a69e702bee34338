-- Gift credits added to a voucher after it was made (its gift.amount, the total loaded, is its template's amount
-- plus these, changed in the same guarded statement as the balance), and metadata schemas of resources.
ALTER TABLE vouchers ADD COLUMN gift_added bigint NOT NULL DEFAULT 0;

-- Metadata schemas of resources (campaign, voucher, publication, customer...): one per related_object and project.
CREATE TABLE metadata_schemas (
  id                 text PRIMARY KEY,
  project_id         text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  related_object     text NOT NULL,
  allow_defined_only boolean NOT NULL DEFAULT false,
  properties         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz,
  CONSTRAINT metadata_schemas_related_unique UNIQUE (project_id, related_object)
);
