/**
 * Loyalty earning benchmark, on PostgreSQL: custom-event ingest into a project with one active custom-event earning
 * rule (by default every event earns points on its customer's card; `--earning-share` makes the rest of the events
 * another custom event, which earns nothing) and one segment-entered rule, against the same ingest into
 * the same project with both rules disabled (same customers, cards, program and segment: only the rules differ),
 * measured in turns in one run (the machine's speed drifts: each ratio compares neighbours; the median counts).
 * Prints figures; judging them is for people. Issue target: at least 80%.
 */
import { callJson, createLoadClient } from './lib/load.js';
import { parseOptions, positiveInt } from './lib/options.js';
import { machineDescription, startCpuMeter } from './lib/cpu.js';
import { fmt, out, table } from './lib/report.js';
import { createProject, startTessera, type ProjectKeys } from './lib/tessera.js';
import { withAdmin } from './lib/postgres.js';
import { customerBody, eventBody, eventName, schemaBody } from './ingest-workload.js';

const raw = parseOptions('Usage: npm run bench:loyalty -- [options]', {
  customers: { type: 'string', env: 'BENCH_CUSTOMERS', default: '2000', help: 'customers (each a member with a card in the loyalty project)' },
  concurrency: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'concurrent clients' },
  duration: { type: 'string', env: 'BENCH_DURATION', default: '8', help: 'measured seconds per turn' },
  rounds: { type: 'string', env: 'BENCH_ROUNDS', default: '3', help: 'turns with and without loyalty' },
  'earning-share': { type: 'string', env: 'BENCH_EARNING_SHARE', default: '100', help: 'percent of the events that are the earning rule\'s event (the rest are another event)' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_loyalty', help: 'dropped and recreated' },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF', help: 'write a V8 CPU profile of the server to this directory' },
});
const customers = positiveInt('customers', raw.customers);
const concurrency = positiveInt('concurrency', raw.concurrency);
const durationMs = positiveInt('duration', raw.duration) * 1000;
const rounds = positiveInt('rounds', raw.rounds);
const share = positiveInt('earning-share', raw['earning-share']);
if (share > 100) throw new Error('--earning-share is a percent: 1 to 100');
const otherEvent = 'bench_page_viewed';

out(`Loyalty earning benchmark: ${fmt(customers)} customers, ${concurrency} clients, ${rounds} turns of ${durationMs / 1000} s each way, ${share}% of the events earning; ${machineDescription()}`);
const t = await startTessera({ store: 'postgres', adminUrl: raw['database-url']!, databaseName: raw['database-name']!, nodeArgs: process.env.BENCH_QT ? ['--import', new URL('./lib/query-timer.js', import.meta.url).href] : raw['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=tessera-loyalty-${Date.now()}.cpuprofile`] : [] });
const load = createLoadClient(t.server.url, concurrency);
try {
  const json = { 'content-type': 'application/json' };
  async function project(name: string): Promise<ProjectKeys> {
    const p = await createProject(t, name);
    await callJson(`${t.server.url}/management/v1/projects/${p.projectId}/custom-event-schemas`, 'POST', t.management, schemaBody);
    await callJson(`${t.server.url}/management/v1/projects/${p.projectId}/custom-event-schemas`, 'POST', t.management, { ...schemaBody, name: otherEvent });
    const made = await load.run({ path: '/v1/customers', headers: { ...p.headers, ...json }, body: customerBody, concurrency, requests: customers });
    if (made.errors > 0) throw new Error(`creating customers: ${made.samples.join('; ')}`);
    return p;
  }
  const loyal = await project('loyalty');
  const program = await callJson<{ id: string }>(`${t.server.url}/v1/loyalties`, 'POST', loyal.headers, {
    name: 'Bench club',
    type: 'AUTO_UPDATE',
    voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'BC-', length: 10 } },
  });
  const segment = await callJson<{ id: string }>(`${t.server.url}/v1/segments`, 'POST', loyal.headers, {
    name: 'VIP',
    type: 'auto-update',
    filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } },
  });
  const rules = await callJson<Array<{ id: string }>>(`${t.server.url}/v1/loyalties/${program.id}/earning-rules`, 'POST', loyal.headers, [
    { event: eventName, loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property: 'amount', every: 1, points: 1 } } } },
    { event: 'customer.segment.entered', segment: { id: segment.id }, loyalty: { type: 'FIXED', points: 100 } },
  ]);
  const members = await load.run({
    path: `/v1/loyalties/${program.id}/members`,
    headers: { ...loyal.headers, ...json },
    body: (seq) => JSON.stringify({ customer: { source_id: `cust-${seq}` } }),
    concurrency,
    requests: customers,
  });
  if (members.errors > 0) throw new Error(`adding members: ${members.samples.join('; ')}`);

  let seq = 0;
  const workload = { customers, updateCustomers: false };
  // The first `share` of every 100 events name the earning rule's event; the rest name the other event.
  const body = () => {
    const n = seq++;
    const event = eventBody(workload, n);
    return n % 100 < share ? event : event.replace(`"event":"${eventName}"`, `"event":"${otherEvent}"`);
  };
  const ingest = (ms: number) => load.run({ path: '/v1/events', headers: { ...loyal.headers, ...json }, body, concurrency, durationMs: ms });
  // Without: both rules disabled (the server drops its copy of the rules at once); with: both enabled again.
  const setRules = async (action: 'enable' | 'disable') => {
    for (const r of rules) await callJson(`${t.server.url}/v1/loyalties/${program.id}/earning-rules/${r.id}/${action}`, 'POST', loyal.headers, {});
  };
  let earning = 0;
  await setRules('disable');
  await ingest(2000);
  await setRules('enable');
  earning += (await ingest(2000)).ok;
  const rows: string[][] = [];
  const ratios: number[] = [];
  if (process.env.BENCH_QT) {
    const snap = async () => { const l = t.server.nextLine(/^BENCH_QUERY_TIMES /); process.kill(t.server.pid, 'SIGUSR2'); return JSON.parse((await l).slice(18)) as Record<string, [number, number]>; };
    // Statements per ingested event (count, ms), rules disabled then enabled.
    for (const on of [false, true]) {
      await setRules(on ? 'enable' : 'disable');
      const a = await snap(); const before = seq; const ok = (await ingest(5000)).ok; const b = await snap(); const n = seq - before;
      if (on) earning += ok;
      out(`statements per event, rules ${on ? 'enabled' : 'disabled'}:`);
      for (const [k, [c, ms]] of Object.entries(b).map(([k, v]) => [k, [v[0] - (a[k]?.[0] ?? 0), v[1] - (a[k]?.[1] ?? 0)]] as const).sort((x, y) => y[1][1] - x[1][1]).slice(0, 15)) out(`${(c / n).toFixed(2)} ${(ms / n).toFixed(2)}ms ${k}`);
    }
  }
  // Where each side's time goes: CPU ms per ingested event of the server and of its PostgreSQL backends.
  const measured = async (rulesOn: boolean) => {
    await setRules(rulesOn ? 'enable' : 'disable');
    const meter = startCpuMeter(t.server.pid, await t.backendPids());
    const run = await ingest(durationMs);
    const cpu = meter.stop(await t.backendPids());
    if (rulesOn) earning += run.ok;
    const perEvent = (msPerS: number | undefined) => (msPerS === undefined || run.okPerSecond === 0 ? '-' : fmt(msPerS / run.okPerSecond, 3));
    return { run, cpu: `${perEvent(cpu.serverMsPerS)} / ${perEvent(cpu.postgresMsPerS)}` };
  };
  for (let r = 1; r <= rounds; r++) {
    const { run: without, cpu: cpuWithout } = await measured(false);
    const { run: withL, cpu: cpuWith } = await measured(true);
    if (without.errors + withL.errors > 0) throw new Error(`ingest errors: ${[...without.samples, ...withL.samples].join('; ')}`);
    ratios.push(withL.okPerSecond / without.okPerSecond);
    rows.push([`turn ${r}`, fmt(without.okPerSecond), `${fmt(without.p50Ms, 1)} / ${fmt(without.p99Ms, 1)}`, cpuWithout, fmt(withL.okPerSecond), `${fmt(withL.p50Ms, 1)} / ${fmt(withL.p99Ms, 1)}`, cpuWith, `${fmt(ratios.at(-1)! * 100, 1)}%`]);
  }
  const earned = await withAdmin(t.databaseUrl!, async (c) =>
    (await c.query<{ n: string; s: string }>(`SELECT count(*) AS n, coalesce(sum(points), 0) AS s FROM loyalty_transactions WHERE type = 'POINTS_ACCRUAL'`)).rows[0]!,
  );
  out();
  out(table(['turn', 'rules disabled events/s', 'p50 / p99 ms', 'CPU ms/event server / pg', 'rules enabled events/s', 'p50 / p99 ms', 'CPU ms/event server / pg', 'ratio'], rows));
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  out();
  out(table(['figure', 'value'], [
    ['rules enabled ÷ disabled, median turn (target >= 80%)', `${fmt(median * 100, 1)}%`],
    [`points accruals recorded / events ingested with the rules enabled${share < 100 ? ` (${share}% of them the earning event; one of an amount under 1 earns nothing)` : ''}`, `${fmt(Number(earned.n))} / ${fmt(earning)}`],
  ]));
} finally {
  await load.close();
  await t.stop();
}
