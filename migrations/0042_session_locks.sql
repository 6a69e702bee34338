-- Validation session locks: a validation with `session: {type: "LOCK"}` reserves, until the session expires, one
-- redemption of each limited voucher and the gift credits it validated; redemptions of other sessions (or none)
-- cannot take what is reserved. locked_until on the voucher (the latest expiry of its locks) keeps redemptions of
-- vouchers without live locks on their one-statement path.
CREATE TABLE session_locks (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  key        text NOT NULL,
  voucher_id text NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
  quantity   integer NOT NULL DEFAULT 0,
  credits    bigint NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (voucher_id, key)
);
CREATE INDEX session_locks_key ON session_locks (project_id, key);
ALTER TABLE vouchers ADD COLUMN locked_until timestamptz;
