/**
 * A forgotten customer taken out of a stored JSON value: every object that is that customer (its `id`, and
 * `object: "customer"` or held under a key that names a customer) becomes `{id, object: "customer"}`, and the
 * tracking ids of objects about them (`customer_id` theirs) become null. Everything else is kept as it was.
 */
const customerKeys = new Set(['customer', 'holder', 'referrer', 'referee']);

export function scrubCustomer(value: unknown, customerId: string): { value: unknown; changed: boolean } {
  let changed = false;
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (o.id === customerId && (o.object === 'customer' || (key !== undefined && customerKeys.has(key)))) {
      if (Object.keys(o).length === 2 && o.object === 'customer') return o;
      changed = true;
      return { id: customerId, object: 'customer' };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x, k);
    if (o.customer_id === customerId && typeof o.tracking_id === 'string') {
      out.tracking_id = null;
      changed = true;
    }
    return out;
  };
  const scrubbed = walk(value, undefined);
  return { value: changed ? scrubbed : value, changed };
}
