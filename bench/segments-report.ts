/** The segments bench's figures and the tables it prints from them. */
import { fmt, out, table } from './lib/report.js';
import type { SegmentKind } from './segments-workload.js';

/** CPU ms per second of wall time per process (1000 = one core), and the machine's busy share of all cores. */
export type Cpu = Record<string, number | undefined>;
/** Per statement (its first words): [calls, ms summed from handing it to a connection to its result]. */
export type Statements = Record<string, [number, number]>;

interface LightFigures {
  sent: number;
  ok: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface Light {
  seconds: number;
  get: LightFigures;
  post: LightFigures;
}

/** One round of ingest with and without segments, measured one after the other. */
export interface Round {
  with_per_s: number;
  without_per_s: number;
  ratio: number;
}

export interface Ingest {
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  ok: number;
  errors: number;
  deadlocks: number;
  /** customer.segment.entered and .left records per event. */
  entered_left_per_event: number;
  cpu: Cpu;
  api_statements?: Statements;
}

interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Latency {
  rate: number;
  sent_per_s: number;
  api_p50_ms: number;
  api_p99_ms: number;
  sent: number;
  received: number;
  duplicates: number;
  measured: number;
  send_to_receipt_ms: Quantiles;
  commit_to_receipt_ms: Quantiles;
  deadlocks: number;
  entered_left_per_event: number;
  cpu: Cpu;
  api_statements?: Statements;
}

export interface Figures {
  machine: string;
  node: string;
  options: Record<string, unknown>;
  customers?: { n: number; seconds: number; per_s: number; p99_ms: number; errors: number };
  history?: { n: number; seconds: number; per_s: number; errors: number };
  light_idle?: Light;
  light_sync?: Light;
  sync?: {
    segments: number;
    done: number;
    customers: number;
    seconds: number;
    evaluations_per_s: number;
    create_seconds: number;
    member_rows: number;
    check_rows: number;
    deadlocks: number;
    /** Light-load events tracked meanwhile, and the entered/left records written meanwhile. */
    light_events: number;
    entered_left: number;
    per_segment: Array<{ kind: SegmentKind; members: number; created_s: number; done_s: number; seconds: number }>;
    cpu: Cpu;
    worker_statements?: Statements;
  };
  /** The median round's figures (and its ratio); every round's events/s and ratio. */
  ingest?: { with_segments: Ingest; without_segments: Ingest; ratio: number; rounds?: Round[] };
  /** Ingest of events that change no membership: to the first `customers` customers, after `primed` unmeasured events. */
  steady?: { customers: number; primed: number; with_segments: Ingest; without_segments: Ingest; ratio: number; rounds?: Round[] };
  latency?: Latency[];
  /** Per phase: its span on the monotonic clock of CPU profiles (µs), and the activity recorded in it by type. */
  phases?: Record<string, { mono_us: [number, number]; activity: Record<string, number>; wal: { bytes: number; records: number; fpi: number } }>;
}

const ms = (n: number | undefined) => fmt(n, 1);
const pair = (a: number | undefined, b: number | undefined) => `${ms(a)} / ${ms(b)}`;

function headline(f: Figures): void {
  const rows: string[][] = [];
  if (f.customers) rows.push([`1: customers created (POST /v1/customers)`, `${fmt(f.customers.n)} in ${fmt(f.customers.seconds, 1)} s (${fmt(f.customers.per_s)}/s)`, '']);
  if (f.history) rows.push(['1: history events tracked (POST /v1/events)', `${fmt(f.history.n)} in ${fmt(f.history.seconds, 1)} s (${fmt(f.history.per_s)}/s)`, '']);
  if (f.sync) {
    const s = f.sync;
    rows.push([`1: segments computed over ${fmt(s.customers)} customers`, `${s.done} of ${s.segments} in ${fmt(s.seconds, 1)} s`, '']);
    rows.push(['1: customer-segment evaluations/s', fmt(s.evaluations_per_s), '']);
    rows.push(['1: deadlocks PostgreSQL broke while computing', fmt(s.deadlocks), '']);
    rows.push(['1: segment entries and exits recorded while computing', `${fmt(s.entered_left)} (${fmt(s.entered_left / Math.max(1, s.light_events), 1)} per light event)`, 'none (README)']);
  }
  if (f.light_idle) {
    rows.push(['1: light GET /v1/customers/{id} p50 / p99 ms, no segments', pair(f.light_idle.get.p50_ms, f.light_idle.get.p99_ms), '']);
    rows.push(['1: light POST /v1/events p50 / p99 ms, no segments', pair(f.light_idle.post.p50_ms, f.light_idle.post.p99_ms), '']);
  }
  if (f.light_sync) {
    rows.push(['1: light GET p50 / p99 ms while computing', pair(f.light_sync.get.p50_ms, f.light_sync.get.p99_ms), 'not blocked']);
    rows.push(['1: light POST p50 / p99 ms while computing', pair(f.light_sync.post.p50_ms, f.light_sync.post.p99_ms), 'not blocked']);
    rows.push(['1: light max ms while computing (GET, POST)', `${ms(f.light_sync.get.max_ms)}, ${ms(f.light_sync.post.max_ms)}`, '']);
  }
  if (f.ingest) {
    const { with_segments: w, without_segments: o } = f.ingest;
    rows.push(['2: ingest events/s with segments (high churn)', fmt(w.events_per_s), '']);
    rows.push(['2: ingest events/s without segments (high churn)', fmt(o.events_per_s), '']);
    rows.push(['2: with / without (high churn), median round', `${fmt(f.ingest.ratio * 100, 1)}%`, '>= 60%']);
    if (f.ingest.rounds) rows.push(['2: with / without per round (high churn)', f.ingest.rounds.map((r) => `${fmt(r.ratio * 100, 1)}%`).join(', '), '']);
    rows.push(['2: ingest p50 / p99 ms with segments (high churn)', pair(w.p50_ms, w.p99_ms), '']);
    rows.push(['2: ingest p50 / p99 ms without segments (high churn)', pair(o.p50_ms, o.p99_ms), '']);
    rows.push(['2: deadlocks with / without segments (high churn)', `${fmt(w.deadlocks)} / ${fmt(o.deadlocks)}`, '']);
    rows.push(['2: segment entries and exits recorded per event (high churn)', fmt(w.entered_left_per_event, 2), '']);
  }
  if (f.steady) {
    const { with_segments: w, without_segments: o } = f.steady;
    rows.push([`2: ingest events/s with segments (steady, ${fmt(f.steady.customers)} customers)`, fmt(w.events_per_s), '']);
    rows.push([`2: ingest events/s without segments (steady, ${fmt(f.steady.customers)} customers)`, fmt(o.events_per_s), '']);
    rows.push(['2: with / without (steady), median round', `${fmt(f.steady.ratio * 100, 1)}%`, '>= 60%']);
    if (f.steady.rounds) rows.push(['2: with / without per round (steady)', f.steady.rounds.map((r) => `${fmt(r.ratio * 100, 1)}%`).join(', '), '']);
    rows.push(['2: ingest p50 / p99 ms with segments (steady)', pair(w.p50_ms, w.p99_ms), '']);
    rows.push(['2: ingest p50 / p99 ms without segments (steady)', pair(o.p50_ms, o.p99_ms), '']);
    rows.push(['2: deadlocks with / without segments (steady)', `${fmt(w.deadlocks)} / ${fmt(o.deadlocks)}`, '']);
    rows.push(['2: segment entries and exits recorded per event (steady)', fmt(w.entered_left_per_event, 2), '']);
  }
  for (const [i, l] of (f.latency ?? []).entries()) {
    const at = `3 @ ${fmt(l.rate)}/s:`;
    rows.push([`${at} entering events/s sent`, fmt(l.sent_per_s), '']);
    rows.push([`${at} POST /v1/events p50 / p99 ms (from when due)`, pair(l.api_p50_ms, l.api_p99_ms), '']);
    rows.push([`${at} send-to-webhook p50 / p90 ms`, pair(l.send_to_receipt_ms.p50, l.send_to_receipt_ms.p90), '']);
    rows.push([`${at} send-to-webhook p99 ms`, ms(l.send_to_receipt_ms.p99), i === 0 ? '<= 250' : '']);
    rows.push([`${at} send-to-webhook max ms`, ms(l.send_to_receipt_ms.max), '']);
    rows.push([`${at} sendout-commit-to-webhook p50 / p99 ms`, pair(l.commit_to_receipt_ms.p50, l.commit_to_receipt_ms.p99), '']);
    rows.push([`${at} webhooks received / duplicates`, `${fmt(l.received)} of ${fmt(l.sent)} / ${fmt(l.duplicates)}`, '']);
    rows.push([`${at} segment entries per new customer; deadlocks`, `${fmt(l.entered_left_per_event, 1)}; ${fmt(l.deadlocks)}`, '']);
  }
  out(table(['figure', 'value', 'target'], rows));
  out('(latencies of paced requests count from when each was due; send-to-webhook = the receiver\'s arrival time minus the due time '
    + 'the bench stamped into the customer\'s metadata; one machine, one clock; only events due after the warm-up)');
}

function cpuTable(f: Figures): void {
  const rows: string[][] = [];
  const pct = (c: Cpu, k: string) => (c[k] === undefined ? '-' : `${fmt(c[k]! / 10)}%`);
  const row = (label: string, c: Cpu, per?: number) => [
    label, pct(c, 'api'), pct(c, 'worker'), pct(c, 'postgres'), pct(c, 'receiver'), pct(c, 'bench'),
    c.machine_busy_pct === undefined ? '-' : `${fmt(c.machine_busy_pct)}%`,
    per === undefined ? '-' : fmt(((c.api ?? 0) + (c.postgres ?? 0)) / per, 3),
  ];
  if (f.sync) rows.push(row('1 computing segments', f.sync.cpu));
  if (f.ingest) {
    rows.push(row('2 ingest with segments (high churn)', f.ingest.with_segments.cpu, f.ingest.with_segments.events_per_s));
    rows.push(row('2 ingest without segments (high churn)', f.ingest.without_segments.cpu, f.ingest.without_segments.events_per_s));
  }
  if (f.steady) {
    rows.push(row('2 ingest with segments (steady)', f.steady.with_segments.cpu, f.steady.with_segments.events_per_s));
    rows.push(row('2 ingest without segments (steady)', f.steady.without_segments.cpu, f.steady.without_segments.events_per_s));
  }
  for (const l of f.latency ?? []) rows.push(row(`3 ${fmt(l.sent_per_s)} entering events/s`, l.cpu, l.sent_per_s));
  if (rows.length === 0) return;
  out();
  out('CPU, % of one core (postgres = every backend of the bench database; bench = this process: load, polling)');
  out(table(['phase', 'api', 'worker', 'postgres', 'receiver', 'bench', 'machine busy', 'api+pg ms/event'], rows));
  out('(machine busy is of all cores and includes anything else running)');
}

function segmentKinds(f: Figures): void {
  if (!f.sync) return;
  const byKind = new Map<string, { n: number; seconds: number; members: number[] }>();
  for (const s of f.sync.per_segment) {
    const k = byKind.get(s.kind) ?? { n: 0, seconds: 0, members: [] };
    k.n++;
    k.seconds += Number.isFinite(s.seconds) ? s.seconds : 0;
    k.members.push(s.members);
    byKind.set(s.kind, k);
  }
  out();
  out(`Background computation by filter kind (segments created together are computed together, up to 25 at a time, so most of a group finish at once; seconds from one finishing to the next, as polled)`);
  out(table(
    ['kind', 'segments', 's each (mean)', 's total', 'members min / max'],
    [...byKind].map(([kind, k]) => [kind, String(k.n), fmt(k.seconds / k.n, 2), fmt(k.seconds, 1), `${fmt(Math.min(...k.members))} / ${fmt(Math.max(...k.members))}`]),
  ));
  out(`(${fmt(f.sync.member_rows)} active memberships and ${fmt(f.sync.check_rows)} time-based re-checks stored after the computation)`);
}

function statements(label: string, s: Statements | undefined, per: number, unit: string): void {
  if (!s) return;
  const entries = Object.entries(s).sort((a, b) => b[1][1] - a[1][1]);
  const calls = entries.reduce((a, [, [c]]) => a + c, 0);
  const total = entries.reduce((a, [, [, t]]) => a + t, 0);
  out();
  out(`${label}: ${fmt(calls / per, 2)} statements per ${unit}, ${fmt(total / per, 2)} ms of statement time per ${unit} `
    + '(summed over concurrent statements, from handing one to a connection to its result)');
  out(table(
    ['statement', 'calls', `per ${unit}`, 'ms per call', `ms per ${unit}`, 'total s'],
    entries.slice(0, 15).map(([k, [c, t]]) => [k, fmt(c), fmt(c / per, 3), fmt(t / c, 2), fmt(t / per, 3), fmt(t / 1000, 2)]),
  ));
}

/** WAL written per phase, and per event where the phase counts events (server-wide: other databases' writes count too). */
function walTable(f: Figures): void {
  if (!f.phases) return;
  const perEvent: Record<string, number | undefined> = {
    ingest_with_segments: f.ingest?.with_segments.ok,
    ingest_without_segments: f.ingest?.without_segments.ok,
    ingest_steady_with_segments: f.steady?.with_segments.ok,
    ingest_steady_without_segments: f.steady?.without_segments.ok,
    ...Object.fromEntries((f.latency ?? []).map((l) => [`latency_${l.rate}`, l.sent])),
  };
  const rows = Object.entries(f.phases).map(([name, p]) => {
    const s = (p.mono_us[1] - p.mono_us[0]) / 1e6;
    const n = perEvent[name];
    return [name, fmt(p.wal.bytes / 1e6 / s, 1), p.wal.records > 0 ? `${fmt((100 * p.wal.fpi) / p.wal.records, 1)}%` : '-',
      n ? fmt(p.wal.bytes / n / 1024, 1) : '-', n ? fmt(p.wal.fpi / n, 1) : '-'];
  });
  out();
  out('WAL written (pg_stat_wal, the whole server: other databases\' writes count too)');
  out(table(['phase', 'MB/s', 'full-page images / records', 'KB per event', 'full-page images per event'], rows));
}

export function report(f: Figures): void {
  out();
  headline(f);
  cpuTable(f);
  walTable(f);
  segmentKinds(f);
  if (f.sync?.worker_statements) {
    const batches = Math.max(1, Math.ceil(f.sync.customers / 500) * f.sync.done);
    statements('Worker SQL while computing the segments', f.sync.worker_statements, batches, 'batch of 500');
  }
  if (f.ingest) {
    const w = f.ingest.with_segments;
    const o = f.ingest.without_segments;
    statements('API SQL, ingest with segments (high churn)', w.api_statements, w.ok + w.errors, 'event');
    statements('API SQL, ingest without segments (high churn)', o.api_statements, o.ok + o.errors, 'event');
  }
  if (f.steady) {
    const w = f.steady.with_segments;
    const o = f.steady.without_segments;
    statements('API SQL, ingest with segments (steady)', w.api_statements, w.ok + w.errors, 'event');
    statements('API SQL, ingest without segments (steady)', o.api_statements, o.ok + o.errors, 'event');
  }
  for (const l of f.latency ?? []) statements(`API SQL, entering events at ${fmt(l.rate)}/s`, l.api_statements, l.sent, 'event');
}
