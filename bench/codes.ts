/**
 * Code generation benchmark, on PostgreSQL: one `tessera serve` process (API and worker) generates a campaign's
 * codes in the background while a light API load (paced GETs of one voucher) runs; then plain INSERTs of random
 * codes into a table with the same indexes, batch for batch, from the same machine, give the ceiling. Prints codes/s,
 * the server's peak RSS, the light load's latency, and the ratio to the ceiling; judging them is for people.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { callJson } from './lib/load.js';
import { startLightLoad } from './lib/light-load.js';
import { parseOptions, positiveInt } from './lib/options.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out, table } from './lib/report.js';
import { machineDescription } from './lib/cpu.js';
import { createProject, startTessera } from './lib/tessera.js';

const raw = parseOptions('Usage: npm run bench:codes -- [options]', {
  codes: { type: 'string', env: 'BENCH_CODES', default: '1000000', help: 'codes the campaign asks for' },
  batch: { type: 'string', env: 'TESSERA_JOB_VOUCHERS_GENERATION_BATCH', default: '5000', help: 'codes one generation step inserts' },
  rate: { type: 'string', env: 'BENCH_LIGHT_RATE', default: '50', help: 'light load: GET /v1/vouchers/{code} per second' },
  'raw-codes': { type: 'string', env: 'BENCH_RAW_CODES', default: '200000', help: 'codes inserted by plain SQL for the ceiling' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_codes', help: 'dropped and recreated' },
});
const codes = positiveInt('codes', raw.codes);
const batch = positiveInt('batch', raw.batch);
const rate = positiveInt('rate', raw.rate);
const rawCodes = positiveInt('raw-codes', raw['raw-codes']);
const adminUrl = raw['database-url']!;

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

out(`Code generation benchmark: ${fmt(codes)} codes, batches of ${fmt(batch)}, light load ${rate}/s; ${machineDescription()}`);
const t = await startTessera({ store: 'postgres', adminUrl, databaseName: raw['database-name']!, env: { TESSERA_JOB_VOUCHERS_GENERATION_BATCH: String(batch) } });
try {
  const p = await createProject(t, 'bench codes');
  const base = t.server.url;
  const headers = { ...p.headers, 'content-type': 'application/json' };
  await callJson(`${base}/v1/vouchers/BENCH-PROBE`, 'POST', p.headers, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
  const rssBefore = peakRssMb(t.server.pid);

  // The light load: paced GETs, each timed, until the work is done.
  const light = startLightLoad(`${base}/v1/vouchers/BENCH-PROBE`, headers, rate);

  const start = performance.now();
  const campaign = await callJson<{ id: string; async_action_id: string }>(`${base}/v1/campaigns`, 'POST', p.headers, {
    name: 'Bench',
    campaign_type: 'DISCOUNT_COUPONS',
    type: 'STATIC',
    vouchers_count: codes,
    voucher: { discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'B-', length: 10 } },
  });
  let action: { status: string; progress: number };
  for (;;) {
    action = await callJson(`${base}/v1/async-actions/${campaign.async_action_id}`, 'GET', p.headers);
    if (action.status === 'DONE' || action.status === 'FAILED') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const elapsed = (performance.now() - start) / 1000;
  const { latencies, failures } = await light.stop();
  const peak = peakRssMb(t.server.pid);
  const sorted = [...latencies].sort((a, b) => a - b);
  const stored = await withAdmin(t.databaseUrl!, async (c) => (await c.query<{ n: string }>('SELECT count(*) AS n FROM vouchers WHERE campaign_id = $1', [campaign.id])).rows[0]!.n);

  // The ceiling: the same inserts without Tessera, batch for batch, codes drawn by PostgreSQL.
  const ceiling = await withAdmin(t.databaseUrl!, async (c) => {
    await c.query(`CREATE TABLE raw_codes (id text PRIMARY KEY, project_id text NOT NULL, campaign_id text, code text NOT NULL, type text NOT NULL,
      holder_id text, created_at timestamptz NOT NULL)`);
    await c.query('CREATE UNIQUE INDEX raw_codes_code ON raw_codes (project_id, lower(code))');
    await c.query('CREATE INDEX raw_codes_created ON raw_codes (project_id, created_at, id)');
    await c.query('CREATE INDEX raw_codes_campaign ON raw_codes (campaign_id, created_at, id)');
    await c.query('CREATE INDEX raw_codes_free ON raw_codes (campaign_id, id) WHERE holder_id IS NULL');
    const t0 = performance.now();
    for (let done = 0; done < rawCodes; done += batch) {
      await c.query(
        `INSERT INTO raw_codes (id, project_id, campaign_id, code, type, created_at)
         SELECT 'v_' || md5(random()::text), 'p', 'c', 'B-' || substr(md5(random()::text), 1, 10), 'DISCOUNT_VOUCHER', now()
           FROM generate_series(1, $1) ON CONFLICT DO NOTHING`,
        [Math.min(batch, rawCodes - done)],
      );
    }
    return rawCodes / ((performance.now() - t0) / 1000);
  });

  const perSecond = Number(stored) / elapsed;
  out();
  out(
    table(
      ['figure', 'value'],
      [
        ['codes generated (counted in the database)', fmt(Number(stored))],
        ['async action status', action.status],
        ['wall time, create to DONE (s)', fmt(elapsed, 1)],
        ['codes/s', fmt(perSecond)],
        ['plain INSERT ceiling, same indexes and batch (codes/s)', fmt(ceiling)],
        ['ratio to the ceiling', `${fmt((perSecond / ceiling) * 100, 1)}%`],
        ['server peak RSS (MB), before / after', `${fmt(rssBefore)} / ${fmt(peak)}`],
        [`light load GET /v1/vouchers/{code}: requests / failures`, `${fmt(latencies.length)} / ${fmt(failures)}`],
        ['light load p50 / p99 / max (ms)', `${fmt(quantile(sorted, 0.5), 1)} / ${fmt(quantile(sorted, 0.99), 1)} / ${fmt(sorted.at(-1), 1)}`],
      ],
    ),
  );
} finally {
  await t.stop();
}
