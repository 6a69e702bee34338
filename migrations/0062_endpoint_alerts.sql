-- Operational webhooks: an endpoint (webhook or distribution) that is failing is marked once, so that
-- tessera.endpoint.failing is sent once per episode and tessera.endpoint.recovered when a retry gets through.
CREATE TABLE endpoint_alerts (
  source_id     text PRIMARY KEY,
  project_id    text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  failing_since timestamptz NOT NULL
);
