-- Segments: definitions, memberships with entered/left times, and the time-based re-checks of filter segments.

CREATE TABLE segments (
  id             text PRIMARY KEY,
  project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name           text NOT NULL,
  type           text NOT NULL CHECK (type IN ('static', 'passive', 'auto-update')),
  filter         jsonb,
  -- Background computation of the members of a new (or changed) filter segment.
  sync_status    text NOT NULL DEFAULT 'DONE' CHECK (sync_status IN ('IN_PROGRESS', 'DONE')),
  sync_cursor    text,
  sync_processed integer NOT NULL DEFAULT 0,
  sync_total     integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz
);
CREATE INDEX segments_project ON segments (project_id, created_at, id);
CREATE INDEX segments_syncing ON segments (created_at) WHERE sync_status = 'IN_PROGRESS';

CREATE TABLE segment_members (
  segment_id  text NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  project_id  text NOT NULL,
  active      boolean NOT NULL,
  entered_at  timestamptz NOT NULL,
  left_at     timestamptz,
  PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer ON segment_members (customer_id) WHERE active;

-- When a customer's membership may change with time alone (an event leaving a window, a relative date).
CREATE TABLE segment_checks (
  segment_id  text NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  project_id  text NOT NULL,
  due_at      timestamptz NOT NULL,
  PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_checks_due ON segment_checks (due_at);
