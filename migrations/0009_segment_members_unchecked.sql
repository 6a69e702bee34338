-- Every new membership made PostgreSQL check its segment: a key-share lock on the segment's row, which the
-- concurrent transactions of a busy project all take on the same hundred rows (each new locker turns the row's
-- lock into a new multixact, written to the row). Memberships are only written for segments the evaluation has
-- just read, so the check is dropped; a trigger keeps what ON DELETE CASCADE did: deleting segments (one by one
-- or with their project) deletes their memberships.
ALTER TABLE segment_members DROP CONSTRAINT segment_members_segment_id_fkey;

CREATE FUNCTION tessera_delete_segment_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM segment_members m USING gone g WHERE m.segment_id = g.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER segments_delete_members AFTER DELETE ON segments
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tessera_delete_segment_members();
