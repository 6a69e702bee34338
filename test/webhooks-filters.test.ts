import { describe, expect, it } from 'vitest';
import { closeAfterEach, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink } from './helpers/sink.js';
import { allSendouts, deliverAll, getWebhook, mgmt, privateTargets } from './helpers/sendouts.js';

/**
 * Payload filters on webhook endpoints (our extension, like Convoy's): only messages whose envelope matches the
 * filter get a sendout. Real receivers; filters are checked when saved.
 */
const closing = closeAfterEach();

async function setup() {
  const t = closing(await startTessera({ env: privateTargets }));
  const p: TestProject = await t.createProject();
  const sink = closing(await startSink());
  return { t, p, sink };
}

async function webhook(t: TestTessera, projectId: string, body: Record<string, unknown>) {
  return mgmt(t, 'POST', `/projects/${projectId}/webhooks`, { events: ['customer.created'], ...body });
}

async function customer(t: TestTessera, p: TestProject, body: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: body });
  expect(res.statusCode, res.body).toBe(200);
}

describe('webhook filters', () => {
  it('sends only the messages the filter matches; other endpoints get theirs', async () => {
    const { t, p, sink } = await setup();
    const all = closing(await startSink());
    const res = await webhook(t, p.id, { target_url: sink.url, events: ['*'], filter: { type: 'customer.created', 'data.customer.metadata.tier': { $in: ['gold', 'platinum'] } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().filter).toEqual({ type: 'customer.created', 'data.customer.metadata.tier': { $in: ['gold', 'platinum'] } });
    await webhook(t, p.id, { target_url: all.url });
    await customer(t, p, { source_id: 'gold-1', metadata: { tier: 'gold' } });
    await customer(t, p, { source_id: 'silver-1', metadata: { tier: 'silver' } });
    await customer(t, p, { source_id: 'none-1' });
    await customer(t, p, { source_id: 'plat-1', metadata: { tier: 'platinum' } });
    // An update of a gold customer is not customer.created: filtered out by `type`.
    await customer(t, p, { source_id: 'gold-1', name: 'Gold One', metadata: { tier: 'gold' } });
    await deliverAll(t);
    expect(sink.received.map((r) => r.json.data.customer.source_id).sort()).toEqual(['gold-1', 'plat-1']);
    expect(all.received).toHaveLength(4);
    // A message filtered out has no sendout at all (nothing to retry or audit).
    expect((await allSendouts(t, p.id)).filter((s) => s.target_url === sink.url)).toHaveLength(2);
  });

  it('applies every operator: $eq, $ne, $nin, $exists, numeric and date comparisons, lists and $or', async () => {
    const { t, p, sink } = await setup();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ 'data.customer.metadata.visits': { $gte: 10, $lt: 100 } }, ['b', 'c']],
      [{ 'data.customer.metadata.visits': { $gt: 99 } }, ['d']],
      [{ 'data.customer.metadata.tier': { $ne: 'gold' } }, ['b', 'd', 'e']],
      [{ 'data.customer.metadata.tier': { $nin: ['gold', 'silver'] } }, ['d', 'e']],
      [{ 'data.customer.metadata.tier': { $exists: false } }, ['e']],
      [{ 'data.customer.email': { $eq: 'c@example.com' } }, ['c']],
      [{ 'data.customer.metadata.tags': 'vip' }, ['a', 'd']],
      [{ 'data.customer.metadata.joined': { $gte: '2024-06-01' } }, ['c', 'd']],
      [{ $or: [{ 'data.customer.metadata.tier': 'silver' }, { 'data.customer.metadata.visits': { $lt: 5 } }] }, ['a', 'b']],
      [{ 'data.customer.metadata.visits': '10' }, []],
    ];
    const ids: string[] = [];
    for (const [filter] of cases) {
      const res = await webhook(t, p.id, { target_url: `${sink.url}/${ids.length}`, filter });
      expect(res.statusCode, JSON.stringify(filter)).toBe(200);
      ids.push(res.json().id);
    }
    await customer(t, p, { source_id: 'a', metadata: { tier: 'gold', visits: 1, tags: ['vip', 'new'], joined: '2024-01-15' } });
    await customer(t, p, { source_id: 'b', metadata: { tier: 'silver', visits: 10, joined: '2023-12-01' } });
    await customer(t, p, { source_id: 'c', email: 'c@example.com', metadata: { tier: 'gold', visits: 50, joined: '2024-06-01' } });
    await customer(t, p, { source_id: 'd', metadata: { tier: 'bronze', visits: 500, tags: ['vip'], joined: '2025-02-02' } });
    await customer(t, p, { source_id: 'e', metadata: { visits: 5 } });
    await deliverAll(t);
    cases.forEach(([filter, expected], i) => {
      const got = sink.received.filter((r) => r.path === `/hook/${i}`).map((r) => r.json.data.customer.source_id);
      expect(got.sort(), JSON.stringify(filter)).toEqual(expected);
    });
  });

  it('refuses a filter it could not apply as written, with a 400 naming the part', async () => {
    const { t, p, sink } = await setup();
    const bad: Array<[unknown, RegExp]> = [
      [['x'], /filter/],
      ['gold', /filter/],
      [{ 'customer.metadata.tier': 'gold' }, /not a field path/],
      [{ 'data.customer.metadata.tier': { $regex: 'g.*' } }, /\$regex is not an operator/],
      [{ 'data.customer.metadata.tier': { $in: [] } }, /\$in must be a list of 1 to 100/],
      [{ 'data.customer.metadata.tier': { $in: [{ a: 1 }] } }, /\$in must be a list/],
      [{ 'data.customer.metadata.tier': { $exists: 'yes' } }, /\$exists must be true or false/],
      [{ 'data.customer.metadata.visits': { $gt: [1] } }, /\$gt must be a number or a string/],
      [{ 'data.customer.metadata.tier': {} }, /has no operator/],
      [{ 'data.customer.metadata.tier': [1, 2] }, /must be a string, number, boolean, null or an object of operators/],
      [{ $or: [] }, /\$or must be a list of 1 to 10 filters/],
      [{ $or: [{ $or: [{ $or: [{ $or: [{ type: 'x' }] }] }] }] }, /nested more than 3 deep/],
      [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`data.k${i}`, i])), /more than 50 conditions/],
      [{ 'data.x': 'y'.repeat(10_001) }, /larger than 10000 bytes/],
    ];
    for (const [filter, message] of bad) {
      const res = await webhook(t, p.id, { target_url: sink.url, filter });
      expect(res.statusCode, JSON.stringify(filter).slice(0, 80)).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect(`${res.json().message} ${res.json().details}`).toMatch(message);
    }
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks`)).json().data).toEqual([]);
  });

  it('PUT replaces the filter (left out: none), and a test send ignores it', async () => {
    const { t, p, sink } = await setup();
    const w = (await webhook(t, p.id, { target_url: sink.url, filter: { 'data.customer.metadata.tier': 'gold' } })).json();
    const test = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/test`, { type: 'customer.created' });
    expect(test.statusCode).toBe(200);
    await deliverAll(t);
    expect(sink.received).toHaveLength(1);
    const put = await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${w.id}`, { target_url: sink.url, events: ['customer.created'] });
    expect(put.json().filter).toBeNull();
    expect((await getWebhook(t, p.id, w.id)).filter).toBeNull();
    await customer(t, p, { source_id: 'anyone' });
    await deliverAll(t);
    expect(sink.received.map((r) => r.json.data.customer.source_id)).toContain('anyone');
  });
});
