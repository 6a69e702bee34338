-- Short-lived OAuth 2.0 access tokens (client credentials grant), minted with a project's API key and limited to
-- scopes. Stored as SHA-256 digests, like the keys. A token dies with the key that minted it (regenerated keys are
-- deleted rows) and with its project.
CREATE TABLE oauth_tokens (
  token_hash  text PRIMARY KEY,
  app_id      text NOT NULL REFERENCES api_keys (app_id) ON DELETE CASCADE,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  scopes      text[] NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);
CREATE INDEX oauth_tokens_app ON oauth_tokens (app_id);
