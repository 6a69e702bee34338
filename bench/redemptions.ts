/**
 * Redemption benchmark, on PostgreSQL through `tessera serve`: (1) validations and (2) redemptions at a fixed rate
 * (open loop) with a realistic request: a 5-item order, a voucher guarded by 2 validation rules stacked after one
 * promotion tier, a customer with metadata; (3) 32 clients redeeming one unlimited voucher as fast as they can;
 * (4) 32 clients on a voucher of quantity 1,000, then the database asked how many redemptions stand. Next to (3), the
 * machine's own limit measured in the same run: a bare node:http server (bench/bare-server.ts) driven by the same
 * clients; the unlimited redemptions/s are also printed as a ratio to it, since the machine is shared and noisy.
 */
import { join } from 'node:path';
import { startChild } from './lib/child.js';
import { callJson, createLoadClient } from './lib/load.js';
import { parseOptions, positiveInt, positiveNumber } from './lib/options.js';
import { runPaced } from './lib/paced.js';
import { withAdmin } from './lib/postgres.js';
import { fmt, out, table } from './lib/report.js';
import { machineDescription } from './lib/cpu.js';
import { createProject, repoRoot, startTessera } from './lib/tessera.js';

const raw = parseOptions('Usage: npm run bench:redemptions -- [options]', {
  rate: { type: 'string', env: 'BENCH_RATE', default: '500', help: 'validations and redemptions per second (paced runs)' },
  duration: { type: 'string', env: 'BENCH_DURATION', default: '10', help: 'seconds of each paced run' },
  clients: { type: 'string', env: 'BENCH_CONCURRENCY', default: '32', help: 'concurrent clients of the closed-loop runs' },
  'database-url': { type: 'string', env: 'BENCH_DATABASE_URL', default: 'postgres://root@127.0.0.1:5432/test', help: 'PostgreSQL admin URL' },
  'database-name': { type: 'string', env: 'BENCH_DATABASE_NAME', default: 'tessera_bench_redemptions', help: 'dropped and recreated' },
  'cpu-prof': { type: 'string', env: 'BENCH_CPU_PROF', help: 'write a V8 CPU profile of the server to this directory' },
});
const rate = positiveInt('rate', raw.rate);
const durationMs = positiveNumber('duration', raw.duration) * 1000;
const clients = positiveInt('clients', raw.clients);

out(`Redemption benchmark: ${rate}/s for ${durationMs / 1000} s, ${clients} closed-loop clients; ${machineDescription()}`);
const nodeArgs = process.env.BENCH_QT ? ['--import', new URL('./lib/query-timer.js', import.meta.url).href] : raw['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${raw['cpu-prof']}`, `--cpu-prof-name=tessera-redemptions-${Date.now()}.cpuprofile`] : [];
const t = await startTessera({ store: 'postgres', adminUrl: raw['database-url']!, databaseName: raw['database-name']!, nodeArgs });
try {
  const p = await createProject(t, 'bench redemptions');
  const base = t.server.url;
  const post = <T>(path: string, body: unknown) => callJson<T>(`${base}${path}`, 'POST', p.headers, body);
  const promo = await post<{ id: string }>('/v1/campaigns', { name: 'Bench promo', campaign_type: 'PROMOTION' });
  const tier = await post<{ id: string }>(`/v1/promotions/${promo.id}/tiers`, { name: 'Two off', action: { discount: { type: 'AMOUNT', amount_off: 200 } } });
  const voucher = await post<{ id: string }>('/v1/vouchers/BENCH-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
  await post('/v1/vouchers/BENCH-FREE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  const limited = await post<{ id: string }>('/v1/vouchers/BENCH-1000', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1000 } });
  for (const [name, rule] of [
    ['Order over 50', { name: 'order.amount', conditions: { $more_than: [5000] } }],
    ['Gold or silver', { name: 'customer.metadata', property: 'tier', conditions: { $in: ['gold', 'silver'] } }],
  ] as const) {
    const r = await post<{ id: string }>('/v1/validation-rules', { name, rules: { '1': rule } });
    await post(`/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'voucher', related_object_id: voucher.id });
  }
  const items = Array.from({ length: 5 }, (_, i) => ({ source_id: `sku-${i}`, quantity: 1 + (i % 3), price: 1500 + i * 250 }));
  const request = (seq: number) =>
    JSON.stringify({
      redeemables: [{ object: 'promotion_tier', id: tier.id }, { object: 'voucher', id: 'BENCH-10' }],
      order: { items },
      customer: { source_id: `bench-c${seq % 2000}`, metadata: { tier: 'gold' } },
    });
  const headers = { ...p.headers, 'content-type': 'application/json' };
  const paced = (path: string) => runPaced(base, { path, headers, body: request, ratePerS: rate, durationMs, connections: 64 });
  await runPaced(base, { path: '/v1/validations', headers, body: request, ratePerS: rate, durationMs: 2000, connections: 64 });
  const validations = await paced('/v1/validations');
  if (process.env.BENCH_QT) {
    // Statements per redemption (count and ms), at a rate the server keeps up with.
    const snap = async () => { const l = t.server.nextLine(/^BENCH_QUERY_TIMES /); process.kill(t.server.pid, 'SIGUSR2'); return JSON.parse((await l).slice(18)) as Record<string, [number, number]>; };
    const a = await snap();
    const r = await runPaced(base, { path: '/v1/redemptions', headers, body: request, ratePerS: 50, durationMs: 4000, connections: 8 });
    const b = await snap();
    const n = r.ok;
    out(`redemption at 50/s: p50 ${r.p50Ms} ms; per redemption:`);
    for (const [k, [c, ms]] of Object.entries(b).map(([k, v]) => [k, [v[0] - (a[k]?.[0] ?? 0), v[1] - (a[k]?.[1] ?? 0)]] as const).sort((x, y) => y[1][1] - x[1][1]).slice(0, 25)) out(`${(c / n).toFixed(2)} ${(ms / n).toFixed(2)}ms ${k}`);
  }
  const redemptions = await paced('/v1/redemptions');

  const load = createLoadClient(base, clients);
  const plain = (code: string) => () => JSON.stringify({ redeemables: [{ object: 'voucher', id: code }], order: { amount: 10000 } });
  const bare = await bareCeiling(clients);
  const unlimited = await load.run({ path: '/v1/redemptions', headers, body: plain('BENCH-FREE'), concurrency: clients, durationMs: 8000 });
  const thousand = await load.run({ path: '/v1/redemptions', headers, body: plain('BENCH-1000'), concurrency: clients, requests: 1600 });
  await load.close();
  const standing = await withAdmin(t.databaseUrl!, async (c) => ({
    rows: Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [limited.id])).rows[0]!.n),
    counter: Number((await c.query<{ n: number }>('SELECT redeemed_quantity AS n FROM vouchers WHERE id = $1', [limited.id])).rows[0]!.n),
  }));

  out();
  out(
    table(
      ['figure', 'value'],
      [
        [`validations at ${rate}/s: ok / errors`, `${fmt(validations.ok)} / ${fmt(validations.errors)}`],
        ['validation latency p50 / p99 / max (ms)', `${fmt(validations.p50Ms, 1)} / ${fmt(validations.p99Ms, 1)} / ${fmt(validations.maxMs, 1)}`],
        [`redemptions at ${rate}/s: ok / errors`, `${fmt(redemptions.ok)} / ${fmt(redemptions.errors)}`],
        ['redemption latency p50 / p99 / max (ms)', `${fmt(redemptions.p50Ms, 1)} / ${fmt(redemptions.p99Ms, 1)} / ${fmt(redemptions.maxMs, 1)}`],
        [`${clients} clients, one unlimited voucher: redemptions/s`, fmt(unlimited.okPerSecond)],
        [`  bare node:http, same clients (machine limit): requests/s`, fmt(bare)],
        ['  ratio to the machine limit', `${fmt((unlimited.okPerSecond / bare) * 100, 1)}%`],
        ['  its latency p50 / p99 (ms), errors', `${fmt(unlimited.p50Ms, 1)} / ${fmt(unlimited.p99Ms, 1)}, ${fmt(unlimited.errors)}`],
        [`${clients} clients, quantity 1,000: succeeded / refused`, `${fmt(thousand.ok)} / ${fmt(thousand.errors)}`],
        ['  in the database: redemptions standing / redeemed_quantity', `${fmt(standing.rows)} / ${fmt(standing.counter)}`],
      ],
    ),
  );
  for (const [name, r] of [['validations', validations], ['redemptions', redemptions], ['unlimited', unlimited]] as const) {
    if (r.errors > 0) out(`${name}: first errors: ${r.samples.slice(0, 3).join(' | ')}`);
  }
} finally {
  await t.stop();
}

/** Requests/s a bare node:http server answers to the same closed-loop clients: this machine's limit, now. */
async function bareCeiling(n: number): Promise<number> {
  const server = await startChild({ name: 'bare', args: [join(repoRoot, 'dist-bench/bench/bare-server.js')], env: process.env, listening: /listening on (http:\/\/\S+)/ });
  const client = createLoadClient(server.url, n);
  try {
    const spec = { path: '/v1/events', headers: { 'content-type': 'application/json' }, body: () => JSON.stringify({ event: 'bench' }), concurrency: n };
    await client.run({ ...spec, durationMs: 1000 });
    return (await client.run({ ...spec, durationMs: 4000 })).okPerSecond;
  } finally {
    await client.close();
    await server.stop();
  }
}
