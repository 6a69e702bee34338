/**
 * Fuzzing every route (issue 13): generated path parameters, query strings, headers and bodies go to each route
 * Fastify knows, on the store under test. No answer may be a 5xx, and afterwards the server must be healthy and
 * both a fresh project and the fuzzed one must take ordinary writes. Bounded for `npm test`; `npm run fuzz` runs
 * FUZZ_RUNS=50000. FUZZ_SEED repeats a run. A 5xx is printed with the server's logged error and the smallest
 * request that caused it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults } from '../../src/config/index.js';
import { driver } from '../helpers/db.js';
import { byRoute, enumerateRoutes, fuzzBudget, fuzzSeed, healthy, ordinaryWritesWork, startFuzzTessera, type FuzzTessera, type RouteInfo } from '../helpers/fuzz-app.js';
import { requestArb } from '../helpers/fuzz-requests.js';
import { describeRequest, formatReport, Recorder } from '../helpers/fuzz-report.js';
import { concretize, createContext, forget, replenish, send, type FuzzContext } from '../helpers/fuzz-run.js';

/** This file's share of the suite's requests; the segment-filter file takes the rest. */
const budget = Math.max(50, Math.round(fuzzBudget() * 0.8));
const seed = fuzzSeed();
const bodyLimit = defaults.bodyLimit;
const canaryEvery = 200;
const replenishEvery = 400;

let t: FuzzTessera;
let ctx: FuzzContext;
let routes: RouteInfo[];

beforeAll(async () => {
  t = await startFuzzTessera();
  // The API's routes: the dashboard's pages (and the `/` redirect to them) have their own suite, which sends every one
  // of them signed out and without the CSRF token (test/dashboard-auth.test.ts); here they would only thin the budget.
  routes = enumerateRoutes(t.app).filter((r) => r.path !== '/' && !r.path.startsWith('/dashboard'));
  ctx = await createContext(t);
});
afterAll(() => t?.close());

describe('fuzzing every route', () => {
  it('enumerates the routes from Fastify itself', () => {
    const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const known of [
      'GET /health',
      'POST /v1/events',
      'POST /client/v1/events',
      'POST /v1/customers',
      'GET /v1/customers/:customerId/activity',
      'POST /v1/segments',
      'POST /v1/distributions/:distributionId/send',
      'POST /management/v1/projects',
      'PUT /management/v1/projects/:projectId/custom-event-schemas/:schemaId',
      'POST /management/v1/projects/:projectId/webhook-sendouts/:sendoutId/retry',
    ]) {
      expect(keys, known).toContain(known);
    }
    expect(routes.length).toBeGreaterThan(40);
  });

  it(
    `answers no 5xx to ${budget} generated requests and stays healthy`,
    async () => {
      const rec = new Recorder(t.logs);
      const started = Date.now();
      const protoBefore = Object.getOwnPropertyNames(Object.prototype).join();
      const one = requestArb(routes);
      // Mostly one request at a time; now and then a few at once, as concurrent clients would.
      const step = fc.oneof({ weight: 19, arbitrary: one.map((r) => [r]) }, { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 4 }) });
      let nextCanary = canaryEvery;
      let nextReplenish = replenishEvery;
      let round = 2;

      // Every route once first: a random draw over a couple of hundred routes can miss one.
      for (const [i, r] of routes.entries()) {
        const [req] = fc.sample(requestArb([r]).filter((x) => x.method === r.method), { seed: seed + i, numRuns: 1 });
        const c = concretize(ctx, req!, bodyLimit);
        const logsFrom = t.logs.length;
        const outcome = await send(t.app, c);
        rec.record(c, outcome, logsFrom);
        if (c.method === 'DELETE' && c.target !== undefined && outcome !== 'timeout' && outcome.status === 204) forget(ctx, c.target);
      }

      await fc.assert(
        fc.asyncProperty(step, async (requests) => {
          if (rec.total >= budget) return true;
          const concrete = requests.map((r) => concretize(ctx, r, bodyLimit));
          const logsFrom = t.logs.length;
          const outcomes = await Promise.all(concrete.map((c) => send(t.app, c)));
          concrete.forEach((c, i) => {
            const outcome = outcomes[i]!;
            rec.record(c, outcome, logsFrom);
            if (c.method === 'DELETE' && c.target !== undefined && outcome !== 'timeout' && outcome.status === 204) forget(ctx, c.target);
          });
          if (rec.total >= nextCanary) {
            nextCanary += canaryEvery;
            const problems = [...(await healthy(t.app)), ...(await ordinaryWritesWork(t.app, ctx.project, `canary${rec.total}`))];
            if (problems.length > 0) {
              const window = rec.recent.slice(-canaryEvery).filter((r) => r.req.method !== 'GET' && r.req.method !== 'HEAD' && r.status < 300);
              rec.unwell(
                `canary ${problems.join('; ')}`,
                `after request ${rec.total}: ${problems.join('; ')}\n  writes that succeeded since the last good check:\n${window.map((r) => describeRequest(r.req, 400).replace(/^/gm, '    ')).join('\n')}`,
              );
            }
          }
          if (rec.total >= nextReplenish) {
            nextReplenish += replenishEvery;
            await replenish(ctx, round++);
          }
          return true;
        }),
        { seed, numRuns: budget, endOnFailure: true },
      );

      const after: string[] = [...(await healthy(t.app))];
      const fresh = await t.createProject({ name: 'After the fuzz' });
      after.push(...(await ordinaryWritesWork(t.app, fresh, 'fresh')).map((p) => `fresh project: ${p}`));
      after.push(...(await ordinaryWritesWork(t.app, ctx.project, 'fuzzed')).map((p) => `fuzzed project: ${p}`));
      if (Object.getOwnPropertyNames(Object.prototype).join() !== protoBefore) after.push('Object.prototype gained properties');
      for (const a of after) rec.unwell(a, `at the end: ${a}`);

      const report = formatReport(`fuzz routes on ${driver}`, rec, { seed, seconds: (Date.now() - started) / 1000, logs: t.logs, byRoute: byRoute(budget) });
      console.log(report);
      const untouched = routes.filter((r) => !rec.perRoute.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
      if (budget >= 1000) expect(untouched, 'routes never fuzzed').toEqual([]);
      expect(rec.faults.size + rec.hangs.length + rec.unhealthy.size, report).toBe(0);
    },
    60_000 + budget * 200,
  );
});
