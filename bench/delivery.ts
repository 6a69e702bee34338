/**
 * Delivery benchmark, on PostgreSQL: one `tessera worker` process delivering customer.created webhooks to a local
 * receiver that answers 200 at once. Phase A empties a backlog of sendouts queued through the API while no worker
 * ran (throughput); phase B creates customers at a fixed rate with the worker running (commit-to-receipt latency);
 * then raw undici POSTs from Node to the same receiver, at the worker's in-flight concurrency, give the ceiling.
 * Prints figures; judging them is for people.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildServer } from './lib/child.js';
import { machineDescription, startCpuMeter, type CpuFigures } from './lib/cpu.js';
import { startApi, startReceiver, startWorker, type Receiver } from './lib/delivery-stack.js';
import { callJson, createLoadClient, type LoadResult } from './lib/load.js';
import { parseOptions, positiveInt, positiveNumber } from './lib/options.js';
import { runPaced } from './lib/paced.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out, table } from './lib/report.js';
import { repoRoot } from './lib/tessera.js';
import { customerBody, eventName, schemaBody } from './ingest-workload.js';

const raw = parseOptions('Usage: npm run bench:delivery -- [options]', {
  sendouts: { type: 'string', env: 'BENCH_SENDOUTS', default: '20000', help: 'phase A: sendouts queued before the worker starts' },
  rate: { type: 'string', env: 'BENCH_RATE', default: '500', help: 'phase B: customers created per second (open loop)' },
  duration: { type: 'string', env: 'BENCH_DURATION', default: '20', help: 'phase B: measured seconds' },
  warmup: { type: 'string', env: 'BENCH_WARMUP', default: '2', help: 'phase B: seconds at the rate before measuring' },
  via: {
    type: 'string',
    env: 'BENCH_VIA',
    default: 'customers',
    help: 'phase B creates customers with POST /v1/customers (customers) or with custom events for new customers, POST /v1/events, group-committed (events)',
  },
  concurrency: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'API clients queueing phase A' },
  batch: { type: 'string', env: 'TESSERA_DELIVERY_BATCH', default: '100', help: "the worker's claim size" },
  'in-flight': { type: 'string', env: 'TESSERA_DELIVERY_CONCURRENCY', default: '256', help: "the worker's sendouts in flight" },
  'raw-duration': { type: 'string', env: 'BENCH_RAW_DURATION', default: '5', help: 'measured seconds of raw POSTs' },
  phases: { type: 'string', env: 'BENCH_PHASES', default: 'a,b,raw', help: 'phases to run, comma-separated (a, b, raw)' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_delivery', help: 'dropped and recreated' },
  analyze: {
    type: 'boolean',
    env: 'BENCH_ANALYZE',
    help: 'ANALYZE the database before each phase, as autovacuum would have by then (see the autovacuum line printed first)',
  },
  'count-queries': { type: 'boolean', env: 'BENCH_COUNT_QUERIES', help: "count and time the worker's SQL statements per phase" },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF', help: 'write a V8 CPU profile of the worker to this directory' },
  json: { type: 'string', env: 'BENCH_JSON', help: 'also write the figures as JSON to this file' },
});

const opts = {
  sendouts: positiveInt('sendouts', raw.sendouts),
  rate: positiveNumber('rate', raw.rate),
  durationMs: positiveNumber('duration', raw.duration) * 1000,
  warmupMs: raw.warmup === '0' ? 0 : positiveNumber('warmup', raw.warmup) * 1000,
  via: raw.via as 'customers' | 'events',
  concurrency: positiveInt('concurrency', raw.concurrency),
  batch: positiveInt('batch', raw.batch),
  inFlight: positiveInt('in-flight', raw['in-flight']),
  rawDurationMs: positiveNumber('raw-duration', raw['raw-duration']) * 1000,
  phases: new Set((raw.phases ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  adminUrl: raw['database-url']!,
  databaseName: raw['database-name']!,
};
if (opts.via !== 'customers' && opts.via !== 'events') throw new Error(`--via must be customers or events, got '${opts.via}'`);
for (const p of opts.phases) if (!['a', 'b', 'raw'].includes(p)) throw new Error(`unknown phase '${p}' (a, b, raw)`);

/** The sender's undici Agent keeps at most this many connections per origin (src/modules/delivery/sender.ts). */
const senderConnections = 128;
const inFlight = Math.min(opts.inFlight, senderConnections);
const wallNow = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
}

interface Cpu {
  worker?: CpuFigures;
  api?: CpuFigures;
  receiver?: CpuFigures;
}

/** CPU of each child over one phase; PostgreSQL's backends and the bench itself are in the first meter's figures. */
function meterProcesses(procs: { worker?: ChildServer; api?: ChildServer; receiver: ChildServer }, pgPids: number[]) {
  const w = procs.worker ? startCpuMeter(procs.worker.pid, pgPids) : undefined;
  const a = procs.api ? startCpuMeter(procs.api.pid) : undefined;
  const r = startCpuMeter(procs.receiver.pid, w ? [] : pgPids);
  return {
    stop: (endPids: number[]): Cpu => ({
      ...(w ? { worker: w.stop(endPids) } : {}),
      ...(a ? { api: a.stop() } : {}),
      receiver: r.stop(w ? [] : endPids),
    }),
  };
}

let failed = false;
function showErrors(label: string, r: Pick<LoadResult, 'errors' | 'statuses' | 'samples'>): void {
  if (r.errors === 0) return;
  failed = true;
  out(`  !! ${label}: ${fmt(r.errors)} errors; statuses ${JSON.stringify(r.statuses)}`);
  for (const s of r.samples) out(`     e.g. ${s}`);
}

/** A custom event whose customer is new, so it also records customer.created (its webhook is what we time). */
function newCustomerEvent(seq: number): string {
  return JSON.stringify({
    event: eventName,
    customer: { source_id: `cust-${seq}`, name: `Customer ${seq}`, email: `cust-${seq}@bench.example` },
    metadata: { order_id: `ord-${seq}`, amount: ((seq % 1000) + 1) / 10, completed_at: new Date().toISOString() },
  });
}

interface PhaseA {
  queued: number;
  queue_per_s: number;
  received: number;
  duplicates: number;
  seconds_first_to_last: number;
  deliveries_per_s: number;
  seconds_from_worker_spawn: number;
  deliveries_per_s_incl_startup: number;
  sendouts: Record<string, number>;
  cpu: Cpu;
}

interface PhaseB {
  via: string;
  rate: number;
  created_per_s: number;
  api_p50_ms: number;
  api_p99_ms: number;
  created: number;
  received: number;
  duplicates: number;
  measured: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  latency_from_event_ms: { p50: number; p99: number; max: number };
  sendouts: Record<string, number>;
  cpu: Cpu;
}

interface Raw {
  concurrency: number;
  posts_per_s: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  cpu: Cpu;
}

const figures: {
  machine: string;
  node: string;
  options: unknown;
  phase_a?: PhaseA;
  phase_b?: PhaseB;
  raw?: Raw;
  ratio?: number;
  /** Worker SQL per phase: statement -> [calls, ms]. */
  worker_statements?: { a?: Record<string, [number, number]>; b?: Record<string, [number, number]> };
} = { machine: machineDescription(), node: process.version, options: { ...opts, phases: [...opts.phases], inFlight } };

out('Tessera delivery benchmark: one `tessera worker` process, PostgreSQL, customer.created webhooks to a local receiver answering 200 at once');
out(`Machine: ${machineDescription()}; Node ${process.version}; ${process.platform} ${process.arch}`);
out(`Worker: TESSERA_DELIVERY_BATCH=${opts.batch}, TESSERA_DELIVERY_CONCURRENCY=${opts.inFlight}, TESSERA_DB_POOL_SIZE=${process.env.TESSERA_DB_POOL_SIZE ?? 'default'}; `
  + `at most ${inFlight} POSTs in flight (min(in-flight, the sender's ${senderConnections} connections per origin))`);
{
  const meter = startCpuMeter(process.pid);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = meter.stop();
  if (idle.machineBusyPct !== undefined) out(`Machine busy before the run (1 s sample): ${fmt(idle.machineBusyPct)}% of all cores`);
}
const api = await startApi(opts.adminUrl, opts.databaseName, { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' });
const databaseUrl = api.databaseUrl!;
{
  // Dead sendout versions pile up in the due index until vacuum; a server without autovacuum never clears them.
  const settings = await withAdmin(databaseUrl, async (c) =>
    (await c.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum', 'autovacuum_naptime', 'synchronous_commit', 'server_version') ORDER BY name",
    )).rows);
  out(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}${raw.analyze ? '; --analyze: ANALYZE before each phase' : ''}`);
}
out();

const receiver: Receiver = await startReceiver();
const pgPids = api.backendPids;
let worker: ChildServer | undefined;
let keys: Record<string, string> = {};

async function sendoutStatuses(): Promise<Record<string, number>> {
  return withAdmin(databaseUrl, async (c) => {
    const { rows } = await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM sendouts GROUP BY status ORDER BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

async function analyze(): Promise<void> {
  if (!raw.analyze) return;
  await withAdmin(databaseUrl, (c) => c.query('ANALYZE'));
  out('  ANALYZE done (--analyze)');
}

async function spawnWorker(): Promise<ChildServer> {
  const nodeArgs: string[] = [];
  if (raw['cpu-prof']) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=worker-${Date.now()}.cpuprofile`);
  if (raw['count-queries']) nodeArgs.push('--import', pathToFileURL(join(repoRoot, 'dist-bench/bench/lib/query-timer.js')).href);
  return startWorker(
    databaseUrl,
    { TESSERA_ALLOW_PRIVATE_TARGETS: 'true', TESSERA_DELIVERY_BATCH: String(opts.batch), TESSERA_DELIVERY_CONCURRENCY: String(opts.inFlight) },
    nodeArgs,
  );
}

async function queryTimes(w: ChildServer): Promise<Record<string, [number, number]>> {
  const line = w.nextLine(/^BENCH_QUERY_TIMES /);
  process.kill(w.pid, 'SIGUSR2');
  return JSON.parse((await line).slice('BENCH_QUERY_TIMES '.length)) as Record<string, [number, number]>;
}

/** Phase A: the backlog. No worker runs yet, so every customer's sendout waits in the outbox; then one starts. */
async function phaseA(): Promise<PhaseA> {
  out(`Phase A: queueing ${fmt(opts.sendouts)} sendouts (POST /v1/customers, ${opts.concurrency} clients, no worker running)`);
  const client = createLoadClient(api.server.url, opts.concurrency);
  const queued = await client.run({ path: '/v1/customers', headers: keys, body: customerBody, concurrency: opts.concurrency, requests: opts.sendouts });
  await client.close();
  showErrors('queueing', queued);
  out(`  queued ${fmt(queued.ok)} in ${fmt(queued.elapsedMs / 1000, 1)} s (${fmt(queued.okPerSecond)} customers/s); sendouts: ${JSON.stringify(await sendoutStatuses())}`);

  await analyze();
  const pids0 = await pgPids();
  const spawnedAt = wallNow();
  worker = await spawnWorker();
  const meter = meterProcesses({ worker, receiver: receiver.server }, pids0);
  const s = await receiver.waitFor(queued.ok);
  const cpu = meter.stop(await pgPids());
  const span = (s.last_ms - s.first_ms) / 1000;
  const fromSpawn = (s.last_ms - spawnedAt) / 1000;
  const a: PhaseA = {
    queued: queued.ok,
    queue_per_s: queued.okPerSecond,
    received: s.unique,
    duplicates: s.duplicates,
    seconds_first_to_last: span,
    deliveries_per_s: (s.unique - 1) / span,
    seconds_from_worker_spawn: fromSpawn,
    deliveries_per_s_incl_startup: s.unique / fromSpawn,
    sendouts: await sendoutStatuses(),
    cpu,
  };
  if (s.unique < queued.ok) {
    failed = true;
    out(`  !! only ${fmt(s.unique)} of ${fmt(queued.ok)} arrived (nothing new for 30 s)`);
  }
  out(`  delivered ${fmt(s.unique)} in ${fmt(span, 2)} s from first to last arrival: ${fmt(a.deliveries_per_s)}/s `
    + `(${fmt(a.deliveries_per_s_incl_startup)}/s from the worker's spawn); duplicates ${fmt(s.duplicates)}; sendouts ${JSON.stringify(a.sendouts)}`);
  if (raw['count-queries']) figures.worker_statements = { a: await queryTimes(worker) };
  return a;
}

/** Phase B: a steady arrival rate with the worker running; latency from the sendout's commit to its receipt. */
async function phaseB(): Promise<PhaseB> {
  worker ??= await spawnWorker();
  const path = opts.via === 'customers' ? '/v1/customers' : '/v1/events';
  out(`Phase B: ${opts.rate} new customers/s via POST ${path}, open loop, ${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s measured`);
  if (opts.via === 'events') await callJson(`${api.server.url}/management/v1/projects/${projectId}/custom-event-schemas`, 'POST', api.management, schemaBody);
  await analyze();
  await receiver.reset();
  const times0 = raw['count-queries'] ? await queryTimes(worker) : undefined;
  const offset = opts.sendouts + 1_000_000;
  const measureFrom = wallNow() + opts.warmupMs;
  const meter = meterProcesses({ worker, api: api.server, receiver: receiver.server }, await pgPids());
  const paced = await runPaced(api.server.url, {
    path,
    headers: keys,
    body: (seq) => (opts.via === 'customers' ? customerBody(offset + seq) : newCustomerEvent(offset + seq)),
    ratePerS: opts.rate,
    durationMs: opts.warmupMs + opts.durationMs,
    connections: 64,
  });
  const s = await receiver.waitFor(paced.ok);
  const cpu = meter.stop(await pgPids());
  if (times0) {
    const times1 = await queryTimes(worker);
    const diff = Object.entries(times1).map(([k, [c, ms]]): [string, [number, number]] => [k, [c - (times0[k]?.[0] ?? 0), ms - (times0[k]?.[1] ?? 0)]]);
    figures.worker_statements = { ...figures.worker_statements, b: Object.fromEntries(diff.filter(([, [c]]) => c > 0)) };
  }
  showErrors('phase B', paced);
  const arrivals = (await receiver.arrivals()).filter((x) => x.createdAt >= measureFrom);
  const lat = arrivals.map((x) => x.at - x.createdAt).sort((p, q) => p - q);
  const latEvent = arrivals.map((x) => x.at - x.eventCreatedAt).sort((p, q) => p - q);
  const b: PhaseB = {
    via: path,
    rate: opts.rate,
    created_per_s: paced.okPerSecond,
    api_p50_ms: paced.p50Ms,
    api_p99_ms: paced.p99Ms,
    created: paced.ok,
    received: s.unique,
    duplicates: s.duplicates,
    measured: lat.length,
    latency_ms: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: lat.at(-1) ?? NaN },
    latency_from_event_ms: { p50: percentile(latEvent, 50), p99: percentile(latEvent, 99), max: latEvent.at(-1) ?? NaN },
    sendouts: await sendoutStatuses(),
    cpu,
  };
  if (s.unique < paced.ok) {
    failed = true;
    out(`  !! only ${fmt(s.unique)} of ${fmt(paced.ok)} arrived`);
  }
  out(`  created ${fmt(paced.ok)} (${fmt(paced.okPerSecond)}/s; API p50 ${fmt(paced.p50Ms, 1)} ms, p99 ${fmt(paced.p99Ms, 1)} ms from when each was due); `
    + `received ${fmt(s.unique)}; commit-to-receipt p50 ${fmt(b.latency_ms.p50, 1)} ms, p99 ${fmt(b.latency_ms.p99, 1)} ms over ${fmt(lat.length)} webhooks`);
  if (paced.okPerSecond < opts.rate * 0.95) {
    out(`  !! the API created ${fmt(paced.okPerSecond)}/s, not ${fmt(opts.rate)}/s: the latency above is at that lower rate `
      + `(the API, not delivery, was the limit${opts.via === 'customers' ? '; try --via events, whose writes are group-committed' : ''})`);
  }
  return b;
}

/** The ceiling: the same receiver, POSTed to from Node with undici at the worker's in-flight concurrency. */
async function rawPosts(): Promise<Raw> {
  out(`Raw POSTs: undici from the bench process, ${inFlight} connections, 1 s warm-up + ${opts.rawDurationMs / 1000} s`);
  const sample = await withAdmin(databaseUrl, async (c) => (await c.query<{ body: string }>('SELECT body FROM sendouts LIMIT 1')).rows[0]?.body);
  const body = sample ?? customerBody(0);
  const client = createLoadClient(receiver.server.url, inFlight);
  const spec = {
    path: '/hook',
    headers: { 'content-type': 'application/json', 'user-agent': 'bench', 'x-voucherify-signature': '0'.repeat(64) },
    body: () => body,
    concurrency: inFlight,
  };
  await client.run({ ...spec, durationMs: 1000 });
  const meter = meterProcesses({ receiver: receiver.server }, []);
  const r = await client.run({ ...spec, durationMs: opts.rawDurationMs });
  const cpu = meter.stop([]);
  await client.close();
  showErrors('raw POSTs', r);
  out(`  ${fmt(r.okPerSecond)} POSTs/s (p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms)`);
  return { concurrency: inFlight, posts_per_s: r.okPerSecond, p50_ms: r.p50Ms, p99_ms: r.p99Ms, errors: r.errors, cpu };
}

function report(): void {
  const { phase_a: a, phase_b: b, raw: r } = figures;
  const pct = (f?: CpuFigures, key: 'serverMsPerS' | 'postgresMsPerS' | 'loadGenMsPerS' = 'serverMsPerS') =>
    f?.[key] === undefined ? '-' : `${fmt(f[key]! / 10)}%`;
  const per = (f: CpuFigures | undefined, key: 'serverMsPerS' | 'postgresMsPerS', rate: number) => fmt((f?.[key] ?? NaN) / rate, 3);
  const rows: string[][] = [];
  if (a) {
    rows.push(['A: deliveries/s, one worker (first to last arrival)', fmt(a.deliveries_per_s), '>= 2,000']);
    rows.push(['A: deliveries/s counting the worker start-up', fmt(a.deliveries_per_s_incl_startup), '']);
  }
  if (b) {
    rows.push([`B: created/s via ${b.via} (asked)`, `${fmt(b.created_per_s)} (${fmt(b.rate)})`, '500']);
    rows.push(['B: commit-to-receipt p50 ms', fmt(b.latency_ms.p50, 1), '']);
    rows.push(['B: commit-to-receipt p90 ms', fmt(b.latency_ms.p90, 1), '']);
    rows.push(['B: commit-to-receipt p99 ms', fmt(b.latency_ms.p99, 1), '<= 200']);
    rows.push(['B: commit-to-receipt max ms', fmt(b.latency_ms.max, 1), '']);
    rows.push(['B: event-recorded-to-receipt p50 / p99 ms', `${fmt(b.latency_from_event_ms.p50, 1)} / ${fmt(b.latency_from_event_ms.p99, 1)}`, '']);
  }
  if (r) rows.push([`raw undici POSTs/s (${r.concurrency} connections)`, fmt(r.posts_per_s), '']);
  if (a && r) {
    figures.ratio = a.deliveries_per_s / r.posts_per_s;
    rows.push(['A deliveries/s / raw POSTs/s', `${fmt(figures.ratio * 100, 1)}%`, '']);
  }
  out();
  out(table(['figure', 'value', 'issue target'], rows));
  if (b) {
    out("(commit-to-receipt = the receiver's arrival time - the envelope's created_at, which is stamped inside the transaction that "
      + 'commits the sendout, a few ms before COMMIT, so it slightly overstates; one machine, one clock; only webhooks created after the warm-up)');
  }
  out();
  out('CPU, % of one core (PostgreSQL = every backend of the bench database; bench = this process: load generator, polling)');
  const cpuRows: string[][] = [];
  if (a) {
    cpuRows.push(['A backlog', pct(a.cpu.worker), pct(a.cpu.worker, 'postgresMsPerS'), '-', pct(a.cpu.receiver), pct(a.cpu.receiver, 'loadGenMsPerS'),
      `${fmt(a.cpu.receiver?.machineBusyPct)}%`, per(a.cpu.worker, 'serverMsPerS', a.deliveries_per_s), per(a.cpu.worker, 'postgresMsPerS', a.deliveries_per_s)]);
  }
  if (b) {
    cpuRows.push([`B ${fmt(b.created_per_s)}/s`, pct(b.cpu.worker), pct(b.cpu.worker, 'postgresMsPerS'), pct(b.cpu.api), pct(b.cpu.receiver),
      pct(b.cpu.receiver, 'loadGenMsPerS'), `${fmt(b.cpu.receiver?.machineBusyPct)}%`, per(b.cpu.worker, 'serverMsPerS', b.created_per_s),
      `${per(b.cpu.worker, 'postgresMsPerS', b.created_per_s)} (incl. API's)`]);
  }
  if (r) cpuRows.push(['raw POSTs', '-', '-', '-', pct(r.cpu.receiver), pct(r.cpu.receiver, 'loadGenMsPerS'), `${fmt(r.cpu.receiver?.machineBusyPct)}%`, '-', '-']);
  out(table(['phase', 'worker', 'postgres', 'api', 'receiver', 'bench', 'machine busy', 'worker ms/delivery', 'pg ms/delivery'], cpuRows));
  out('(machine busy is of all cores and includes anything else running on the machine)');
  const statements = (label: string, times: Record<string, [number, number]> | undefined, deliveries: number, wallS: number) => {
    if (!times) return;
    const entries = Object.entries(times).sort((p, q) => q[1][1] - p[1][1]);
    const calls = entries.reduce((s, [, [c]]) => s + c, 0);
    const totalMs = entries.reduce((s, [, [, ms]]) => s + ms, 0);
    out();
    out(`Worker SQL in ${label}: ${fmt(calls / deliveries, 3)} statements per delivery; ${fmt(totalMs / 1000, 2)} s of statement time `
      + `summed over the worker's concurrent statements in ${fmt(wallS, 2)} s of wall time (from handing a statement to a connection to its result)`);
    out(table(
      ['statement', 'calls', 'per delivery', 'ms per call', 'total s'],
      entries.map(([k, [c, ms]]) => [k, fmt(c), fmt(c / deliveries, 3), fmt(ms / c, 2), fmt(ms / 1000, 2)]),
    ));
  };
  if (a) statements('phase A (start-up included)', figures.worker_statements?.a, a.received, a.seconds_from_worker_spawn);
  if (b) statements('phase B', figures.worker_statements?.b, b.received, (opts.warmupMs + opts.durationMs) / 1000);
}

let projectId = '';
try {
  const project = await callJson<{ id: string; server_side_key: { app_id: string; app_token: string } }>(
    `${api.server.url}/management/v1/projects`, 'POST', api.management, { name: 'bench delivery' },
  );
  projectId = project.id;
  keys = { 'content-type': 'application/json', 'x-app-id': project.server_side_key.app_id, 'x-app-token': project.server_side_key.app_token };
  await callJson(`${api.server.url}/management/v1/projects/${project.id}/webhooks`, 'POST', api.management, {
    target_url: receiver.hookUrl,
    events: ['customer.created'],
  });
  if (opts.phases.has('a')) figures.phase_a = await phaseA();
  if (opts.phases.has('b')) figures.phase_b = await phaseB();
  if (opts.phases.has('raw')) figures.raw = await rawPosts();
} finally {
  if (worker) await worker.stop();
  await api.stop();
  await receiver.server.stop();
  report();
}
if (raw.json) {
  await writeFile(raw.json, `${JSON.stringify(figures, null, 2)}\n`);
  out(`\nFigures written to ${raw.json}`);
}
if (failed) {
  out('\nSome requests or deliveries failed (see !! above): these figures are not trustworthy.');
  process.exitCode = 1;
}
