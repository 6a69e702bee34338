export interface ProductRow {
  id: string;
  project_id: string;
  source_id: string | null;
  name: string | null;
  price: number | null;
  attributes: string[];
  metadata: Record<string, unknown>;
  image_url: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface SkuRow {
  id: string;
  project_id: string;
  product_id: string;
  source_id: string | null;
  sku: string | null;
  price: number | null;
  currency: string | null;
  attributes: Record<string, unknown>;
  metadata: Record<string, unknown>;
  image_url: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface ProductInput {
  id?: string | null;
  source_id?: string | null;
  name?: string | null;
  price?: number | null;
  attributes?: string[] | null;
  metadata?: Record<string, unknown> | null;
  image_url?: string | null;
}

export interface SkuInput {
  id?: string | null;
  source_id?: string | null;
  sku?: string | null;
  price?: number | null;
  currency?: string | null;
  attributes?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  image_url?: string | null;
}

/** A member of a static collection: a product, or a SKU with its product. */
export interface CollectionMember {
  id: string;
  object: 'product' | 'sku';
  product_id?: string;
}

export interface CollectionRow {
  id: string;
  project_id: string;
  name: string;
  type: 'STATIC' | 'AUTO_UPDATE';
  filter: Record<string, unknown> | null;
  products: CollectionMember[];
  created_at: Date;
}

export interface CollectionInput {
  name: string;
  type: 'STATIC' | 'AUTO_UPDATE';
  filter?: Record<string, unknown>;
  products?: CollectionMember[];
}
