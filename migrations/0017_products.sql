-- Products, their SKUs and product collections: what order items name and what discounts target. Prices are in
-- the currency's minor units. A static collection lists products and SKUs; an auto-update one keeps a filter over
-- product fields, evaluated when read.
CREATE TABLE products (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  source_id   text,
  name        text,
  price       bigint,
  attributes  jsonb NOT NULL DEFAULT '[]'::jsonb,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  image_url   text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  CONSTRAINT products_source_id_unique UNIQUE (project_id, source_id)
);
CREATE INDEX products_project_created ON products (project_id, created_at, id);

CREATE TABLE skus (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  product_id  text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  source_id   text,
  sku         text,
  price       bigint,
  currency    text,
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  image_url   text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz,
  CONSTRAINT skus_source_id_unique UNIQUE (project_id, source_id)
);
CREATE INDEX skus_product ON skus (product_id, created_at, id);

CREATE TABLE product_collections (
  id          text PRIMARY KEY,
  project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name        text NOT NULL,
  type        text NOT NULL CHECK (type IN ('STATIC', 'AUTO_UPDATE')),
  filter      jsonb,
  products    jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at  timestamptz NOT NULL,
  CONSTRAINT product_collections_name_unique UNIQUE (project_id, name)
);
CREATE INDEX product_collections_project ON product_collections (project_id, created_at, id);
