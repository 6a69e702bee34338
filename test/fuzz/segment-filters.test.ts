/**
 * Fuzzing segment filters (issue 13): segments with filters generated from the real grammar (profile dates and
 * strings, metadata, events.<name>.count/last_occurred, orders; every operator family; operands at and past their
 * bounds), each followed by customer and event writes in the same project that the segments must evaluate, and by
 * the background re-checks after the clock moves on. No answer may be a 5xx, no background step may throw, and
 * the project must still take ordinary writes at the end.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { defineSchema, type TestProject } from '../helpers/app.js';
import { driver } from '../helpers/db.js';
import { byRoute, fuzzBudget, fuzzSeed, healthy, ordinaryWritesWork, startFuzzTessera, type FuzzTessera } from '../helpers/fuzz-app.js';
import { formatReport, Recorder, topFrames } from '../helpers/fuzz-report.js';
import { resolveNumbers, send, type ConcreteRequest, type Outcome } from '../helpers/fuzz-run.js';
import { dateArb, extremeDates, looseFilterArb, metadataArb, numberArb, stringArb, validFilterArb } from '../helpers/fuzz-values.js';

/** This file's share of the suite's requests (the route fuzz takes the rest). */
const budget = Math.max(30, Math.round(fuzzBudget() * 0.2));
const seed = fuzzSeed();
/** Segments kept at once: older ones are deleted so evaluation cost stays bounded on long runs. */
const liveSegments = 40;
const events = ['purchase', 'signup'];

const purchaseSchema = {
  amount: { type: 'number', optional: true },
  sku: { type: 'string', optional: true },
  when: { type: 'date', optional: true },
  at: { type: 'datetime', optional: true },
  vip: { type: 'boolean', optional: true },
};

const clock = fixedClock(new Date('2026-02-02T10:00:00.000Z'));
let t: FuzzTessera;
let p: TestProject;

beforeAll(async () => {
  t = await startFuzzTessera({ clock });
  p = await t.createProject({ name: 'Segment fuzz' });
  await defineSchema(t.app, p.id, 'purchase', purchaseSchema);
  await defineSchema(t.app, p.id, 'signup', {});
});
afterAll(() => t?.close());

const edgeDay = fc.constantFrom('0001-01-01', '1970-01-01', '2024-02-29', '2026-02-02', '9999-12-31', '0000-01-01', '10000-01-01', '2023-02-29');

const customerArb = fc.record(
  {
    source_id: fc.nat(30).map((n) => `seg-cust-${n}`),
    name: fc.oneof(fc.string({ maxLength: 20 }), stringArb),
    email: fc.oneof(fc.nat(99).map((n) => `c${n}@example.com`), stringArb),
    birthdate: fc.oneof({ weight: 3, arbitrary: edgeDay }, { weight: 1, arbitrary: dateArb }, { weight: 1, arbitrary: fc.constant(null) }),
    address: fc.record({ city: fc.oneof(fc.constantFrom('Berlin', 'Zürich', ''), stringArb) }, { requiredKeys: [] }),
    metadata: fc.oneof(
      fc.record(
        {
          tier: fc.oneof(fc.constantFrom('gold', 'silver'), stringArb, numberArb),
          score: numberArb,
          due: fc.oneof(fc.constantFrom(...extremeDates), dateArb),
          nested: fc.record({ deep: fc.oneof(numberArb, dateArb) }),
          tags: fc.array(fc.oneof(stringArb, numberArb), { maxLength: 4 }),
        },
        { requiredKeys: [] },
      ),
      metadataArb,
    ),
  },
  { requiredKeys: ['source_id'] },
);

const eventArb = fc.record({
  event: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...events) }, { weight: 1, arbitrary: fc.constant('never_defined') }),
  source_id: fc.nat(30).map((n) => `seg-cust-${n}`),
  metadata: fc.record(
    {
      amount: numberArb,
      sku: stringArb,
      when: edgeDay,
      at: fc.oneof(fc.constantFrom('9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z', '2026-02-02T10:00:00+14:00'), dateArb),
      vip: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
});

type Followup = 'read' | 'members' | 'customer-segments' | 'update' | 'delete' | 'tick';

const stepArb = fc.record({
  type: fc.oneof({ weight: 6, arbitrary: fc.constant('auto-update') }, { weight: 3, arbitrary: fc.constant('passive') }, { weight: 1, arbitrary: fc.constant('static') }),
  filter: fc.oneof({ weight: 3, arbitrary: validFilterArb(events) }, { weight: 1, arbitrary: looseFilterArb(events) }),
  newFilter: validFilterArb(events),
  customer: customerArb,
  event: eventArb,
  followups: fc.uniqueArray(fc.constantFrom<Followup>('read', 'members', 'customer-segments', 'update', 'delete', 'tick'), { maxLength: 3 }),
  days: fc.constantFrom(1, 7, 31, 366, 3650),
});

describe('fuzzing segment filters', () => {
  it(
    `answers no 5xx to ${budget} segment, customer and event requests and stays healthy`,
    async () => {
      const rec = new Recorder(t.logs);
      const started = Date.now();
      const segments: string[] = [];
      let n = 0;

      const request = (project: TestProject, method: string, url: string, routeKey: string, body?: unknown): ConcreteRequest => ({
        method,
        url,
        headers: { ...project.server, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: resolveNumbers(JSON.stringify(body)) } : {}),
        authLabel: 'server key of the fuzzed project',
        routeKey,
      });

      /**
       * A write that fails may owe it to a segment saved earlier: each live segment is tried alone, in a fresh
       * project, with the failing request, and the first that reproduces the 5xx is named in the report.
       */
      const diagnose = async (key: string, failing: ConcreteRequest) => {
        const probe = await t.createProject({ name: `Probe ${n}` });
        for (const name of events) await defineSchema(t.app, probe.id, name, name === 'purchase' ? purchaseSchema : {});
        const replay = async () => {
          const res = await t.app.inject({ method: failing.method as 'POST', url: failing.url, headers: { ...failing.headers, ...probe.server }, payload: failing.payload });
          return res.statusCode;
        };
        if ((await replay()) >= 500) {
          rec.faults.get(key)!.context = 'this request alone, in a fresh project';
          return;
        }
        for (const id of [...segments].reverse()) {
          const seg = await t.app.inject({ method: 'GET', url: `/v1/segments/${id}`, headers: p.server });
          if (seg.statusCode !== 200) continue;
          const { name, type, filter } = seg.json() as { name: string; type: string; filter?: unknown };
          if (type === 'static' || !filter) continue;
          const made = await t.app.inject({ method: 'POST', url: '/v1/segments', headers: probe.server, payload: { name, type, filter } });
          if (made.statusCode >= 500) {
            rec.faults.get(key)!.context = `POST /v1/segments itself answers ${made.statusCode} in a fresh project for ${JSON.stringify({ type, filter })}`;
            return;
          }
          const status = await replay();
          if (made.statusCode === 200) await t.app.inject({ method: 'DELETE', url: `/v1/segments/${made.json().id}`, headers: probe.server });
          if (status >= 500) {
            rec.faults.get(key)!.context = `the project holding the segment ${JSON.stringify({ type, filter })} (clock at ${clock.now().toISOString()})`;
            return;
          }
        }
        rec.faults.get(key)!.context = 'not with this request and any one live segment alone in a fresh project';
      };

      const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, routeKey: string, body?: unknown): Promise<Outcome | 'timeout'> => {
        const req = request(p, method, url, routeKey, body);
        const logsFrom = t.logs.length;
        const outcome = await send(t.app, req);
        const newFault = rec.record(req, outcome, logsFrom);
        if (newFault) await diagnose(newFault, req);
        return outcome;
      };

      const background = async (label: string) => {
        const s = t.tessera.services.segments;
        for (const [name, step] of [
          ['runDueChecks', () => s.runDueChecks()],
          ['syncStep', () => s.syncStep()],
          ['sweepStep', () => s.sweepStep()],
        ] as const) {
          try {
            await step();
          } catch (err) {
            const e = err instanceof Error ? err : new Error(String(err));
            rec.unwell(`${name} ${e.message}`, `background ${name} threw ${label}: ${e.name}: ${e.message}\n${topFrames(e.stack).map((f) => `    at ${f}`).join('\n')}`);
          }
        }
      };

      await fc.assert(
        fc.asyncProperty(stepArb, async (step) => {
          if (rec.total >= budget) return true;
          n++;
          const body =
            step.type === 'static'
              ? { name: `fuzz ${n}`, type: 'static', customers: [step.customer.source_id] }
              : { name: `fuzz ${n}`, type: step.type, filter: step.filter };
          const created = await call('POST', '/v1/segments', 'POST /v1/segments', body);
          let id: string | undefined;
          if (created !== 'timeout' && created.status === 200) {
            id = JSON.parse(created.body).id as string;
            segments.push(id);
          }
          await call('POST', '/v1/customers', 'POST /v1/customers', step.customer);
          const { source_id, ...rest } = step.event;
          await call('POST', '/v1/events', 'POST /v1/events', { event: rest.event, customer: { source_id }, metadata: rest.metadata });

          for (const f of step.followups) {
            if (f === 'read' && id) await call('GET', `/v1/segments/${id}`, 'GET /v1/segments/:segmentId');
            if (f === 'members' && id) await call('GET', `/v1/customers?segment_id=${id}&limit=100`, 'GET /v1/customers');
            if (f === 'customer-segments') await call('GET', `/v1/customers/${step.customer.source_id}/segments`, 'GET /v1/customers/:customerId/segments');
            if (f === 'update' && id) await call('PUT', `/v1/segments/${id}`, 'PUT /v1/segments/:segmentId', { filter: step.newFilter });
            if (f === 'delete' && id) {
              await call('DELETE', `/v1/segments/${id}`, 'DELETE /v1/segments/:segmentId');
              segments.splice(segments.indexOf(id), 1);
            }
            if (f === 'tick') {
              clock.advance(step.days * 24 * 60 * 60 * 1000);
              await background(`after the clock moved ${step.days} days (request ${rec.total})`);
            }
          }
          while (segments.length > liveSegments) {
            const old = segments.shift()!;
            await call('DELETE', `/v1/segments/${old}`, 'DELETE /v1/segments/:segmentId');
          }
          return true;
        }),
        { seed, numRuns: budget, endOnFailure: true },
      );

      await background('at the end');
      const after = [...(await healthy(t.app))];
      after.push(...(await ordinaryWritesWork(t.app, p, 'segments')).map((x) => `fuzzed project: ${x}`));
      const fresh = await t.createProject({ name: 'After the segment fuzz' });
      after.push(...(await ordinaryWritesWork(t.app, fresh, 'fresh')).map((x) => `fresh project: ${x}`));
      for (const a of after) rec.unwell(a, `at the end: ${a}`);

      const report = formatReport(`fuzz segment filters on ${driver}`, rec, { seed, seconds: (Date.now() - started) / 1000, logs: t.logs, byRoute: byRoute(budget) });
      console.log(report);
      expect(rec.faults.size + rec.hangs.length + rec.unhealthy.size, report).toBe(0);
      // The generated filters must mostly pass the server's checks, or the evaluation paths go untested.
      expect(rec.perRouteClass.get('POST /v1/segments')?.get('2xx') ?? 0, report).toBeGreaterThan(budget / 20);
    },
    60_000 + budget * 400,
  );
});
