-- Distributions: automatic messages that a trigger (a custom event, a customer entering or leaving a segment) sends
-- through a webhook channel, via the same outbox and delivery engine as project webhooks.
CREATE TABLE distributions (
  id            text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('TO SEND', 'PAUSED', 'DRAFT', 'DONE')),
  paused_reason text,
  trigger       jsonb NOT NULL,
  purpose       text NOT NULL,
  channel       jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz
);
CREATE INDEX distributions_project ON distributions (project_id, created_at, id);
