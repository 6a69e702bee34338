/**
 * What the ingest bench sends: one custom event schema with the five property types (some required), customers
 * cust-0..cust-N-1 with a couple of attributes, and events that each upsert one of those customers.
 */

export const eventName = 'bench_order_completed';

/** POST /management/v1/projects/{id}/custom-event-schemas body. */
export const schemaBody = {
  name: eventName,
  schema: {
    properties: {
      order_id: { type: 'string', optional: false },
      amount: { type: 'number', optional: false },
      gift: { type: 'boolean', optional: true },
      delivery_date: { type: 'date', optional: true },
      completed_at: { type: 'datetime', optional: false },
    },
  },
};

export interface Workload {
  customers: number;
  /** Every event changes the customer's metadata, so each one also updates the customer. */
  updateCustomers: boolean;
}

/** Spreads consecutive requests over distant customers (7919 is prime, so the walk visits every customer). */
const customerOf = (seq: number, customers: number) => (seq * 7919 + 13) % customers;

function customer(i: number) {
  return { source_id: `cust-${i}`, name: `Customer ${i}`, email: `cust-${i}@bench.example` };
}

/** POST /v1/customers body for the seq-th customer. */
export function customerBody(seq: number): string {
  return JSON.stringify(customer(seq));
}

const base = Date.UTC(2025, 0, 1);

/** POST /v1/events body; seq keeps counting across phases, so no two events are alike. */
export function eventBody(w: Workload, seq: number): string {
  const c = customerOf(seq, w.customers);
  const day = new Date(base + (seq % 365) * 86_400_000);
  const metadata: Record<string, unknown> = {
    order_id: `ord-${seq}`,
    amount: ((seq % 1000) + 1) / 10,
    completed_at: new Date(base + seq * 1000).toISOString(),
  };
  if (seq % 5 !== 0) metadata.gift = seq % 3 === 0;
  if (seq % 2 === 0) metadata.delivery_date = day.toISOString().slice(0, 10);
  const cust = w.updateCustomers ? { ...customer(c), metadata: { last_order: `ord-${seq}` } } : customer(c);
  return JSON.stringify({ event: eventName, customer: cust, metadata });
}

/** An event the schema must reject (required properties missing, wrong type): proves validation is on. */
export function invalidEventBody(): string {
  return JSON.stringify({ event: eventName, customer: customer(0), metadata: { amount: 'a lot' } });
}
