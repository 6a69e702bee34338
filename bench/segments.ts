/**
 * Segments benchmark, on PostgreSQL: Tessera's API (`serve --no-worker`), one `tessera worker` and a webhook receiver,
 * each a child process. 1: a project with N customers (and a skewed event history) gets 100 auto-update segments;
 * how long the worker takes to compute their members, and the latency of a light API load meanwhile. 2: ingest
 * throughput of events that change customers and count toward event segments, against the same ingest in a fresh
 * project without segments, twice: high churn (phase `ingest`: each event moves its customer across about ten
 * segment boundaries) and steady (phase `steady`: events for a few customers already past every event-count
 * threshold, so they change no membership: what keeping the segments up to date costs in itself). 3: a distribution
 * on "customer entered segment": latency from sending the event that makes a new customer enter to the receiver
 * getting the webhook. Prints figures; judging them is for people.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildServer } from './lib/child.js';
import { machineDescription, startCpuMeter } from './lib/cpu.js';
import { startReceiver, startWorker, type Receiver } from './lib/delivery-stack.js';
import { callJson, createLoadClient, type LoadResult } from './lib/load.js';
import { parseOptions, positiveInt, positiveNumber } from './lib/options.js';
import { runPaced, type PacedResult } from './lib/paced.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out } from './lib/report.js';
import { createProject, repoRoot, startTessera, type ProjectKeys, type RunningTessera } from './lib/tessera.js';
import { report, type Cpu, type Figures, type Ingest, type Latency, type Light, type Round, type Statements } from './segments-report.js';
import {
  customerBody,
  customerPath,
  enteringEventBody,
  historyEventBody,
  schemaBody,
  segmentSpecs,
  steadyCustomers,
  steadyEventBody,
  steadyPrimePerCustomer,
  updatingEventBody,
} from './segments-workload.js';

const raw = parseOptions('Usage: npm run bench:segments -- [options]', {
  customers: { type: 'string', env: 'BENCH_CUSTOMERS', default: '100000', help: 'customers created before the segments' },
  segments: { type: 'string', env: 'BENCH_SEGMENTS', default: '100', help: 'auto-update segments (a project has at most 100)' },
  'history-events': { type: 'string', env: 'BENCH_HISTORY_EVENTS', default: '100000', help: 'events tracked before the segments exist (skewed over customers)' },
  'create-concurrency': { type: 'string', env: 'BENCH_CREATE_CONCURRENCY', default: '64', help: 'clients creating customers and history' },
  'light-rate': { type: 'string', env: 'BENCH_LIGHT_RATE', default: '25', help: 'light load: GET /v1/customers/{id} and POST /v1/events per second, each' },
  'light-idle': { type: 'string', env: 'BENCH_LIGHT_IDLE', default: '10', help: 'seconds of light load before the segments, for comparison' },
  'sync-timeout': { type: 'string', env: 'BENCH_SYNC_TIMEOUT', default: '3600', help: 'give up waiting for the segments after this many seconds' },
  concurrency: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'ingest: concurrent clients' },
  duration: { type: 'string', env: 'BENCH_DURATION', default: '10', help: 'ingest: measured seconds per project' },
  warmup: { type: 'string', env: 'BENCH_WARMUP', default: '3', help: 'ingest: warm-up seconds per project' },
  rounds: {
    type: 'string',
    env: 'BENCH_ROUNDS',
    default: '5',
    help: 'ingest: measurements with and without segments, taken in turn (the machine\'s speed drifts: each ratio compares neighbours; the median counts)',
  },
  'baseline-customers': { type: 'string', env: 'BENCH_BASELINE_CUSTOMERS', help: 'ingest: customers of the project without segments (default: --customers)' },
  rate: { type: 'string', env: 'BENCH_RATE', default: '200', help: 'latency: entering events per second (open loop); several, comma-separated, run one after another' },
  'latency-duration': { type: 'string', env: 'BENCH_LATENCY_DURATION', default: '20', help: 'latency: measured seconds' },
  'latency-warmup': { type: 'string', env: 'BENCH_LATENCY_WARMUP', default: '2', help: 'latency: seconds at the rate before measuring' },
  phases: {
    type: 'string',
    env: 'BENCH_PHASES',
    default: 'ingest,steady,latency',
    help: 'phases after the segments are computed (ingest: events that change memberships; steady: events that change none; latency)',
  },
  'write-concurrency': { type: 'string', env: 'BENCH_WRITE_CONCURRENCY', help: "the API's TESSERA_WRITE_CONCURRENCY (default: Tessera's)" },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_segments', help: 'dropped and recreated' },
  'count-queries': { type: 'boolean', env: 'BENCH_COUNT_QUERIES', help: "count and time the API's and the worker's SQL statements per phase" },
  'cpu-prof': {
    type: 'string',
    env: 'BENCH_CPU_PROF',
    help: 'write V8 CPU profiles of the API and the worker to this directory (per phase: node dist-bench/bench/profile-phases.js <profile> <--json file> <phase>)',
  },
  json: { type: 'string', env: 'BENCH_JSON', help: 'also write the figures as JSON to this file' },
});

const customers = positiveInt('customers', raw.customers);
const opts = {
  customers,
  segments: positiveInt('segments', raw.segments),
  history: raw['history-events'] === '0' ? 0 : positiveInt('history-events', raw['history-events']),
  createConcurrency: positiveInt('create-concurrency', raw['create-concurrency']),
  lightRate: positiveNumber('light-rate', raw['light-rate']),
  lightIdleMs: positiveNumber('light-idle', raw['light-idle']) * 1000,
  syncTimeoutMs: positiveNumber('sync-timeout', raw['sync-timeout']) * 1000,
  concurrency: positiveInt('concurrency', raw.concurrency),
  durationMs: positiveNumber('duration', raw.duration) * 1000,
  warmupMs: raw.warmup === '0' ? 0 : positiveNumber('warmup', raw.warmup) * 1000,
  rounds: positiveInt('rounds', raw.rounds),
  baselineCustomers: raw['baseline-customers'] === undefined ? customers : positiveInt('baseline-customers', raw['baseline-customers']),
  rates: (raw.rate ?? '').split(',').map((r) => positiveNumber('rate', r.trim())),
  latencyDurationMs: positiveNumber('latency-duration', raw['latency-duration']) * 1000,
  latencyWarmupMs: raw['latency-warmup'] === '0' ? 0 : positiveNumber('latency-warmup', raw['latency-warmup']) * 1000,
  phases: new Set((raw.phases ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  adminUrl: raw['database-url']!,
  databaseName: raw['database-name']!,
  writeConcurrency: raw['write-concurrency'] === undefined ? undefined : String(positiveInt('write-concurrency', raw['write-concurrency'])),
};
if (opts.segments > 100) throw new Error('--segments: a project has at most 100 auto-update segments');
for (const p of opts.phases) if (!['ingest', 'steady', 'latency'].includes(p)) throw new Error(`unknown phase '${p}' (ingest, steady, latency)`);

const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures: Figures = { machine: machineDescription(), node: process.version, options: { ...opts, phases: [...opts.phases] } };
let failed = false;

function showErrors(label: string, r: Pick<LoadResult, 'errors' | 'statuses' | 'samples'>): void {
  if (r.errors === 0) return;
  failed = true;
  out(`  !! ${label}: ${fmt(r.errors)} errors; statuses ${JSON.stringify(r.statuses)}`);
  for (const s of r.samples) out(`     e.g. ${s}`);
}

// ---- processes ----------------------------------------------------------------------------------------------

function nodeArgs(name: string): string[] {
  const args: string[] = [];
  if (raw['cpu-prof']) args.push('--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`);
  if (raw['count-queries']) args.push('--import', pathToFileURL(join(repoRoot, 'dist-bench/bench/lib/query-timer.js')).href);
  return args;
}

/** Each child's CPU over a phase (ms per s), with PostgreSQL's backends, this process and the machine. */
function meter(children: Record<string, ChildServer>, pgPids: number[]) {
  const meters = Object.entries(children).map(([name, c], i) => [name, startCpuMeter(c.pid, i === 0 ? pgPids : [])] as const);
  return {
    stop(endPids: number[]): Cpu {
      const cpu: Cpu = {};
      meters.forEach(([name, m], i) => {
        const f = m.stop(i === 0 ? endPids : []);
        cpu[name] = f.serverMsPerS;
        if (i === 0) Object.assign(cpu, { postgres: f.postgresMsPerS, bench: f.loadGenMsPerS, machine_busy_pct: f.machineBusyPct });
      });
      return cpu;
    },
  };
}

async function queryTimes(c: ChildServer): Promise<Record<string, [number, number]>> {
  const line = c.nextLine(/^BENCH_QUERY_TIMES /);
  process.kill(c.pid, 'SIGUSR2');
  return JSON.parse((await line).slice('BENCH_QUERY_TIMES '.length)) as Record<string, [number, number]>;
}

/** Statement counts and times of a child between two calls (when --count-queries). */
async function statementsOf(c: ChildServer): Promise<() => Promise<Statements | undefined>> {
  if (!raw['count-queries']) return async () => undefined;
  const before = await queryTimes(c);
  return async () => {
    const after = await queryTimes(c);
    const diff: Statements = {};
    for (const [k, [n, ms]] of Object.entries(after)) {
      const d: [number, number] = [n - (before[k]?.[0] ?? 0), ms - (before[k]?.[1] ?? 0)];
      if (d[0] > 0) diff[k] = d;
    }
    return diff;
  };
}

// ---- the run ------------------------------------------------------------------------------------------------

out('Tessera segments benchmark: PostgreSQL; the API (`serve --no-worker`), one `tessera worker` and a webhook receiver, each its own process');
out(`Machine: ${machineDescription()}; Node ${process.version}; ${process.platform} ${process.arch}`);
{
  const m = startCpuMeter(process.pid);
  await sleep(1000);
  const idle = m.stop();
  if (idle.machineBusyPct !== undefined) out(`Machine busy before the run (1 s sample): ${fmt(idle.machineBusyPct)}% of all cores`);
}

const receiver: Receiver = await startReceiver();
const env = { TESSERA_ALLOW_PRIVATE_TARGETS: 'true', ...(opts.writeConcurrency ? { TESSERA_WRITE_CONCURRENCY: opts.writeConcurrency } : {}) };
const api: RunningTessera = await startTessera({
  store: 'postgres',
  adminUrl: opts.adminUrl,
  databaseName: opts.databaseName,
  name: 'api',
  serveArgs: ['--no-worker'],
  env,
  isolatedEnv: true,
  nodeArgs: nodeArgs('api'),
});
const databaseUrl = api.databaseUrl!;
const worker: ChildServer = await startWorker(databaseUrl, env, nodeArgs('worker'));
const children = { api: api.server, worker, receiver: receiver.server };
{
  const settings = await withAdmin(databaseUrl, async (c) =>
    (await c.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum', 'synchronous_commit', 'shared_buffers', 'server_version') ORDER BY name",
    )).rows);
  out(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}; ANALYZE after each bulk load (autovacuum would have)`);
  out(`API and worker: their own defaults (no TESSERA_* setting inherited)${opts.writeConcurrency ? `, but TESSERA_WRITE_CONCURRENCY=${opts.writeConcurrency}` : ''}`);
}
out();

/** Now on the monotonic clock V8's CPU profiles use, in µs: phase boundaries for slicing a --cpu-prof profile. */
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

/** Marks a phase: its start and end on the monotonic clock, and the activity recorded in it, by type, a pack's records each (figures.phases). */
async function phaseMark(name: string): Promise<() => Promise<Record<string, number>>> {
  const start = monoUs();
  const seq0 = await lastActivity();
  const wal0 = await walStats();
  return async () => {
    const end = monoUs();
    const wal1 = await walStats();
    const counts = await withAdmin(databaseUrl, async (c) => {
      const { rows } = await c.query<{ type: string; n: number }>(`SELECT x.type, count(*)::int AS n FROM event_log e
           CROSS JOIN LATERAL (SELECT coalesce(m ->> 'type', 'customer.segment.' || (m ->> 1)) AS type
                                 FROM jsonb_array_elements(e.data -> '$pack') m WHERE e.data ? '$pack'
                               UNION ALL SELECT e.type WHERE NOT e.data ? '$pack') x
          WHERE e.seq > $1 GROUP BY x.type ORDER BY x.type`, [seq0]);
      return Object.fromEntries(rows.map((r) => [r.type, r.n]));
    });
    const wal = { bytes: wal1.bytes - wal0.bytes, records: wal1.records - wal0.records, fpi: wal1.fpi - wal0.fpi };
    (figures.phases ??= {})[name] = { mono_us: [start, end], activity: counts, wal };
    return counts;
  };
}

/** The server's WAL so far (pg_stat_wal: every database on the server, not only the bench's). */
async function walStats(): Promise<{ bytes: number; records: number; fpi: number }> {
  return withAdmin(databaseUrl, async (c) => {
    const r = (await c.query<{ b: string; r: string; f: string }>('SELECT wal_bytes::text AS b, wal_records::text AS r, wal_fpi::text AS f FROM pg_stat_wal')).rows[0];
    return { bytes: Number(r?.b ?? 0), records: Number(r?.r ?? 0), fpi: Number(r?.f ?? 0) };
  });
}

async function lastActivity(): Promise<string> {
  return withAdmin(databaseUrl, async (c) => (await c.query<{ s: string }>('SELECT COALESCE(max(seq), 0)::text AS s FROM event_log')).rows[0]!.s);
}

/** Deadlocks PostgreSQL has detected (and broken by aborting a transaction) in the bench database so far. */
async function deadlocks(): Promise<number> {
  return withAdmin(databaseUrl, async (c) =>
    Number((await c.query<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = $1', [opts.databaseName])).rows[0]?.n ?? 0));
}

async function analyze(label: string): Promise<void> {
  const t0 = performance.now();
  await withAdmin(databaseUrl, (c) => c.query('ANALYZE'));
  out(`  ANALYZE (${label}) took ${fmt((performance.now() - t0) / 1000, 1)} s`);
}

/** Creates a project with the event schema and n customers through POST /v1/customers; returns its keys. */
async function populatedProject(name: string, n: number): Promise<{ keys: ProjectKeys; headers: Record<string, string>; created: LoadResult }> {
  const keys = await createProject(api, name);
  await callJson(`${api.server.url}/management/v1/projects/${keys.projectId}/custom-event-schemas`, 'POST', api.management, schemaBody);
  const headers = { 'content-type': 'application/json', ...keys.headers };
  const client = createLoadClient(api.server.url, opts.createConcurrency);
  const created = await client.run({ path: '/v1/customers', headers, body: customerBody, concurrency: opts.createConcurrency, requests: n });
  await client.close();
  showErrors(`${name}: creating customers`, created);
  out(`  ${name}: created ${fmt(created.ok)} customers with POST /v1/customers (${opts.createConcurrency} clients) in `
    + `${fmt(created.elapsedMs / 1000, 1)} s: ${fmt(created.okPerSecond)}/s, p50 ${fmt(created.p50Ms, 1)} ms, p99 ${fmt(created.p99Ms, 1)} ms`);
  return { keys, headers, created };
}

/** GET /v1/customers/{id} and POST /v1/events, each at the light rate, open loop, until the signal (or durationMs). */
async function lightLoad(headers: Record<string, string>, durationMs: number, signal?: AbortSignal, offset = 0): Promise<Light> {
  const common = { ratePerS: opts.lightRate, durationMs, connections: 16, ...(signal ? { signal } : {}) };
  const getHeaders = { 'x-app-id': headers['x-app-id']!, 'x-app-token': headers['x-app-token']! };
  const [get, post] = await Promise.all([
    runPaced(api.server.url, { ...common, method: 'GET', path: (s) => customerPath(opts.customers, offset + s), headers: getHeaders }),
    runPaced(api.server.url, { ...common, path: '/v1/events', headers, body: (s) => updatingEventBody(opts.customers, 5_000_000 + offset + s) }),
  ]);
  showErrors('light load GET', get);
  showErrors('light load POST', post);
  const fig = (r: PacedResult) => ({ sent: r.sent, ok: r.ok, errors: r.errors, p50_ms: r.p50Ms, p99_ms: r.p99Ms, max_ms: r.maxMs });
  return { seconds: get.elapsedMs / 1000, get: fig(get), post: fig(post) };
}

async function phaseSync(): Promise<{ headers: Record<string, string>; keys: ProjectKeys; entryId: string }> {
  out(`Phase 1: ${fmt(opts.customers)} customers, ${fmt(opts.history)} history events, then ${opts.segments} auto-update segments computed in the background`);
  const { keys, headers, created } = await populatedProject('segments project', opts.customers);
  figures.customers = { n: created.ok, seconds: created.elapsedMs / 1000, per_s: created.okPerSecond, p99_ms: created.p99Ms, errors: created.errors };
  if (opts.history > 0) {
    const client = createLoadClient(api.server.url, opts.createConcurrency);
    const h = await client.run({ path: '/v1/events', headers, body: (j) => historyEventBody(opts.customers, j), concurrency: opts.createConcurrency, requests: opts.history });
    await client.close();
    showErrors('history events', h);
    figures.history = { n: h.ok, seconds: h.elapsedMs / 1000, per_s: h.okPerSecond, errors: h.errors };
    out(`  tracked ${fmt(h.ok)} history events in ${fmt(h.elapsedMs / 1000, 1)} s (${fmt(h.okPerSecond)}/s)`);
  }
  await analyze('after loading');

  out(`  light load with no segments: GET /v1/customers/{id} and POST /v1/events, ${fmt(opts.lightRate)}/s each, ${opts.lightIdleMs / 1000} s`);
  figures.light_idle = await lightLoad(headers, opts.lightIdleMs);
  out(`    GET p50 ${fmt(figures.light_idle.get.p50_ms, 1)} / p99 ${fmt(figures.light_idle.get.p99_ms, 1)} ms; `
    + `POST p50 ${fmt(figures.light_idle.post.p50_ms, 1)} / p99 ${fmt(figures.light_idle.post.p99_ms, 1)} ms`);

  const specs = segmentSpecs(opts.segments);
  const stop = new AbortController();
  const workerStatements = await statementsOf(worker);
  const cpuMeter = meter(children, await api.backendPids());
  const deadlocks0 = await deadlocks();
  const mark = await phaseMark('sync');
  const t0 = performance.now();
  const light = lightLoad(headers, opts.syncTimeoutMs, stop.signal, 1_000_000);
  const ids: string[] = [];
  const createdAt: number[] = [];
  for (const s of specs) {
    const seg = await callJson<{ id: string }>(`${api.server.url}/v1/segments`, 'POST', headers, s.body);
    ids.push(seg.id);
    createdAt.push(performance.now() - t0);
  }
  out(`  created ${ids.length} segments in ${fmt(createdAt.at(-1)! / 1000, 2)} s; waiting for their members (polling GET /v1/segments/{id})`);

  // One worker computes segments oldest first, so waiting on each in turn sees them finish in order.
  const doneAt: number[] = [];
  let lastReport = performance.now();
  let progress = { processed: 0, total: 0 };
  while (doneAt.length < ids.length && performance.now() - t0 < opts.syncTimeoutMs) {
    const s = await callJson<{ sync: { status: string; processed: number; total: number } }>(`${api.server.url}/v1/segments/${ids[doneAt.length]}`, 'GET', headers);
    progress = s.sync;
    if (s.sync.status === 'DONE') {
      doneAt.push(performance.now() - t0);
      continue;
    }
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      out(`    ${fmt((lastReport - t0) / 1000)} s: ${doneAt.length} of ${ids.length} done; the current one at ${fmt(progress.processed)} of ${fmt(progress.total)}`);
    }
    await sleep(50);
  }
  const seconds = (doneAt.at(-1) ?? performance.now() - t0) / 1000;
  stop.abort();
  const lightDuring = await light;
  const cpu = cpuMeter.stop(await api.backendPids());
  const statements = await workerStatements();
  const activity = await mark();
  if (doneAt.length < ids.length) {
    failed = true;
    out(`  !! only ${doneAt.length} of ${ids.length} segments were computed within ${opts.syncTimeoutMs / 1000} s (the next at ${progress.processed} of ${progress.total})`);
  }
  const membership = await withAdmin(databaseUrl, async (c) => {
    const { rows } = await c.query<{ segment_id: string; n: number }>(
      `SELECT s.id AS segment_id, count(m.customer_id)::int AS n FROM segments s
         LEFT JOIN (SELECT customer_id, unnest(segments) AS num FROM customer_segments) m ON m.num = s.num GROUP BY s.id`,
    );
    const checks = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM segment_rechecks')).rows[0]!.n;
    return { members: new Map(rows.map((r) => [r.segment_id, r.n])), checks };
  });
  const perSegment = specs.map((s, i) => ({
    kind: s.kind,
    members: membership.members.get(ids[i]!) ?? 0,
    created_s: createdAt[i]! / 1000,
    done_s: (doneAt[i] ?? NaN) / 1000,
    // Computed one after another: from when it was created or the previous one finished, to when it was seen done.
    seconds: doneAt[i] === undefined ? NaN : (doneAt[i]! - Math.max(createdAt[i]!, doneAt[i - 1] ?? 0)) / 1000,
  }));
  figures.sync = {
    segments: ids.length,
    done: doneAt.length,
    customers: opts.customers,
    seconds,
    evaluations_per_s: (doneAt.length * opts.customers) / seconds,
    create_seconds: createdAt.at(-1)! / 1000,
    member_rows: [...membership.members.values()].reduce((a, b) => a + b, 0),
    check_rows: membership.checks,
    deadlocks: (await deadlocks()) - deadlocks0,
    light_events: lightDuring.post.ok,
    entered_left: (activity['customer.segment.entered'] ?? 0) + (activity['customer.segment.left'] ?? 0),
    per_segment: perSegment,
    cpu,
    ...(statements ? { worker_statements: statements } : {}),
  };
  figures.light_sync = lightDuring;
  out(`  computed ${doneAt.length} segments over ${fmt(opts.customers)} customers in ${fmt(seconds, 1)} s `
    + `(${fmt(figures.sync.evaluations_per_s)} customer-segment evaluations/s); ${fmt(figures.sync.member_rows)} memberships, ${fmt(membership.checks)} time-based checks`);
  out(`  light load meanwhile (${fmt(lightDuring.seconds, 1)} s): GET p50 ${fmt(lightDuring.get.p50_ms, 1)} / p99 ${fmt(lightDuring.get.p99_ms, 1)} ms; `
    + `POST p50 ${fmt(lightDuring.post.p50_ms, 1)} / p99 ${fmt(lightDuring.post.p99_ms, 1)} ms`);
  await analyze('after the segments');
  return { headers, keys, entryId: ids.at(-1)! };
}

/**
 * Closed-loop ingest of the events `body` gives (by sequence number): `prime` events first if asked (unmeasured:
 * they bring the customers to the state the phase is about), a warm-up, then the measured phase with CPU and statements.
 */
async function ingest(label: string, phase: string, headers: Record<string, string>, body: (seq: number) => string, prime = 0, from = 0) {
  const client = createLoadClient(api.server.url, opts.concurrency);
  const spec = { path: '/v1/events', headers, concurrency: opts.concurrency };
  let seq = from;
  if (prime > 0) {
    const p = await client.run({ ...spec, body: (s) => body(seq + s), requests: prime });
    showErrors(`${label} priming`, p);
    seq += p.ok + p.errors;
  }
  if (opts.warmupMs > 0) {
    const w = await client.run({ ...spec, body: (s) => body(seq + s), durationMs: opts.warmupMs });
    showErrors(`${label} warm-up`, w);
    seq += w.ok + w.errors;
  }
  const apiStatements = await statementsOf(api.server);
  const m = meter(children, await api.backendPids());
  const deadlocks0 = await deadlocks();
  const mark = await phaseMark(phase);
  const r = await client.run({ ...spec, body: (s) => body(seq + s), durationMs: opts.durationMs });
  seq += r.ok + r.errors;
  const cpu = m.stop(await api.backendPids());
  const activity = await mark();
  const changes = (activity['customer.segment.entered'] ?? 0) + (activity['customer.segment.left'] ?? 0);
  const dl = (await deadlocks()) - deadlocks0;
  const statements = await apiStatements();
  await client.close();
  showErrors(label, r);
  out(`  ${label}: ${fmt(r.ok)} events in ${fmt(r.elapsedMs / 1000, 1)} s: ${fmt(r.okPerSecond)}/s, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms; `
    + `${fmt(changes / Math.max(1, r.ok), 2)} segment entries and exits recorded per event; ${dl} deadlocks`);
  return { next: seq, events_per_s: r.okPerSecond, p50_ms: r.p50Ms, p99_ms: r.p99Ms, max_ms: r.maxMs, ok: r.ok, errors: r.errors, deadlocks: dl, entered_left_per_event: changes / Math.max(1, r.ok), cpu, ...(statements ? { api_statements: statements } : {}) };
}

let baseline: Record<string, string> | undefined;

/** The headers of the project without segments (the same customers, no history), created when first needed. */
async function baselineHeaders(): Promise<Record<string, string>> {
  if (!baseline) {
    baseline = (await populatedProject('project without segments', opts.baselineCustomers)).headers;
    await analyze('after the second project');
  }
  return baseline;
}

/**
 * Measures ingest with and without segments in turn, opts.rounds times each: the machine's speed drifts over minutes
 * (other tenants), so each round's ratio compares neighbouring measurements. Reports every round and keeps the
 * median round (its ratio, latencies, CPU and statements) as the figure. Each project's events continue where its
 * previous round stopped.
 */
async function rounds(
  kind: string,
  phase: string,
  withHeaders: Record<string, string>,
  body: (seq: number) => string,
  bodyWithout: (seq: number) => string,
  prime = 0,
): Promise<{ with_segments: Ingest; without_segments: Ingest; ratio: number; rounds: Round[] }> {
  const done: Array<{ w: Ingest; o: Ingest; ratio: number }> = [];
  let nextWith = 0;
  let nextWithout = 0;
  for (let r = 1; r <= opts.rounds; r++) {
    const suffix = r === 1 ? '' : `_r${r}`;
    const round = opts.rounds > 1 ? `, round ${r} of ${opts.rounds}` : '';
    const w = await ingest(`with ${opts.segments} segments${round}`, `${phase}_with_segments${suffix}`, withHeaders, body, r === 1 ? prime : 0, nextWith);
    const o = await ingest(`without segments${round}`, `${phase}_without_segments${suffix}`, await baselineHeaders(), bodyWithout, r === 1 ? prime : 0, nextWithout);
    nextWith = w.next;
    nextWithout = o.next;
    done.push({ w, o, ratio: w.events_per_s / o.events_per_s });
  }
  const sorted = [...done].sort((a, b) => a.ratio - b.ratio);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  out(`  ${kind} ratio per round: ${done.map((d) => `${fmt(d.ratio * 100, 1)}%`).join(', ')}; median ${fmt(median.ratio * 100, 1)}% of the no-segment figure`);
  return {
    with_segments: median.w,
    without_segments: median.o,
    ratio: median.ratio,
    rounds: done.map((d) => ({ with_per_s: d.w.events_per_s, without_per_s: d.o.events_per_s, ratio: d.ratio })),
  };
}

async function phaseIngest(headers: Record<string, string>): Promise<void> {
  out(`Phase 2 (high churn): POST /v1/events, ${opts.concurrency} clients, ${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s, `
    + `with and without segments in turn, ${opts.rounds} times; each event counts toward the event segments and changes its customer's `
    + 'metadata (last order; one in four also the score)');
  // Both projects get the same sequence of events (customer numbers and order ids), each from where it stopped.
  figures.ingest = await rounds('high churn', 'ingest', headers, (s) => updatingEventBody(opts.customers, s), (s) => updatingEventBody(opts.baselineCustomers, s));
}

async function phaseSteady(headers: Record<string, string>): Promise<void> {
  const set = steadyCustomers(opts.customers);
  const prime = steadyPrimePerCustomer * set;
  out(`Phase 2 (steady): POST /v1/events, ${opts.concurrency} clients, to cust-0..cust-${set - 1} (the most history events); `
    + `${fmt(prime)} unmeasured events first (${steadyPrimePerCustomer} each: past every event-count threshold), then `
    + `${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s, with and without segments in turn, ${opts.rounds} times; each `
    + 'event counts toward the event segments and changes only its customer\'s last order, so it should change no membership');
  // Order ids no other phase sends, so that every event does change the last order; both projects primed the same way.
  const body = (s: number) => steadyEventBody(set, 50_000_000 + s);
  figures.steady = { customers: set, primed: prime, ...(await rounds('steady', 'ingest_steady', headers, body, body, prime)) };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
}

async function phaseLatency(headers: Record<string, string>, entryId: string): Promise<void> {
  out(`Phase 3: a distribution on "customer entered" the entry segment; events for new customers who enter it, open loop, `
    + `${opts.latencyWarmupMs / 1000} s warm-up + ${opts.latencyDurationMs / 1000} s measured, at ${opts.rates.map((r) => `${fmt(r)}/s`).join(', then ')}`);
  await callJson(`${api.server.url}/v1/distributions`, 'POST', headers, {
    name: 'bench entry',
    trigger: { type: 'customer.segment.entered', segment_id: entryId },
    channel: { type: 'webhook', target_url: receiver.hookUrl, event_name: 'bench.customer.entered' },
  });
  figures.latency = [];
  let offset = 0;
  for (const rate of opts.rates) {
    figures.latency.push(await latencyAt(headers, rate, offset));
    offset += 10_000_000;
  }
}

async function latencyAt(headers: Record<string, string>, rate: number, offset: number): Promise<Latency> {
  await receiver.reset();
  const apiStatements = await statementsOf(api.server);
  const m = meter(children, await api.backendPids());
  const deadlocks0 = await deadlocks();
  const mark = await phaseMark(`latency_${rate}`);
  const interval = 1000 / rate;
  const startWall = wallNow();
  const paced = await runPaced(api.server.url, {
    path: '/v1/events',
    headers,
    body: (seq) => enteringEventBody(offset + seq, startWall + seq * interval),
    ratePerS: rate,
    durationMs: opts.latencyWarmupMs + opts.latencyDurationMs,
    connections: 64,
  });
  const s = await receiver.waitFor(paced.ok);
  const cpu = m.stop(await api.backendPids());
  const statements = await apiStatements();
  const activity = await mark();
  showErrors(`phase 3 at ${rate}/s`, paced);
  if (s.unique < paced.ok) {
    failed = true;
    out(`  !! only ${fmt(s.unique)} of ${fmt(paced.ok)} webhooks arrived (nothing new for 30 s)`);
  }
  const measured = (await receiver.arrivals()).filter((a) => a.sentAt >= startWall + opts.latencyWarmupMs);
  const sorted = (f: (a: (typeof measured)[number]) => number) => measured.map(f).sort((a, b) => a - b);
  const lat = sorted((a) => a.at - a.sentAt);
  const commit = sorted((a) => a.at - a.createdAt);
  const q = (xs: number[]) => ({ p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), max: xs.at(-1) ?? NaN });
  const l: Latency = {
    rate,
    sent_per_s: paced.okPerSecond,
    api_p50_ms: paced.p50Ms,
    api_p99_ms: paced.p99Ms,
    sent: paced.ok,
    received: s.unique,
    duplicates: s.duplicates,
    measured: lat.length,
    send_to_receipt_ms: q(lat),
    commit_to_receipt_ms: q(commit),
    deadlocks: (await deadlocks()) - deadlocks0,
    entered_left_per_event: ((activity['customer.segment.entered'] ?? 0) + (activity['customer.segment.left'] ?? 0)) / Math.max(1, paced.ok),
    cpu,
    ...(statements ? { api_statements: statements } : {}),
  };
  out(`  ${fmt(rate)}/s: sent ${fmt(paced.ok)} (${fmt(paced.okPerSecond)}/s; API p50 ${fmt(paced.p50Ms, 1)} / p99 ${fmt(paced.p99Ms, 1)} ms from when due); received ${fmt(s.unique)}; `
    + `send-to-webhook p50 ${fmt(l.send_to_receipt_ms.p50, 1)} / p99 ${fmt(l.send_to_receipt_ms.p99, 1)} ms over ${fmt(lat.length)} webhooks; `
    + `${fmt(l.entered_left_per_event, 1)} segment entries recorded per new customer`);
  return l;
}

try {
  const { headers, entryId } = await phaseSync();
  out();
  if (opts.phases.has('ingest')) await phaseIngest(headers);
  out();
  if (opts.phases.has('steady')) await phaseSteady(headers);
  out();
  if (opts.phases.has('latency')) await phaseLatency(headers, entryId);
} finally {
  await worker.stop();
  await api.stop();
  await receiver.server.stop();
  report(figures);
}
if (raw.json) {
  await writeFile(raw.json, `${JSON.stringify(figures, null, 2)}\n`);
  out(`\nFigures written to ${raw.json}`);
}
if (failed) {
  out('\nSome requests, segments or webhooks failed (see !! above): these figures are not trustworthy.');
  process.exitCode = 1;
}
