-- Per-endpoint rate limits: at most per_second delivery attempts of a source start within one second of the clock.
-- The webhook keeps what was asked (rate_limit, shown in its object); delivery keeps the count it enforces.
ALTER TABLE webhooks ADD COLUMN rate_limit integer CHECK (rate_limit > 0);

CREATE TABLE sendout_rate_limits (
  source_id    text PRIMARY KEY,
  project_id   text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  per_second   integer NOT NULL CHECK (per_second > 0),
  -- The second whose attempts `used` counts (null: none yet).
  window_start timestamptz,
  used         integer NOT NULL DEFAULT 0
);
