/**
 * Publication benchmark, on PostgreSQL: 32 concurrent clients publish codes of one AUTO_UPDATE campaign (made on
 * demand) to distinct customers through `tessera serve`; afterwards the database is asked whether any code has two
 * holders or two publications. The ceiling: the same clients' count of plain PostgreSQL transactions writing a
 * customer, a code and a publication row each. Prints figures; judging them is for people.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { callJson, createLoadClient } from './lib/load.js';
import { parseOptions, positiveInt, positiveNumber } from './lib/options.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out, table } from './lib/report.js';
import { machineDescription } from './lib/cpu.js';
import { createProject, startTessera } from './lib/tessera.js';

const raw = parseOptions('Usage: npm run bench:publications -- [options]', {
  clients: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'concurrent clients' },
  duration: { type: 'string', env: 'BENCH_DURATION', default: '15', help: 'measured seconds' },
  warmup: { type: 'string', env: 'BENCH_WARMUP', default: '2', help: 'seconds before measuring' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_publications', help: 'dropped and recreated' },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF', help: 'write a V8 CPU profile of the server to this directory' },
});
const clients = positiveInt('clients', raw.clients);
const durationMs = positiveNumber('duration', raw.duration) * 1000;
const warmupMs = positiveNumber('warmup', raw.warmup) * 1000;
const adminUrl = raw['database-url']!;

out(`Publication benchmark: ${clients} clients, ${durationMs / 1000} s after ${warmupMs / 1000} s of warm-up; ${machineDescription()}`);
const nodeArgs = process.env.BENCH_QT ? ['--import', new URL('./lib/query-timer.js', import.meta.url).href] : raw['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=tessera-publications-${Date.now()}.cpuprofile`] : [];
const t = await startTessera({ store: 'postgres', adminUrl, databaseName: raw['database-name']!, nodeArgs });
try {
  const p = await createProject(t, 'bench publications');
  const base = t.server.url;
  const campaign = await callJson<{ id: string }>(`${base}/v1/campaigns`, 'POST', p.headers, {
    name: 'Bench',
    campaign_type: 'DISCOUNT_COUPONS',
    type: 'AUTO_UPDATE',
    voucher: { discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { prefix: 'P-', length: 12 } },
  });
  const load = createLoadClient(base, clients);
  const headers = { ...p.headers, 'content-type': 'application/json' };
  let customer = 0;
  const body = () => JSON.stringify({ campaign: { id: campaign.id }, customer: { source_id: `bench-${customer++}` }, channel: 'bench' });
  await load.run({ path: '/v1/publications', headers, body, concurrency: clients, durationMs: warmupMs });
  const snap = async () => {
    const l = t.server.nextLine(/^BENCH_QUERY_TIMES /);
    process.kill(t.server.pid, 'SIGUSR2');
    return JSON.parse((await l).slice(18)) as Record<string, [number, number]>;
  };
  // BENCH_QT=1: statements per publication (count and ms) during the measured run.
  const before = process.env.BENCH_QT ? await snap() : undefined;
  const r = await load.run({ path: '/v1/publications', headers, body, concurrency: clients, durationMs });
  await load.close();
  if (before) {
    const after = await snap();
    const rows = Object.entries(after).map(([k, v]) => [k, v[0] - (before[k]?.[0] ?? 0), v[1] - (before[k]?.[1] ?? 0)] as const);
    for (const [k, c, ms] of rows.sort((x, y) => y[2] - x[2]).slice(0, 15)) out(`${(c / r.ok).toFixed(2)} ${(ms / r.ok).toFixed(2)}ms ${k}`);
  }

  const proof = await withAdmin(t.databaseUrl!, async (c) => {
    const one = async (sql: string) => Number((await c.query<{ n: string }>(sql, [campaign.id])).rows[0]!.n);
    return {
      publications: await one('SELECT count(*) AS n FROM publications WHERE campaign_id = $1'),
      codes: await one('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1'),
      holders: await one('SELECT count(DISTINCT holder_id) AS n FROM vouchers WHERE campaign_id = $1'),
      twice: await one(`SELECT count(*) AS n FROM (SELECT x->>'id' FROM publications, jsonb_array_elements(vouchers) x
                         WHERE campaign_id = $1 GROUP BY 1 HAVING count(*) > 1) d`),
      wrongHolder: await one(`SELECT count(*) AS n FROM publications p JOIN vouchers v ON v.id = p.vouchers->0->>'id'
                               WHERE p.campaign_id = $1 AND v.holder_id IS DISTINCT FROM p.customer_id`),
    };
  });

  // The ceiling: the same three rows per publication, written by plain transactions from as many clients.
  const ceiling = await withAdmin(t.databaseUrl!, async (c) => {
    await c.query('CREATE TABLE raw_c (id text PRIMARY KEY, source_id text UNIQUE); CREATE TABLE raw_v (id text PRIMARY KEY, code text NOT NULL, holder text);');
    await c.query('CREATE UNIQUE INDEX raw_v_code ON raw_v (lower(code)); CREATE TABLE raw_p (id text PRIMARY KEY, customer text, vouchers jsonb)');
    const pool = new pg.Pool({ connectionString: t.databaseUrl!, max: clients });
    let n = 0;
    const deadline = performance.now() + 5000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const k = `${n++}-${Math.random()}`;
          const cl = await pool.connect();
          try {
            await cl.query('BEGIN');
            await cl.query('INSERT INTO raw_c VALUES ($1, $1)', [`c${k}`]);
            await cl.query('INSERT INTO raw_v VALUES ($1, $1, $2)', [`v${k}`, `c${k}`]);
            await cl.query('INSERT INTO raw_p VALUES ($1, $2, $3)', [`p${k}`, `c${k}`, JSON.stringify([{ id: `v${k}` }])]);
            await cl.query('COMMIT');
          } finally {
            cl.release();
          }
        }
      }),
    );
    const rate = n / ((performance.now() - t0) / 1000);
    await pool.end();
    return rate;
  });

  out();
  out(
    table(
      ['figure', 'value'],
      [
        ['publications answered 2xx / errors', `${fmt(r.ok)} / ${fmt(r.errors)}`],
        ['publications/s', fmt(r.okPerSecond)],
        ['latency p50 / p99 / max (ms)', `${fmt(r.p50Ms, 1)} / ${fmt(r.p99Ms, 1)} / ${fmt(r.maxMs, 1)}`],
        ['plain 3-row transactions ceiling (tx/s)', fmt(ceiling)],
        ['ratio to the ceiling', `${fmt((r.okPerSecond / ceiling) * 100, 1)}%`],
        ['in the database: publications / codes / distinct holders', `${fmt(proof.publications)} / ${fmt(proof.codes)} / ${fmt(proof.holders)}`],
        ['codes in two publications / codes held by another customer', `${fmt(proof.twice)} / ${fmt(proof.wrongHolder)}`],
      ],
    ),
  );
  if (r.errors > 0) out(`first errors: ${r.samples.slice(0, 3).join(' | ')}`);
} finally {
  await t.stop();
}
