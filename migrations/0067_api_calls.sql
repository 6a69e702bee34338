-- The API call log: calls to a project's /v1 and /client/v1 routes, as TESSERA_API_LOG says (by default the refused
-- and failed ones, with their bodies), kept TESSERA_API_LOG_RETENTION_DAYS days. Written in batches, after the
-- answer; ids sort by time.
CREATE TABLE api_calls (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  request_id     text NOT NULL,
  method         text NOT NULL,
  path           text NOT NULL,
  route          text,
  status         integer NOT NULL,
  error_key      text,
  channel        text NOT NULL,
  app_id         text,
  ip             text,
  duration_ms    integer NOT NULL,
  -- As received and as answered, secrets replaced and at most 16 KB (refused and failed calls only).
  request_body   text,
  response_body  text,
  created_at     timestamptz NOT NULL
);
CREATE INDEX api_calls_project ON api_calls (project_id, id DESC);
CREATE INDEX api_calls_request ON api_calls (project_id, request_id);
CREATE INDEX api_calls_created ON api_calls (created_at);
