import type { CustomerInput } from '../customers/index.js';

export const orderStatuses = ['CREATED', 'PAID', 'CANCELED', 'FULFILLED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** A product or SKU as an order item names or describes it (`override` stores the description, see products). */
export interface ItemProductRef {
  id?: string;
  source_id?: string;
  override?: boolean;
  name?: string;
  /** SKU name, for `sku`. */
  sku?: string;
  price?: number;
  metadata?: Record<string, unknown>;
}

/** An order line as sent. */
export interface OrderItemInput {
  sku_id?: string;
  product_id?: string;
  related_object?: 'product' | 'sku';
  source_id?: string;
  quantity?: number;
  discount_quantity?: number;
  initial_quantity?: number;
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  price?: number;
  product?: ItemProductRef;
  sku?: ItemProductRef;
  metadata?: Record<string, unknown>;
}

/** An order line as stored and shown (OrderCalculatedItem). */
export interface OrderItem extends Omit<OrderItemInput, 'product' | 'sku'> {
  object: 'order_item';
  subtotal_amount?: number;
  product?: Record<string, unknown>;
  sku?: Record<string, unknown>;
}

export interface OrderInput {
  id?: string;
  source_id?: string | null;
  status?: OrderStatus;
  amount?: number;
  initial_amount?: number;
  discount_amount?: number;
  items?: OrderItemInput[];
  metadata?: Record<string, unknown> | null;
  created_at?: string;
  customer?: CustomerInput;
  customer_id?: string | null;
  referrer?: CustomerInput;
  referrer_id?: string | null;
}

export interface OrderRow {
  id: string;
  project_id: string;
  source_id: string | null;
  status: OrderStatus;
  amount: number | null;
  initial_amount: number | null;
  discount_amount: number;
  items_discount_amount: number;
  total_discount_amount: number;
  total_amount: number | null;
  items: OrderItem[];
  metadata: Record<string, unknown>;
  redemptions: Record<string, unknown>;
  customer_id: string | null;
  referrer_id: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/**
 * Resolves the products and SKUs order items name (and stores those sent with `override`); given at composition
 * once products exist. Returns the items with ids filled in and `product` / `sku` as the catalog has them.
 */
export type ItemResolver = ((tx: import('../../store/db.js').Executor, projectId: string, items: OrderItemInput[], catalog?: ItemCatalog) => Promise<OrderItem[]>) & {
  /** Reads the products and SKUs these items name into `catalog` at once (a batch's orders then resolve from it). */
  lookup?: (tx: import('../../store/db.js').Executor, projectId: string, items: OrderItemInput[], catalog: ItemCatalog) => Promise<void>;
};

/** What an ItemResolver read and wrote in one transaction, kept by its caller across orders (opaque to orders). */
export type ItemCatalog = Map<string, unknown>;
