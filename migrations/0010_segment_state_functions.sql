-- The reads of every segment evaluation, as functions whose plans each connection makes once and keeps. Sent as a
-- plain statement, PostgreSQL parsed and planned the state read anew for every batch of events: measured on one
-- connection, 1.9 ms of server CPU per call, of which 0.3 ms ran it. A kept plan is only safe if it does not depend
-- on the statistics of the moment it was made (memberships grow from none to millions while segments are
-- computed, and a plan that scans a then-tiny table sequentially stays slow once it is large): these functions turn
-- sequential scans off, so every kept plan reads through the indexes, whatever the tables' sizes.

-- Per customer and event name: how many events, the last one's time, and per window (days) the count and the
-- oldest time in (start, now] as windows {"<days>": [count, oldest]}. The caller computes each window's start, its
-- first (partly covered) UTC day and the day after it: counts come from custom_event_days, and only the first day
-- is counted from the events themselves.
CREATE FUNCTION tessera_custom_event_stats(p_project text, p_customers text[], p_names text[], p_now timestamptz,
  p_days integer[], p_starts timestamptz[], p_first_days integer[], p_day_afters timestamptz[])
RETURNS TABLE (customer_id text, type text, n integer, last timestamptz, windows jsonb)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT c.customer_id, t.type, s.n, s.last,
    coalesce((SELECT jsonb_object_agg(w.days, jsonb_build_array(
        (SELECT coalesce(sum(d.n), 0) FROM custom_event_days d
          WHERE d.project_id = p_project AND d.customer_id = c.customer_id AND d.type = t.type AND d.day > w.first_day)
        + (SELECT count(*) FROM custom_events e
            WHERE e.project_id = p_project AND e.customer_id = c.customer_id AND e.type = t.type
              AND e.created_at > w.start AND e.created_at < w.day_after),
        (SELECT min(e.created_at) FROM custom_events e
          WHERE e.project_id = p_project AND e.customer_id = c.customer_id AND e.type = t.type
            AND e.created_at > w.start AND e.created_at <= p_now)))
      FROM unnest(p_days, p_starts, p_first_days, p_day_afters) AS w(days, start, first_day, day_after)), '{}'::jsonb)
  FROM unnest(p_customers) AS c(customer_id)
  CROSS JOIN unnest(p_names) AS t(type)
  CROSS JOIN LATERAL (SELECT sum(d.n)::integer AS n, max(d.last) AS last FROM custom_event_days d
                       WHERE d.project_id = p_project AND d.customer_id = c.customer_id AND d.type = t.type) s
  WHERE s.n IS NOT NULL;
END
$$;

-- The customers' active memberships among these segments, one row per customer with its segment ids
-- space-separated (kind 'm'; a customer in fifty segments is one row, not fifty); when p_timed, their re-check
-- times in ms since the epoch (kind 'c'); and when p_project is given, that project's filter segments as
-- "id revision sync_status ..." in id order (kind 'l', key the list, customer_id the project): a caller that
-- evaluated with the list it read last time finds out in the same statement whether it still holds. One segment (a
-- step of a background computation over many customers) probes the primary key per customer; several (a batch of
-- changes) read all of each customer's rows through the customer index, and the caller keeps those of its segments.
CREATE FUNCTION tessera_segment_state(p_segments text[], p_customers text[], p_timed boolean, p_project text)
RETURNS TABLE (kind text, key text, customer_id text, at double precision)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
  IF cardinality(p_segments) = 1 THEN
    RETURN QUERY
    SELECT 'm'::text, string_agg(m.segment_id, ' '), m.customer_id, NULL::double precision
      FROM segment_members m
     WHERE m.segment_id = p_segments[1] AND m.customer_id = ANY (p_customers) AND m.active
     GROUP BY m.customer_id;
  ELSIF cardinality(p_segments) > 1 THEN
    RETURN QUERY
    SELECT 'm'::text, string_agg(m.segment_id, ' '), m.customer_id, NULL::double precision
      FROM segment_members m
     WHERE m.customer_id = ANY (p_customers) AND m.active
     GROUP BY m.customer_id;
  END IF;
  IF p_timed THEN
    RETURN QUERY
    SELECT 'c'::text, ''::text, r.customer_id, (extract(epoch FROM r.due_at) * 1000)::double precision
      FROM segment_rechecks r
     WHERE r.customer_id = ANY (p_customers);
  END IF;
  IF p_project IS NOT NULL THEN
    RETURN QUERY
    SELECT 'l'::text, coalesce(string_agg(s.id || ' ' || s.revision || ' ' || s.sync_status, ' ' ORDER BY s.id), ''), p_project, NULL::double precision
      FROM segments s
     WHERE s.project_id = p_project AND s.type <> 'static';
  END IF;
END
$$;
