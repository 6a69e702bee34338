-- One time-based re-check per customer instead of one per (segment, customer): the earliest time at which time
-- alone (an event leaving a window, a relative date) may change one of the customer's memberships. A re-check
-- evaluates every time-based segment of the customer's project and sets the next one. A new customer writes one
-- row here, not one per time-based segment.
CREATE TABLE segment_rechecks (
  customer_id text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  due_at      timestamptz NOT NULL
);
CREATE INDEX segment_rechecks_due ON segment_rechecks (due_at);

INSERT INTO segment_rechecks (customer_id, project_id, due_at)
SELECT customer_id, min(project_id), min(due_at) FROM segment_checks GROUP BY customer_id;

DROP TABLE segment_checks;
