-- Dashboard sign-ins, shared by every process on this database and kept across restarts. `key` is the SHA-256
-- digest of the cookie's random id (the table holds no usable token); `credential` is, for a management sign-in,
-- the stored hash of the management token it signed in with, so that new credentials end it.
CREATE TABLE dashboard_sessions (
  key        text PRIMARY KEY,
  csrf       text NOT NULL,
  user_kind  text NOT NULL,
  user_id    text NOT NULL,
  login      text,
  credential text,
  flash      jsonb,
  created_at timestamptz NOT NULL,
  seen_at    timestamptz NOT NULL
);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions (user_id);
CREATE INDEX dashboard_sessions_seen ON dashboard_sessions (seen_at);
