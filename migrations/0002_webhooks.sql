-- Webhooks: project endpoints, the sendout outbox with leases, every delivery attempt, and signing-secret rotation.

ALTER TABLE projects
  ADD COLUMN previous_webhook_token text,
  ADD COLUMN previous_webhook_token_expires_at timestamptz;

CREATE TABLE webhooks (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  target_url      text NOT NULL,
  -- Canonical event types, or ["*"] for every event.
  events          jsonb NOT NULL,
  description     text,
  headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
  active          boolean NOT NULL DEFAULT true,
  -- Why Tessera disabled it (410 Gone, retries exhausted); null when a person did, or when active.
  disabled_reason text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz
);
CREATE INDEX webhooks_project ON webhooks (project_id, created_at);

-- One row per message to one endpoint. body holds the exact bytes sent on every attempt.
CREATE TABLE sendouts (
  id               text PRIMARY KEY,
  project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  source_object    text NOT NULL CHECK (source_object IN ('webhook', 'distribution')),
  source_id        text NOT NULL,
  target_url       text NOT NULL,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  group_id         text NOT NULL,
  body             text NOT NULL,
  headers          jsonb NOT NULL DEFAULT '{}'::jsonb,
  status           text NOT NULL CHECK (status IN ('pending', 'sent', 'retrying', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  -- Where the retry schedule counts from: creation, or the last manual retry.
  scheduled_from   timestamptz NOT NULL,
  lease_owner      text,
  lease_expires_at timestamptz,
  created_at       timestamptz NOT NULL,
  event_created_at timestamptz NOT NULL,
  executed_at      timestamptz,
  last_status_code integer,
  last_error       text
);
CREATE INDEX sendouts_due ON sendouts (next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX sendouts_project_created ON sendouts (project_id, created_at DESC, id DESC);
CREATE INDEX sendouts_source ON sendouts (source_id, created_at);
CREATE INDEX sendouts_created ON sendouts (created_at);

CREATE TABLE sendout_attempts (
  id               bigserial PRIMARY KEY,
  sendout_id       text NOT NULL REFERENCES sendouts (id) ON DELETE CASCADE,
  attempt          integer NOT NULL,
  started_at       timestamptz NOT NULL,
  duration_ms      integer NOT NULL,
  status_code      integer,
  response_headers jsonb,
  response_body    text,
  error            text,
  outcome          text NOT NULL
);
CREATE INDEX sendout_attempts_sendout ON sendout_attempts (sendout_id, attempt);
