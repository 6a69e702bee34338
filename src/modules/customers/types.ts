export interface Address {
  city?: string | null;
  state?: string | null;
  line_1?: string | null;
  line_2?: string | null;
  country?: string | null;
  postal_code?: string | null;
}

export interface CustomerRow {
  id: string;
  project_id: string;
  source_id: string | null;
  name: string | null;
  description: string | null;
  email: string | null;
  phone: string | null;
  birthdate: string | null;
  address: Address | null;
  metadata: Record<string, unknown>;
  system_metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date | null;
  /** Over the customer's PAID and FULFILLED orders (kept by the orders module); absent or null while there are none. */
  order_summary?: OrderSummary | null;
  /** Counts of the customer's redemptions and rollbacks (see the redemptions module); null while none. */
  redemption_summary?: Record<string, number> | null;
}

/** As stored: last_order_date an ISO time. */
export interface OrderSummary {
  total_amount: number;
  total_count: number;
  last_order_amount: number;
  last_order_date: string;
}

/** Attributes a caller may send (POST/PUT /v1/customers, the `customer` of a tracked event). */
export interface CustomerInput {
  id?: string;
  source_id?: string;
  name?: string | null;
  description?: string | null;
  email?: string | null;
  phone?: string | null;
  birthdate?: string | null;
  /** Deprecated alias of birthdate. */
  birthday?: string | null;
  address?: Address | null;
  metadata?: Record<string, unknown> | null;
}

export interface UpsertResult {
  customer: CustomerRow;
  created: boolean;
  updated: boolean;
  /** What an update changed (see applyAttributes); empty when created or unchanged. */
  fields?: string[];
}
