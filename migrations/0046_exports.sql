-- Exports (POST /v1/exports and the transaction exports): a CSV file made in the background, chunk by chunk.
CREATE TABLE exports (
  id              text PRIMARY KEY,
  project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  exported_object text NOT NULL,
  parameters      jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('SCHEDULED', 'IN_PROGRESS', 'DONE', 'ERROR')),
  channel         text NOT NULL,
  -- The download's secret: the file's URL carries it (GET /v1/exports/{id}/download?token=...).
  token           text NOT NULL,
  -- Where the build got to: the last row written (its order key and id); null before the first chunk.
  position        jsonb,
  row_count       integer NOT NULL DEFAULT 0,
  chunk_count     integer NOT NULL DEFAULT 0,
  error           text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz
);
CREATE INDEX exports_project ON exports (project_id, created_at, id);
CREATE INDEX exports_pending ON exports (created_at) WHERE status IN ('SCHEDULED', 'IN_PROGRESS');

-- The file, in the order it is downloaded: the header line starts chunk 0.
CREATE TABLE export_chunks (
  export_id text NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  content   text NOT NULL,
  PRIMARY KEY (export_id, seq)
);
