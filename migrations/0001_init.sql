-- Tessera foundation: instance settings, projects and their keys, customers, custom event schemas,
-- custom events, and the event log (one record per event: customer activity and the stream that webhooks,
-- segments and distributions consume).

CREATE TABLE instance_settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  -- Everything else of the management API's project object (description, timezone, currency, client_* flags,
  -- client_trusted_domains, notifications...) lives here, as sent.
  settings      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The webhook signing secret must be readable to sign payloads, so it is kept as is.
  webhook_token text NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz
);

CREATE TABLE api_keys (
  app_id      text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('server', 'client')),
  name        text NOT NULL,
  token_hash  text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX api_keys_project ON api_keys (project_id);

CREATE TABLE customers (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  source_id       text,
  name            text,
  description     text,
  email           text,
  phone           text,
  birthdate       text,
  address         jsonb,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  system_metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz,
  CONSTRAINT customers_source_id_unique UNIQUE (project_id, source_id)
);
CREATE INDEX customers_project_created ON customers (project_id, created_at, id);
CREATE INDEX customers_project_updated ON customers (project_id, updated_at, id);
CREATE INDEX customers_project_email ON customers (project_id, email);

CREATE TABLE custom_event_schemas (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name        text NOT NULL,
  properties  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  CONSTRAINT custom_event_schemas_name_unique UNIQUE (project_id, name)
);

CREATE TABLE custom_events (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  type        text NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  referral    jsonb,
  loyalty     jsonb,
  created_at  timestamptz NOT NULL
);
CREATE INDEX custom_events_customer ON custom_events (project_id, customer_id, type, created_at);

-- The event log. seq gives one total order for consumers (webhook outbox, segment re-evaluation);
-- id is the public activity id (evcus_...). Rows are written in the same transaction as the change.
CREATE TABLE event_log (
  seq          bigserial PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  type         text NOT NULL,
  customer_id  text,
  entity_id    text,
  data         jsonb NOT NULL,
  event_source jsonb NOT NULL,
  group_id     text NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX event_log_customer ON event_log (project_id, customer_id, created_at, seq);
