-- The bin: campaigns, vouchers, products and SKUs deleted without `force`. An entry keeps the deleted rows of
-- every table the delete cascaded to (the resource's own row first, then its dependents), in chunks of JSON rows,
-- so that it can be restored as it was or deleted for good.
CREATE TABLE trash_bin (
  id                 text PRIMARY KEY,
  project_id         text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  resource_type      text NOT NULL,
  resource_id        text NOT NULL,
  resource_name      text,
  resource_parent_id text,
  deleted_by_user_id text,
  created_at         timestamptz NOT NULL
);
CREATE INDEX trash_bin_page ON trash_bin (project_id, id);

CREATE TABLE trash_bin_rows (
  entry_id   text NOT NULL REFERENCES trash_bin (id) ON DELETE CASCADE,
  ord        integer NOT NULL,
  table_name text NOT NULL,
  chunk      integer NOT NULL,
  rows       jsonb NOT NULL,
  PRIMARY KEY (entry_id, ord, chunk)
);
