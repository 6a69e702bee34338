/**
 * Points-expiry benchmark, on PostgreSQL: one `tessera serve` process (API and worker) holds a loyalty program whose
 * members' cards each hold a point bucket (one per card and expiry day; made by SQL from one member made through the API, so that the setup takes
 * seconds); then every bucket is made due at the same moment, and the loyalties.expiry job expires them while a light
 * API load (paced GETs of a member) runs. Afterwards the database is counted: no open bucket, every card at 0, one
 * POINTS_EXPIRATION transaction per card and their points summing to what the buckets held. The ceiling: the same
 * buckets closed by plain SQL, batch for batch, from the same machine. Prints figures; judging them is for people.
 */
import { performance } from 'node:perf_hooks';
import { callJson } from './lib/load.js';
import { startLightLoad } from './lib/light-load.js';
import { machineDescription } from './lib/cpu.js';
import { parseOptions, positiveInt } from './lib/options.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out, table } from './lib/report.js';
import { createProject, startTessera } from './lib/tessera.js';

const raw = parseOptions('Usage: npm run bench:expiry -- [options]', {
  buckets: { type: 'string', env: 'BENCH_BUCKETS', default: '1000000', help: 'point buckets due at the same moment' },
  batch: { type: 'string', env: 'TESSERA_JOB_LOYALTIES_EXPIRY_BATCH', default: '1000', help: 'buckets one expiry step takes' },
  rate: { type: 'string', env: 'BENCH_LIGHT_RATE', default: '50', help: 'light load: GET /v1/loyalties/members/{code} per second' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_expiry', help: 'dropped and recreated' },
});
// A card has one bucket per expiry day: buckets due at the same moment are as many cards.
const buckets = positiveInt('buckets', raw.buckets);
const cards = buckets;
const batch = positiveInt('batch', raw.batch);
const rate = positiveInt('rate', raw.rate);
const pointsPerBucket = 10;

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

out(`Points expiry benchmark: ${fmt(buckets)} buckets (one per card), steps of ${fmt(batch)}, light load ${rate}/s; ${machineDescription()}`);
const t = await startTessera({ store: 'postgres', adminUrl: raw['database-url']!, databaseName: raw['database-name']!, env: { TESSERA_JOB_LOYALTIES_EXPIRY_BATCH: String(batch) }, nodeArgs: [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_QT ? ['--import', new URL('./lib/query-timer.js', import.meta.url).href] : []),
  ],
});
try {
  const p = await createProject(t, 'bench expiry');
  const base = t.server.url;
  const program = await callJson<{ id: string }>(`${base}/v1/loyalties`, 'POST', p.headers, {
    name: 'Bench expiring club',
    type: 'AUTO_UPDATE',
    voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_MONTH' } }, code_config: { prefix: 'EX-', length: 10 } },
  });
  const member = await callJson<{ id: string; code: string; holder_id: string }>(`${base}/v1/loyalties/${program.id}/members`, 'POST', p.headers, { customer: { source_id: 'bench-member-0' } });

  // Members, cards and buckets by SQL: copies of the member made through the API. The buckets are not due yet.
  const setup = performance.now();
  await withAdmin(t.databaseUrl!, async (c) => {
    await c.query(
      `INSERT INTO customers SELECT (jsonb_populate_record(NULL::customers, to_jsonb(c) || jsonb_build_object('id', 'cust_bench_' || n, 'source_id', 'bench-member-' || n))).*
         FROM customers c, generate_series(1, $2::int - 1) AS n WHERE c.id = $1`,
      [member.holder_id, cards],
    );
    await c.query(
      `INSERT INTO vouchers SELECT (jsonb_populate_record(NULL::vouchers, to_jsonb(v) || jsonb_build_object('id', 'v_bench_' || n, 'code', 'EX-BENCH-' || n, 'holder_id', 'cust_bench_' || n))).*
         FROM vouchers v, generate_series(1, $2::int - 1) AS n WHERE v.id = $1`,
      [member.id, cards],
    );
    await c.query('UPDATE vouchers SET loyalty_points = $2::bigint, loyalty_balance = $2::bigint WHERE campaign_id = $1', [program.id, pointsPerBucket]);
    await c.query(
      `INSERT INTO loyalty_point_buckets (id, project_id, voucher_id, campaign_id, points, remaining, expires_on, expire_at, created_at)
       SELECT 'lpb_bench_' || v.id, v.project_id, v.id, v.campaign_id, $2::bigint, $2::bigint, DATE '2999-12-30', TIMESTAMPTZ '2999-12-31T00:00:00Z', now()
         FROM vouchers v WHERE v.campaign_id = $1`,
      [program.id, pointsPerBucket],
    );
    await c.query('VACUUM ANALYZE customers, vouchers, loyalty_point_buckets');
  });
  const setupSeconds = (performance.now() - setup) / 1000;

  // The light load: paced GETs, each timed, until the work is done.
  const light = startLightLoad(`${base}/v1/loyalties/members/EX-BENCH-1`, p.headers, rate);

  // Every bucket due at the same moment: the end of yesterday.
  const start = performance.now();
  const open = await withAdmin(t.databaseUrl!, async (c) => {
    await c.query(`UPDATE loyalty_point_buckets SET expires_on = current_date - 1, expire_at = date_trunc('day', now()) WHERE campaign_id = $1`, [program.id]);
    for (;;) {
      const n = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM loyalty_point_buckets WHERE campaign_id = $1 AND remaining > 0', [program.id])).rows[0]!.n);
      if (n === 0 || performance.now() - start > 3_600_000) return n;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  const elapsed = (performance.now() - start) / 1000;
  if (process.env.BENCH_QT) process.kill(t.server.pid, 'SIGUSR2');
  const { latencies, failures } = await light.stop();

  const counted = await withAdmin(t.databaseUrl!, async (c) => {
    const r = await c.query<{ cards_left: string; balance_left: string; txs: string; tx_points: string }>(
      `SELECT (SELECT count(*) FROM vouchers WHERE campaign_id = $1 AND loyalty_balance <> 0) AS cards_left,
              (SELECT COALESCE(sum(loyalty_balance), 0) FROM vouchers WHERE campaign_id = $1) AS balance_left,
              (SELECT count(*) FROM loyalty_transactions WHERE campaign_id = $1 AND type = 'POINTS_EXPIRATION') AS txs,
              (SELECT COALESCE(sum(points), 0) FROM loyalty_transactions WHERE campaign_id = $1 AND type = 'POINTS_EXPIRATION') AS tx_points`,
      [program.id],
    );
    return r.rows[0]!;
  });

  // The ceiling: the same buckets closed by plain SQL, batch for batch (claim the earliest due, close them).
  const ceiling = await withAdmin(t.databaseUrl!, async (c) => {
    await c.query('CREATE TABLE raw_buckets AS SELECT id, voucher_id, points AS remaining, expire_at FROM loyalty_point_buckets WHERE campaign_id = $1', [program.id]);
    await c.query('CREATE INDEX raw_buckets_due ON raw_buckets (expire_at, id) WHERE remaining > 0');
    await c.query('VACUUM ANALYZE raw_buckets');
    const t0 = performance.now();
    for (;;) {
      const { rowCount } = await c.query(
        `WITH due AS (SELECT id FROM raw_buckets WHERE remaining > 0 AND expire_at <= now() ORDER BY expire_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE raw_buckets b SET remaining = 0 FROM due WHERE b.id = due.id`,
        [batch],
      );
      if (!rowCount) break;
    }
    return buckets / ((performance.now() - t0) / 1000);
  });

  const perSecond = buckets / elapsed;
  const sorted = [...latencies].sort((a, b) => a - b);
  out();
  out(
    table(
      ['figure', 'value'],
      [
        ['setup by SQL: cards / buckets (s)', `${fmt(cards)} / ${fmt(buckets)} (${fmt(setupSeconds, 1)} s)`],
        ['buckets still open afterwards', fmt(open)],
        ['wall time, due to all expired (s)', fmt(elapsed, 1)],
        ['buckets/s', fmt(perSecond)],
        ['plain SQL ceiling, close the same buckets batch for batch (buckets/s)', fmt(ceiling)],
        ['ratio to the ceiling', `${fmt((perSecond / ceiling) * 100, 1)}%`],
        ['in the database: cards with points left / points left', `${fmt(Number(counted.cards_left))} / ${fmt(Number(counted.balance_left))}`],
        ['  POINTS_EXPIRATION transactions / their points', `${fmt(Number(counted.txs))} / ${fmt(Number(counted.tx_points))} (buckets held ${fmt(-buckets * pointsPerBucket)})`],
        ['light load GET /v1/loyalties/members/{code}: requests / failures', `${fmt(latencies.length)} / ${fmt(failures)}`],
        ['light load p50 / p99 / max (ms)', `${fmt(quantile(sorted, 0.5), 1)} / ${fmt(quantile(sorted, 0.99), 1)} / ${fmt(sorted.at(-1), 1)}`],
      ],
    ),
  );
} finally {
  await t.stop();
}
