/** A parsed, validated segment filter: the shape evaluation and dependency tracking work on. */
export type ValueType = 'string' | 'number' | 'date' | 'boolean' | 'any';

export type Field =
  | { kind: 'profile'; name: 'id' | 'source_id' | 'name' | 'email' | 'phone' | 'description'; type: 'string' }
  | { kind: 'profile'; name: 'created_at' | 'updated_at' | 'birthdate'; type: 'date' }
  | { kind: 'address'; name: string; type: 'string' }
  | { kind: 'metadata'; path: string[]; type: 'any' }
  | { kind: 'orders'; name: 'total_amount' | 'total_count' | 'average_amount' | 'last_order_amount'; type: 'number' }
  | { kind: 'orders'; name: 'last_order_date'; type: 'date' }
  /** How many times the customer tracked the event; within the last windowDays when given. */
  | { kind: 'event_count'; event: string; windowDays?: number; type: 'number' }
  /** When the customer last tracked the event. */
  | { kind: 'event_last'; event: string; type: 'date' };

export interface Condition {
  op: string;
  /** Operands as sent, always as a list (a scalar becomes a one-element list). */
  values: unknown[];
}

export interface Criterion {
  /** The field path as written in the filter. */
  path: string;
  field: Field;
  /** All must hold. */
  conditions: Condition[];
}

export interface Filter {
  junction: 'and' | 'or';
  criteria: Criterion[];
}

export interface EventFacts {
  count: number;
  last: Date | null;
  windows: Map<number, { count: number; oldest: Date | null }>;
}

/** What evaluation needs to know about one customer at one `now`. */
export interface Facts {
  customer: {
    id: string;
    source_id: string | null;
    name: string | null;
    email: string | null;
    phone: string | null;
    description: string | null;
    created_at: Date;
    updated_at: Date | null;
    birthdate: string | null;
    address: Record<string, unknown> | null;
    metadata: Record<string, unknown>;
  };
  orders: { total_amount: number; total_count: number; average_amount: number; last_order_amount: number; last_order_date: Date | null };
  /**
   * Per event name: the total count, the last time, and per window (days) the filters use, the count and the
   * oldest time within it at the evaluation's `now` (windows end at `now`; an event stored with a later time,
   * possible only if the clock went back, counts in its day).
   */
  events: Map<string, EventFacts>;
}
