/**
 * The transactional outbox: sendouts commit or roll back with the change that caused them, go only to active
 * endpoints of the event's project subscribed to its type, and under concurrency every event reaches every
 * subscribed endpoint exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CausedEvent } from '../src/modules/event-log/index.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;

beforeAll(async () => {
  t = await startTessera({ env: { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } });
});
afterAll(() => t.close());

async function webhook(project: TestProject, body: object): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${project.id}/webhooks`, headers: managementHeaders, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id;
}

async function sendouts(projectId: string): Promise<Array<{ id: string; source_id: string; event_type: string; status: string }>> {
  const { rows } = await t.tessera.db.query<{ id: string; source_id: string; event_type: string; status: string }>(
    'SELECT id, source_id, event_type, status FROM sendouts WHERE project_id = $1 ORDER BY id',
    [projectId],
  );
  return rows;
}

async function createCustomer(project: TestProject, sourceId: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: project.server, payload: { source_id: sourceId } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id;
}

function customerCreated(projectId: string, n: number): CausedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    cause: { projectId, groupId: `v-outbox${i}`, source: { channel: 'API' as const } },
    event: { type: 'customer.created', customerId: `cust_outbox${i}`, entityId: `cust_outbox${i}`, data: { customer: { id: `cust_outbox${i}` } } },
  }));
}

describe('sendouts commit with the change', () => {
  it('a change rolled back after emitting leaves no sendout; the same change committed leaves one per endpoint', async () => {
    const p = await t.createProject();
    const a = await webhook(p, { target_url: 'http://127.0.0.1:9/a', events: ['customer.created'] });
    const b = await webhook(p, { target_url: 'http://127.0.0.1:9/b', events: ['*'] });
    const { log } = t.tessera.services;

    await expect(
      t.tessera.db.transaction(async (tx) => {
        const records = await log.record(tx, customerCreated(p.id, 2));
        expect(records).toHaveLength(2);
        // Inside the transaction the sendouts exist...
        const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM sendouts WHERE project_id = $1', [p.id]);
        expect(rows[0]!.n).toBe(4);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // ...and go with it.
    expect(await sendouts(p.id)).toEqual([]);

    await t.tessera.db.transaction(async (tx) => {
      await log.record(tx, customerCreated(p.id, 2));
    });
    const rows = await sendouts(p.id);
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => r.source_id === a)).toHaveLength(2);
    expect(rows.filter((r) => r.source_id === b)).toHaveLength(2);
    expect(rows.every((r) => r.status === 'pending' && r.event_type === 'customer.created')).toBe(true);
  });

  it('a customer write that fails emits nothing (the API path)', async () => {
    const p = await t.createProject();
    await webhook(p, { target_url: 'http://127.0.0.1:9/a', events: ['*'] });
    const res = await t.app.inject({ method: 'PUT', url: '/v1/customers/cust_missing', headers: p.server, payload: { name: 'x' } });
    expect(res.statusCode).toBe(404);
    expect(await sendouts(p.id)).toEqual([]);
  });
});

describe('who gets a sendout', () => {
  it('inactive endpoints, endpoints not subscribed to the type, and other projects\' endpoints get nothing', async () => {
    const p = await t.createProject();
    const q = await t.createProject();
    const active = await webhook(p, { target_url: 'http://127.0.0.1:9/active', events: ['customer.created'] });
    await webhook(p, { target_url: 'http://127.0.0.1:9/inactive', events: ['*'], active: false });
    await webhook(p, { target_url: 'http://127.0.0.1:9/deleted-only', events: ['customer.deleted'] });
    const otherProject = await webhook(q, { target_url: 'http://127.0.0.1:9/other', events: ['*'] });

    await createCustomer(p, 'in-p');
    expect((await sendouts(p.id)).map((r) => r.source_id)).toEqual([active]);
    expect(await sendouts(q.id)).toEqual([]);

    await createCustomer(q, 'in-q');
    expect((await sendouts(q.id)).map((r) => r.source_id)).toEqual([otherProject]);
    expect(await sendouts(p.id)).toHaveLength(1);
  });

  it('customer.custom_event is recorded but is not a project-settings webhook: no sendout', async () => {
    const p = await t.createProject();
    const all = await webhook(p, { target_url: 'http://127.0.0.1:9/all', events: ['*'] });
    const customerId = await createCustomer(p, 'tracker');
    expect((await sendouts(p.id)).map((r) => r.event_type)).toEqual(['customer.created']);

    await defineSchema(t.app, p.id, 'page_view', {});
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'page_view', customer: { id: customerId } } });
    expect(res.statusCode, res.body).toBe(200);
    await t.tessera.services.events.drain();
    const activity = await t.app.inject({ method: 'GET', url: `/v1/customers/${customerId}/activity?type=customer.custom_event`, headers: p.server });
    expect(activity.json().data).toHaveLength(1);
    expect((await sendouts(p.id)).map((r) => [r.source_id, r.event_type])).toEqual([[all, 'customer.created']]);
  });
});

describe('under concurrency', () => {
  it('1,000 concurrent customer creations, two endpoints: 2,000 sendouts, each delivered exactly once', { timeout: 180_000 }, async () => {
    const sinks: Sink[] = [await startSink(), await startSink()];
    try {
      const p = await t.createProject();
      const ids = [
        await webhook(p, { target_url: sinks[0]!.url, events: ['customer.created'] }),
        await webhook(p, { target_url: sinks[1]!.url, events: ['*'] }),
      ];
      const n = 1000;
      const chunk = 100;
      for (let from = 0; from < n; from += chunk) {
        const responses = await Promise.all(
          Array.from({ length: chunk }, (_, i) =>
            t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: `bulk-${from + i}` } }),
          ),
        );
        for (const r of responses) expect(r.statusCode, r.body).toBe(200);
      }
      const queued = await sendouts(p.id);
      expect(queued).toHaveLength(2 * n);
      for (const id of ids) expect(queued.filter((r) => r.source_id === id)).toHaveLength(n);

      let rounds = 0;
      while ((await t.tessera.services.delivery.deliverDue('test-worker')) > 0) rounds++;
      expect(rounds).toBeGreaterThan(0);

      const seen = new Set<string>();
      for (const [i, sink] of sinks.entries()) {
        expect(sink.received).toHaveLength(n);
        const whs = sink.received.map((r) => r.json.id as string);
        for (const id of whs) seen.add(id);
        expect(new Set(whs).size).toBe(n);
        expect(sink.received.every((r) => r.json.source.id === ids[i])).toBe(true);
        expect(new Set(sink.received.map((r) => r.json.data.customer.source_id)).size).toBe(n);
      }
      expect(seen.size).toBe(2 * n);
      const after = await sendouts(p.id);
      expect(new Set(after.map((r) => r.id))).toEqual(seen);
      expect(after.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      for (const s of sinks) await s.close();
    }
  });
});
