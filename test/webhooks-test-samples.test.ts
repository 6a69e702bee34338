/**
 * A test send (POST /management/v1/projects/{id}/webhooks/{id}/test) carries what a real event of its type would:
 * for every type a project webhook can subscribe to, the payload a real receiver gets validates against that type's
 * official schema (OpenAPIWebhooks.json, fair rules of spec/README.md), and is plainly a sample (`test` ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { emittedTypes } from '../src/modules/webhooks/index.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent, warnIfSpecAbsent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('webhooks-test-samples');

const clock = fixedClock(new Date('2024-06-03T09:30:00.000Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

/**
 * The order mask of orders-webhooks.test.ts: OrderCalculated is allOf two closed objects, so no order with an id
 * satisfies it as published; the two branches are merged into one closed object with the base's required keys.
 */
function orderMask(s: Record<string, any>): void {
  const [, extra] = s.OrderCalculated.allOf;
  // Typed as the fair copy types everything (null allowed: the rules of spec/README.md), the mask coming after them.
  s.OrderCalculated = { type: ['object', 'null'], additionalProperties: false, properties: { ...s.OrderCalculatedBase.properties, ...extra.properties }, required: s.OrderCalculatedBase.required };
}

describe.skipIf(!specPresent)('test sends carry realistic data of their type', () => {
  it('every subscribable type: the received payload validates against its official schema', async () => {
    const w = await createWebhook(t, p.id, sink.url, [...emittedTypes]);
    for (const type of emittedTypes) {
      const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/test`, { type });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }
    await deliverAll(t);
    const got = sink.received.map((r) => r.json);
    expect(got.map((g) => g.type).sort()).toEqual([...emittedTypes].sort());
    const v = projectWebhookValidators(emittedTypes, orderMask);
    const failures: string[] = [];
    for (const payload of got) {
      try {
        v.check(payload, `${payload.type} test send`);
        // A sample, plainly: a test event, and the ids it carries say test (cust_test..., camp_test...).
        expect(payload.event.id, payload.type).toMatch(/^evtest_/);
        expect(payload.event.entity_id, `${payload.type} names its sample entity`).toMatch(/_test/);
        expect(JSON.stringify(payload.data), `${payload.type} carries sample ids`).toMatch(/"[a-z]+_test/);
      } catch (err) {
        failures.push((err as Error).message.slice(0, 1500));
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});
