-- Validation rules (business rules a redemption, a distribution or an earning rule must meet) and their
-- assignments to the objects they guard. An assignment names its object by type and id only: vouchers, campaigns,
-- promotion tiers, earning rules and distributions may live in modules of their own (or come later).
CREATE TABLE validation_rules (
  id            text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name          text NOT NULL,
  type          text NOT NULL,
  context_type  text NOT NULL,
  rules         jsonb NOT NULL,
  bundle_rules  jsonb,
  error         jsonb,
  applicable_to jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz,
  CONSTRAINT validation_rules_name_unique UNIQUE (project_id, name)
);
CREATE INDEX validation_rules_project ON validation_rules (project_id, created_at, id);

CREATE TABLE validation_rule_assignments (
  id                  text PRIMARY KEY,
  project_id          text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  rule_id             text NOT NULL REFERENCES validation_rules (id) ON DELETE CASCADE,
  related_object_type text NOT NULL,
  related_object_id   text NOT NULL,
  created_at          timestamptz NOT NULL,
  CONSTRAINT validation_rule_assignments_unique UNIQUE (rule_id, related_object_type, related_object_id)
);
CREATE INDEX validation_rule_assignments_object ON validation_rule_assignments (project_id, related_object_id, related_object_type);
CREATE INDEX validation_rule_assignments_rule ON validation_rule_assignments (rule_id, created_at, id);
