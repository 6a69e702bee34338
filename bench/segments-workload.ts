/**
 * What the segments bench sends: one custom event schema, customers cust-0..cust-N-1 with a name, a tier and a
 * score, a skewed history of events (so event counts differ), a mix of auto-update segments over profile fields,
 * metadata and event counts, and the events of each phase.
 */

export const eventName = 'bench_purchase';

/** POST /management/v1/projects/{id}/custom-event-schemas body. */
export const schemaBody = {
  name: eventName,
  schema: {
    properties: {
      order_id: { type: 'string', optional: false },
      amount: { type: 'number', optional: false },
    },
  },
};

const firstNames = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy',
  'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yvonne'];
const tiers = ['bronze', 'silver', 'gold', 'platinum'];
/** The tier no existing customer has: the latency phase's new customers have it, and enter the entry segment. */
export const entryTier = 'vip';

/** A 32-bit integer hash (Wang's), so "random" choices are the same on every run. */
function hash(n: number): number {
  let x = (n ^ 61) ^ (n >>> 16);
  x = Math.imul(x, 9);
  x ^= x >>> 4;
  x = Math.imul(x, 0x27d4eb2d);
  x ^= x >>> 15;
  return x >>> 0;
}

/** POST /v1/customers body for customer i. */
export function customerBody(i: number): string {
  return JSON.stringify({
    source_id: `cust-${i}`,
    name: `${firstNames[i % firstNames.length]} ${i}`,
    email: `cust-${i}@bench.example`,
    metadata: { tier: tiers[hash(i) % tiers.length], score: hash(i + 1_000_003) % 1000 },
  });
}

const purchase = (seq: number) => ({ order_id: `ord-${seq}`, amount: ((seq % 1000) + 1) / 10 });

/**
 * History before the segments exist: event j goes to customer floor(N * u^2) for a hashed u in [0, 1), so a few
 * customers have many events and about half have none.
 */
export function historyEventBody(customers: number, j: number): string {
  const u = hash(j + 7) / 2 ** 32;
  const c = Math.floor(customers * u * u);
  return JSON.stringify({ event: eventName, customer: { source_id: `cust-${c}` }, metadata: purchase(j) });
}

/**
 * An event for an existing customer that counts toward the event segments and changes the customer's metadata
 * (customer.updated): always its last order, and one time in four its score, to a new random value.
 */
export function updatingEventBody(customers: number, seq: number): string {
  const c = (seq * 7919 + 13) % customers;
  const metadata: Record<string, unknown> = { last_order: `ord-${seq}` };
  if (seq % 4 === 0) metadata.score = hash(seq + 17) % 1000;
  return JSON.stringify({ event: eventName, customer: { source_id: `cust-${c}`, metadata }, metadata: purchase(seq) });
}

/**
 * How many customers the steady events go to: cust-0..cust-K-1, who have the most history events (historyEventBody
 * favours low numbers). Few, so priming soon takes each past every event-count threshold; more than the ingest's
 * clients, so concurrent events rarely wait for the same customer.
 */
export function steadyCustomers(customers: number): number {
  return Math.max(50, Math.floor(customers / 200));
}

/** Steady events per customer sent before measuring: past the largest event-count threshold of filterOf (5), even from none. */
export const steadyPrimePerCustomer = 6;

/**
 * An event for one of the first `set` customers that counts toward the event segments and changes only the
 * customer's last order: once the customer is past every event-count threshold, it enters and leaves no segment.
 * Consecutive events (the ones in flight together) go to different customers.
 */
export function steadyEventBody(set: number, seq: number): string {
  return JSON.stringify({ event: eventName, customer: { source_id: `cust-${seq % set}`, metadata: { last_order: `ord-${seq}` } }, metadata: purchase(seq) });
}

/** GET /v1/customers/{id} path for the light load. */
export function customerPath(customers: number, seq: number): string {
  return `/v1/customers/cust-${(seq * 104_729 + 7) % customers}`;
}

/** An event for a brand-new customer in the entry tier, stamped with when it was due to be sent (ms since the epoch). */
export function enteringEventBody(seq: number, sentAt: number): string {
  return JSON.stringify({
    event: eventName,
    customer: { source_id: `new-${seq}`, name: `Newcomer ${seq}`, metadata: { tier: entryTier, score: seq % 1000, bench_sent_at: sentAt } },
    metadata: purchase(seq),
  });
}

export type SegmentKind = 'name' | 'created_at' | 'tier' | 'score' | 'events' | 'events_30d' | 'tier_or_events' | 'entry';

export interface SegmentSpec {
  kind: SegmentKind;
  body: { name: string; type: 'auto-update'; filter: Record<string, unknown> };
}

const kinds: Exclude<SegmentKind, 'entry'>[] = ['name', 'created_at', 'tier', 'score', 'events', 'events_30d', 'tier_or_events'];

function filterOf(kind: Exclude<SegmentKind, 'entry'>, v: number): Record<string, unknown> {
  const count = `events.${eventName}.count`;
  switch (kind) {
    case 'name':
      return { junction: 'and', name: { conditions: { $starts_with: [firstNames[v % firstNames.length]!.slice(0, 2)] } } };
    case 'created_at':
      // Every customer was created minutes ago: the even ones hold for all, the odd ones for none.
      return { junction: 'and', created_at: { conditions: { [v % 2 === 0 ? '$less_than_ago' : '$more_than_ago']: [1 + v] } } };
    case 'tier':
      return { junction: 'and', 'metadata.tier': { conditions: { $is: [tiers[v % tiers.length]] } } };
    case 'score':
      return { junction: 'and', 'metadata.score': { conditions: { $more_than: [(v * 137) % 1000] } } };
    case 'events':
      return { junction: 'and', [count]: { conditions: { $more_than_equal: [1 + (v % 5)] } } };
    case 'events_30d':
      return { junction: 'and', [count]: { conditions: { $more_than_equal: [1 + (v % 3)] }, timeframe: { last_days: 30 } } };
    case 'tier_or_events':
      return {
        junction: 'or',
        'metadata.tier': { conditions: { $is: [tiers[v % tiers.length]] } },
        [count]: { conditions: { $more_than_equal: [2 + (v % 4)] } },
      };
  }
}

/** n auto-update segments: n - 1 cycling through the kinds, then the entry segment (metadata.tier is 'vip'). */
export function segmentSpecs(n: number): SegmentSpec[] {
  const out: SegmentSpec[] = [];
  for (let i = 0; i < n - 1; i++) {
    const kind = kinds[i % kinds.length]!;
    out.push({ kind, body: { name: `bench ${kind} ${i}`, type: 'auto-update', filter: filterOf(kind, Math.floor(i / kinds.length)) } });
  }
  out.push({
    kind: 'entry',
    body: { name: 'bench entry (new vip customers)', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: [entryTier] } } } },
  });
  return out;
}
