-- Locations: named areas (a circle around a point, or a GeoJSON polygon) that validation rules test geopoint
-- metadata against ($in_location, $not_in_location).
CREATE TABLE locations (
  id         text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name       text NOT NULL,
  shape      jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz
);
CREATE INDEX locations_created ON locations (project_id, created_at, id);
