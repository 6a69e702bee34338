-- Idempotency keys of POST requests (the Idempotency-Key header): the first request's answer, replayed to retries
-- with the same key for 24 hours. state 'running' until the answer is stored; locked_until frees a key whose
-- request never finished (its process died).
CREATE TABLE idempotency_keys (
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  key             text NOT NULL,
  fingerprint     text NOT NULL,
  state           text NOT NULL CHECK (state IN ('running', 'done')),
  locked_until    timestamptz NOT NULL,
  response_status integer,
  response_type   text,
  response_body   text,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (project_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
