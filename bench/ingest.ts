/**
 * Ingest benchmark: POST /v1/events over real HTTP, each event validated against a custom event schema and
 * upserting one of N customers, on PGlite and on PostgreSQL; next to it, a bare node:http server driven by the same
 * client at the same concurrency. Prints figures; judging them is for people.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startChild, type ChildServer } from './lib/child.js';
import { machineDescription, startCpuMeter, type CpuFigures } from './lib/cpu.js';
import { callJson, createLoadClient, type LoadClient, type LoadResult } from './lib/load.js';
import { parseOptions, positiveInt, positiveNumber } from './lib/options.js';
import { fmt, out, table } from './lib/report.js';
import { createProject, repoRoot, startTessera, type RunningTessera, type Store } from './lib/tessera.js';
import { customerBody, eventBody, invalidEventBody, schemaBody, type Workload } from './ingest-workload.js';

const raw = parseOptions('Usage: npm run bench -- [options]   (or npm run bench:ingest -- [options])', {
  duration: { type: 'string', env: 'BENCH_DURATION', default: '10', help: 'measured seconds per target' },
  warmup: { type: 'string', env: 'BENCH_WARMUP', default: '3', help: 'warm-up seconds before measuring' },
  concurrency: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'concurrent clients (connections)' },
  stores: { type: 'string', env: 'BENCH_STORES', default: 'pglite,postgres', help: 'stores to run, comma-separated' },
  customers: { type: 'string', env: 'BENCH_CUSTOMERS', default: '10000', help: 'customers cust-0..cust-N-1' },
  'skip-precreate': { type: 'boolean', env: 'BENCH_SKIP_PRECREATE', help: 'let warm-up events create the customers' },
  'update-customers': { type: 'boolean', env: 'BENCH_UPDATE_CUSTOMERS', help: 'every event changes its customer' },
  'skip-bare': { type: 'boolean', env: 'BENCH_SKIP_BARE', help: 'do not measure the bare node:http server' },
  'database-url': {
    type: 'string',
    env: 'BENCH_DATABASE_URL',
    default: 'postgres://root@127.0.0.1:5432/test',
    help: 'PostgreSQL admin URL',
  },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench', help: 'dropped and recreated' },
  'count-queries': { type: 'boolean', env: 'BENCH_COUNT_QUERIES', help: 'count SQL statements per event (PostgreSQL)' },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF', help: 'write V8 CPU profiles of the server to this directory' },
  json: { type: 'string', env: 'BENCH_JSON', help: 'also write the figures as JSON to this file' },
});

const opts = {
  durationMs: positiveNumber('duration', raw.duration) * 1000,
  warmupMs: raw.warmup === '0' ? 0 : positiveNumber('warmup', raw.warmup) * 1000,
  concurrency: positiveInt('concurrency', raw.concurrency),
  stores: (raw.stores ?? '').split(',').map((s) => s.trim()).filter(Boolean) as Store[],
  workload: { customers: positiveInt('customers', raw.customers), updateCustomers: raw['update-customers'] } as Workload,
  precreate: !raw['skip-precreate'],
};
for (const s of opts.stores) if (s !== 'pglite' && s !== 'postgres') throw new Error(`unknown store '${s}' (pglite, postgres)`);

interface Figures {
  target: string;
  store?: Store;
  concurrency: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  failures: Record<string, number>;
  warmup_errors: number;
  cpu: CpuFigures;
  ratio_to_bare?: number;
  precreate?: { customers: number; seconds: number; per_s: number; errors: number };
  statements_per_event?: Record<string, number>;
}

const results: Figures[] = [];
let failed = false;

function showErrors(label: string, r: LoadResult): void {
  if (r.errors === 0) return;
  failed = true;
  out(`  !! ${label}: ${fmt(r.errors)} errors; statuses ${JSON.stringify(r.statuses)}`);
  for (const [k, n] of Object.entries(r.failures)) out(`     ${fmt(n)} x ${k}`);
  for (const s of r.samples) out(`     e.g. ${s}`);
}

/** Warm-up, then the measured phase with CPU accounting (and statement counts when the counter is loaded). */
async function measure(
  label: string,
  client: LoadClient,
  server: ChildServer,
  request: { path: string; headers: Record<string, string> },
  pids: () => Promise<number[]> = async () => [],
  countQueries = false,
): Promise<Omit<Figures, 'target' | 'concurrency'>> {
  let seq = 0;
  const body = (s: number) => eventBody(opts.workload, s);
  const common = { ...request, concurrency: opts.concurrency };
  const warm = opts.warmupMs > 0 ? await client.run({ ...common, body, durationMs: opts.warmupMs }) : undefined;
  if (warm) {
    out(`  ${label}: warm-up ${fmt(warm.ok)} events in ${fmt(warm.elapsedMs / 1000, 1)} s (${fmt(warm.okPerSecond)}/s)`);
    showErrors(`${label} warm-up`, warm);
    seq = warm.ok + warm.errors;
  }
  const counts0 = countQueries ? await queryCounts(server) : undefined;
  const meter = startCpuMeter(server.pid, await pids());
  const r = await client.run({ ...common, body: (s) => body(seq + s), durationMs: opts.durationMs });
  const cpu = meter.stop(await pids());
  const counts1 = counts0 ? await queryCounts(server) : undefined;
  out(`  ${label}: measured ${fmt(r.ok)} events in ${fmt(r.elapsedMs / 1000, 1)} s: ${fmt(r.okPerSecond)}/s, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms`);
  showErrors(label, r);
  const figures: Omit<Figures, 'target' | 'concurrency'> = {
    events_per_s: r.okPerSecond,
    p50_ms: r.p50Ms,
    p99_ms: r.p99Ms,
    max_ms: r.maxMs,
    ok: r.ok,
    errors: r.errors,
    statuses: r.statuses,
    failures: r.failures,
    warmup_errors: warm?.errors ?? 0,
    cpu,
  };
  if (counts0 && counts1) {
    const sent = r.ok + r.errors;
    figures.statements_per_event = Object.fromEntries(
      Object.entries(counts1)
        .map(([k, n]) => [k, (n - (counts0[k] ?? 0)) / sent] as const)
        .filter(([, n]) => n > 0.001)
        .sort((a, b) => b[1] - a[1]),
    );
  }
  return figures;
}

async function queryCounts(server: ChildServer): Promise<Record<string, number>> {
  const line = server.nextLine(/^BENCH_QUERY_COUNTS /);
  process.kill(server.pid, 'SIGUSR2');
  return JSON.parse((await line).slice('BENCH_QUERY_COUNTS '.length)) as Record<string, number>;
}

async function runBare(): Promise<void> {
  out('bare node:http');
  const server = await startChild({
    name: 'bare',
    args: [join(repoRoot, 'dist-bench/bench/bare-server.js')],
    env: process.env,
    listening: /listening on (http:\/\/\S+)/,
  });
  const client = createLoadClient(server.url, opts.concurrency);
  try {
    const headers = { 'content-type': 'application/json', 'x-app-id': 'bench', 'x-app-token': 'bench' };
    const f = await measure('bare', client, server, { path: '/v1/events', headers });
    results.push({ target: 'bare node:http', concurrency: opts.concurrency, ...f });
  } finally {
    await client.close();
    await server.stop();
  }
}

async function runTessera(store: Store): Promise<void> {
  out(`tessera ${store}`);
  const nodeArgs: string[] = [];
  if (raw['cpu-prof']) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=tessera-${store}-${Date.now()}.cpuprofile`);
  const countQueries = raw['count-queries'] && store === 'postgres';
  if (countQueries) {
    nodeArgs.push('--import', pathToFileURL(join(repoRoot, 'dist-bench/bench/lib/query-counter.js')).href);
  }
  const t: RunningTessera = await startTessera({
    store,
    adminUrl: raw['database-url']!,
    databaseName: raw['database-name']!,
    nodeArgs,
  });
  const client = createLoadClient(t.server.url, opts.concurrency);
  try {
    const keys = await createProject(t, `bench ${store}`);
    await callJson(`${t.server.url}/management/v1/projects/${keys.projectId}/custom-event-schemas`, 'POST', t.management, schemaBody);
    const headers = { 'content-type': 'application/json', ...keys.headers };
    const probe = await client.run({ path: '/v1/events', headers, body: invalidEventBody, concurrency: 1, requests: 1 });
    if (probe.statuses['400'] !== 1) throw new Error(`an event breaking the schema was not refused: ${JSON.stringify(probe)}`);
    out(`  ${store}: schema check is on (an event breaking it was refused with 400)`);

    let precreate: Figures['precreate'];
    if (opts.precreate) {
      const { customers } = opts.workload;
      const r = await client.run({ path: '/v1/customers', headers, body: customerBody, concurrency: opts.concurrency, requests: customers });
      precreate = { customers, seconds: r.elapsedMs / 1000, per_s: r.okPerSecond, errors: r.errors };
      out(`  ${store}: pre-created ${fmt(r.ok)} customers with POST /v1/customers in ${fmt(r.elapsedMs / 1000, 1)} s (${fmt(r.okPerSecond)}/s)`);
      showErrors(`${store} pre-create`, r);
    }
    const f = await measure(store, client, t.server, { path: '/v1/events', headers }, t.backendPids, countQueries);
    results.push({ target: `tessera ${store}`, store, concurrency: opts.concurrency, ...f, ...(precreate ? { precreate } : {}) });
  } finally {
    await client.close();
    await t.stop();
  }
}

function report(): void {
  const bare = results.find((r) => r.target === 'bare node:http');
  for (const r of results) if (bare && r !== bare) r.ratio_to_bare = r.events_per_s / bare.events_per_s;
  out();
  out(table(
    ['target', 'concurrency', 'events/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'vs bare'],
    results.map((r) => [
      r.target,
      String(r.concurrency),
      fmt(r.events_per_s),
      fmt(r.p50_ms, 2),
      fmt(r.p99_ms, 2),
      fmt(r.max_ms, 1),
      fmt(r.errors + r.warmup_errors),
      r === bare ? '1' : r.ratio_to_bare === undefined ? '-' : `${fmt(r.ratio_to_bare * 100, 1)}%`,
    ]),
  ));
  out();
  out('CPU in the measured phase: % of one core (kernel share), and CPU ms per event (server / PostgreSQL backends / load generator)');
  const pct = (msPerS?: number, sys?: number) =>
    msPerS === undefined ? '-' : `${fmt(msPerS / 10)}%${sys === undefined ? '' : ` (${fmt(sys)}% sys)`}`;
  const perEvent = (r: Figures, msPerS?: number) => (msPerS === undefined ? '-' : fmt(msPerS / r.events_per_s, 3));
  out(table(
    ['target', 'server', 'postgres', 'load gen', 'machine busy', 'iowait', 'server ms/ev', 'pg ms/ev', 'loadgen ms/ev'],
    results.map((r) => [
      r.target,
      pct(r.cpu.serverMsPerS, r.cpu.serverSysPct),
      pct(r.cpu.postgresMsPerS, r.cpu.postgresSysPct),
      pct(r.cpu.loadGenMsPerS),
      r.cpu.machineBusyPct === undefined ? '-' : `${fmt(r.cpu.machineBusyPct)}%`,
      r.cpu.machineIowaitPct === undefined ? '-' : `${fmt(r.cpu.machineIowaitPct)}%`,
      perEvent(r, r.cpu.serverMsPerS),
      perEvent(r, r.cpu.postgresMsPerS),
      perEvent(r, r.cpu.loadGenMsPerS),
    ]),
  ));
  out('(machine busy is of all cores and includes anything else running; other work = busy minus the columns before)');
  for (const r of results) {
    if (!r.statements_per_event) continue;
    const total = Object.values(r.statements_per_event).reduce((a, b) => a + b, 0);
    out();
    out(`SQL statements per event on ${r.target}: ${fmt(total, 2)}`);
    for (const [sql, n] of Object.entries(r.statements_per_event)) out(`  ${fmt(n, 2).padStart(6)}  ${sql}`);
  }
}

out(`Tessera ingest benchmark: POST /v1/events, ${opts.concurrency} concurrent keep-alive clients (undici), `
  + `${opts.warmupMs / 1000} s warm-up, ${opts.durationMs / 1000} s measured per target`);
out(`Machine: ${machineDescription()}; Node ${process.version}; ${process.platform} ${process.arch}`);
out(`Events: '${schemaBody.name}' with a 5-property schema (string, number, date, datetime, boolean; 3 required); `
  + `${fmt(opts.workload.customers)} customers ${opts.precreate ? 'pre-created via POST /v1/customers, so measured events upsert existing ones' : 'created by the warm-up events (--skip-precreate)'}, `
  + `${opts.workload.updateCustomers ? 'each event changing its customer\'s metadata (--update-customers)' : 'sending unchanged name and email (no customer write)'}`);
out(`Tessera's PostgreSQL pool: ${process.env.TESSERA_DB_POOL_SIZE ? `TESSERA_DB_POOL_SIZE=${process.env.TESSERA_DB_POOL_SIZE}` : 'its default size'}`);
{
  // Other work on the machine skews every figure; say how busy it was before we started.
  const meter = startCpuMeter(process.pid);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = meter.stop();
  if (idle.machineBusyPct !== undefined) out(`Machine busy before the run (1 s sample): ${fmt(idle.machineBusyPct)}% of all cores`);
}
out();

try {
  if (!raw['skip-bare']) await runBare();
  for (const store of opts.stores) await runTessera(store);
} finally {
  report();
}
if (raw.json) {
  const doc = { machine: machineDescription(), node: process.version, options: { ...opts, stores: opts.stores }, results };
  await writeFile(raw.json, `${JSON.stringify(doc, null, 2)}\n`);
  out(`\nFigures written to ${raw.json}`);
}
if (failed) {
  out('\nSome requests failed (see !! above): these figures are not trustworthy.');
  process.exitCode = 1;
}
