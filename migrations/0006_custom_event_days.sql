-- Per customer, event name and UTC day (days since the epoch): how many events and the last one's time, kept as
-- events are stored. Segment filters on event counts read these few rows instead of every event a customer ever
-- had; only the first day of a time window is counted from custom_events itself.
CREATE TABLE custom_event_days (
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  type        text NOT NULL,
  day         integer NOT NULL,
  n           integer NOT NULL,
  last        timestamptz NOT NULL,
  PRIMARY KEY (project_id, customer_id, type, day)
);

INSERT INTO custom_event_days (project_id, customer_id, type, day, n, last)
SELECT project_id, customer_id, type, floor(extract(epoch FROM created_at) / 86400)::integer, count(*), max(created_at)
  FROM custom_events
 GROUP BY 1, 2, 3, 4;
