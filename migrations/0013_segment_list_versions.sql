-- Every change's evaluation checks, in its own snapshot, that the project's filter segments are still the ones it
-- evaluated with. It read them as a list of all of them ("id revision sync_status ..."), aggregated from up to a
-- hundred rows in every transaction (0.2 ms of server time each, on the critical path). Now a per-project version,
-- bumped in the same transaction as any change to what that list holds, is the check: one row read by its key.
CREATE TABLE segment_lists (
  project_id text PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  version    bigint NOT NULL
);

INSERT INTO segment_lists (project_id, version) SELECT DISTINCT project_id, 1 FROM segments;

-- Bumps the versions of the projects whose list of filter segments a statement changed. A project deleted in the
-- same statement (its segments deleted with it) has none to bump.
CREATE FUNCTION tessera_bump_segment_lists(p_projects text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO segment_lists (project_id, version)
  SELECT DISTINCT p.id, 1 FROM projects p WHERE p.id = ANY (p_projects)
  ON CONFLICT (project_id) DO UPDATE SET version = segment_lists.version + 1;
$$;

CREATE FUNCTION tessera_segments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tessera_bump_segment_lists(ARRAY(SELECT DISTINCT n.project_id FROM added n));
  RETURN NULL;
END
$$;

CREATE FUNCTION tessera_segments_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tessera_bump_segment_lists(ARRAY(SELECT DISTINCT o.project_id FROM gone o));
  RETURN NULL;
END
$$;

-- Only what the list holds counts: its type, revision and sync status (not a background computation's progress).
CREATE FUNCTION tessera_segments_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tessera_bump_segment_lists(ARRAY(
    SELECT DISTINCT n.project_id FROM after_rows n JOIN before_rows o ON o.id = n.id
     WHERE (o.type, o.revision, o.sync_status) IS DISTINCT FROM (n.type, n.revision, n.sync_status)));
  RETURN NULL;
END
$$;

CREATE TRIGGER segments_list_inserted AFTER INSERT ON segments
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tessera_segments_inserted();
CREATE TRIGGER segments_list_deleted AFTER DELETE ON segments
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tessera_segments_deleted();
CREATE TRIGGER segments_list_updated AFTER UPDATE ON segments
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION tessera_segments_updated();

-- The state read (0012) with the version as its 'l' row: key = the project's version ('0' when it never had a
-- segment).
DROP FUNCTION tessera_segment_state(text[], boolean, text);
CREATE FUNCTION tessera_segment_state(p_customers text[], p_timed boolean, p_project text)
RETURNS TABLE (kind text, key text, customer_id text, at double precision)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
  IF cardinality(p_customers) > 0 THEN
    RETURN QUERY
    SELECT 'm'::text,
           array_to_string(m.segments, ',') || '|' || array_to_string(m.entered_ms, ',') || '|'
             || array_to_string(m.left_segments, ',') || '|' || array_to_string(m.left_ms, ','),
           m.customer_id, NULL::double precision
      FROM customer_segments m
     WHERE m.customer_id = ANY (p_customers);
  END IF;
  IF p_timed THEN
    RETURN QUERY
    SELECT 'c'::text, ''::text, r.customer_id, (extract(epoch FROM r.due_at) * 1000)::double precision
      FROM segment_rechecks r
     WHERE r.customer_id = ANY (p_customers);
  END IF;
  IF p_project IS NOT NULL THEN
    RETURN QUERY
    SELECT 'l'::text, coalesce((SELECT l.version::text FROM segment_lists l WHERE l.project_id = p_project), '0'), p_project, NULL::double precision;
  END IF;
END
$$;
