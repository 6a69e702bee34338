import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { fingerprintOf } from '../src/modules/idempotency/index.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

/**
 * Idempotency keys (our extension): a POST retried with the same `Idempotency-Key` runs once and gets the first
 * answer again; the database is counted afterwards.
 */
const start = new Date('2025-05-05T10:00:00.000Z');
let t: TestTessera | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup() {
  const clock = fixedClock(start);
  t = await startTessera({ clock });
  const p: TestProject = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
  await defineSchema(t.app, p.id, 'purchase', { amount: { type: 'number', optional: true } });
  return { t, p, clock };
}

const count = async (t: TestTessera, sql: string, params: unknown[]) => Number((await t.testDb.db.query<{ n: string }>(sql, params)).rows[0]!.n);
const events = (t: TestTessera, projectId: string) => count(t, "SELECT count(*) AS n FROM custom_events WHERE project_id = $1", [projectId]);

async function replays(t: TestTessera): Promise<number> {
  const line = (await t.app.inject({ method: 'GET', url: '/metrics' })).body.split('\n').find((l) => l.startsWith('tessera_idempotent_replays_total '));
  return line ? Number(line.split(' ')[1]) : 0;
}

function post(t: TestTessera, p: TestProject, url: string, payload: unknown, key?: string) {
  return t.app.inject({ method: 'POST', url, headers: { ...p.server, ...(key !== undefined ? { 'idempotency-key': key } : {}) }, payload: payload as object });
}

describe('idempotency keys', () => {
  it('runs a POST once per key: the retry gets the same status and body, marked as replayed', async () => {
    const { t, p } = await setup();
    const body = { event: 'purchase', customer: { source_id: 'ann' }, metadata: { amount: 5 } };
    const first = await post(t, p, '/v1/events', body, 'order-1001');
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replaysBefore = await replays(t);
    const again = await post(t, p, '/v1/events', body, 'order-1001');
    expect(again.statusCode).toBe(200);
    expect((await replays(t)) - replaysBefore).toBe(1);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await events(t, p.id)).toBe(1);
    // Without a key, or with another one, it runs again.
    expect((await post(t, p, '/v1/events', body)).statusCode).toBe(200);
    expect((await post(t, p, '/v1/events', body, 'order-1002')).statusCode).toBe(200);
    expect(await events(t, p.id)).toBe(3);
  });

  it('replays a refusal too (4xx), but frees the key of a request that failed on the server (5xx)', async () => {
    const { t, p } = await setup();
    const bad = { event: 'purchase', customer: { source_id: 'ann' }, metadata: { amount: 'lots' } };
    const first = await post(t, p, '/v1/events', bad, 'k-400');
    expect(first.statusCode).toBe(400);
    const again = await post(t, p, '/v1/events', bad, 'k-400');
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().key).toBe(first.json().key);
    // A 5xx leaves no stored answer: simulate it by storing a running key's failure through the service.
    const svc = t.tessera.services.idempotency;
    expect((await svc.claim(p.id, 'k-500', 'fp')).kind).toBe('run');
    await svc.release(p.id, 'k-500', 'fp');
    expect((await svc.claim(p.id, 'k-500', 'fp')).kind).toBe('run');
  });

  it('refuses the same key for a different request (422) and a key still running (409)', async () => {
    const { t, p } = await setup();
    await post(t, p, '/v1/events', { event: 'purchase', customer: { source_id: 'ann' } }, 'same');
    const other = await post(t, p, '/v1/events', { event: 'purchase', customer: { source_id: 'bob' } }, 'same');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 422, key: 'idempotency_key_reused' });
    expect(other.json().request_id).toBeTruthy();
    const path = await post(t, p, '/v1/customers', { source_id: 'ann' }, 'same');
    expect(path.statusCode).toBe(422);
    // A key taken by a request that is still running.
    expect((await t.tessera.services.idempotency.claim(p.id, 'busy', fingerprintOf('POST', '/v1/customers', { source_id: 'carl' }))).kind).toBe('run');
    const busy = await post(t, p, '/v1/customers', { source_id: 'carl' }, 'busy');
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ key: 'resource_in_use' });
    expect(await count(t, 'SELECT count(*) AS n FROM customers WHERE project_id = $1 AND source_id = $2', [p.id, 'carl'])).toBe(0);
  });

  it('keys are per project, last 24 hours, and a request whose process died frees its key after a minute', async () => {
    const { t, p, clock } = await setup();
    const q = await t.createProject();
    await defineSchema(t.app, q.id, 'purchase', { amount: { type: 'number', optional: true } });
    const body = { event: 'purchase', customer: { source_id: 'ann' } };
    await post(t, p, '/v1/events', body, 'shared');
    expect((await post(t, q, '/v1/events', body, 'shared')).headers['idempotent-replayed']).toBeUndefined();
    clock.set(new Date(start.getTime() + 24 * 3600_000 - 1));
    expect((await post(t, p, '/v1/events', body, 'shared')).headers['idempotent-replayed']).toBe('true');
    clock.set(new Date(start.getTime() + 24 * 3600_000));
    expect((await post(t, p, '/v1/events', body, 'shared')).headers['idempotent-replayed']).toBeUndefined();
    expect(await events(t, p.id)).toBe(2);
    // A running key (its process gone) blocks for its lease, then the same request may run.
    const fp = fingerprintOf('POST', '/v1/events', body);
    expect((await t.tessera.services.idempotency.claim(p.id, 'orphan', fp)).kind).toBe('run');
    expect((await post(t, p, '/v1/events', body, 'orphan')).statusCode).toBe(409);
    clock.set(new Date(clock.now().getTime() + 60_000));
    expect((await post(t, p, '/v1/events', body, 'orphan')).statusCode).toBe(200);
    expect(await events(t, p.id)).toBe(3);
    // The retention job deletes expired keys.
    clock.set(new Date(clock.now().getTime() + 25 * 3600_000));
    expect(await t.tessera.services.idempotency.prune(1000)).toBeGreaterThanOrEqual(2);
    expect(await count(t, 'SELECT count(*) AS n FROM idempotency_keys WHERE project_id = $1', [p.id])).toBe(0);
  });

  it('concurrent requests with one key: exactly one runs; the others are replays or told it is running', async () => {
    const { t, p } = await setup();
    const body = { event: 'purchase', customer: { source_id: 'dee' }, metadata: { amount: 1 } };
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(t, p, '/v1/events', body, 'burst')));
    const ran = answers.filter((a) => a.statusCode === 200 && a.headers['idempotent-replayed'] === undefined);
    expect(ran).toHaveLength(1);
    for (const a of answers) expect([200, 409]).toContain(a.statusCode);
    expect(await events(t, p.id)).toBe(1);
  });

  it('refuses a malformed key with a 400, ignores keys on GET, and works on the client API', async () => {
    const { t, p } = await setup();
    for (const key of ['', 'x'.repeat(256), 'has space', 'é']) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { ...p.server, 'idempotency-key': key }, payload: { source_id: 'eve' } });
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(res.json().key).toBe('invalid_payload');
    }
    const get = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: { ...p.server, 'idempotency-key': 'g' } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['idempotent-replayed']).toBeUndefined();
    const client = { ...p.client, origin: 'https://shop.example.com', 'idempotency-key': 'client-1' };
    const body = { event: 'purchase', customer: { source_id: 'fay' } };
    const a = await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: client, payload: body });
    const b = await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: client, payload: body });
    expect(a.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(await events(t, p.id)).toBe(1);
  });

  it("the client key's keys are its own: a page holding it cannot take a key the server uses", async () => {
    const { t, p } = await setup();
    const body = { event: 'purchase', customer: { source_id: 'gus' } };
    const fromPage = await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...p.client, origin: 'https://shop.example.com', 'idempotency-key': 'order-1001-paid' }, payload: { event: 'nope', customer: { source_id: 'x' } } });
    expect(fromPage.statusCode).toBe(400);
    const fromServer = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { ...p.server, 'idempotency-key': 'order-1001-paid' }, payload: body });
    expect(fromServer.statusCode, fromServer.body).toBe(200);
    expect(fromServer.headers['idempotent-replayed']).toBeUndefined();
    expect(await events(t, p.id)).toBe(1);
  });

  it('refuses a key on a file upload (two files could not be told apart), with a 400 that says so', async () => {
    const { t, p } = await setup();
    const boundary = '----tessera';
    const file = (rows: string) => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n${rows}\r\n--${boundary}--\r\n`;
    const upload = (rows: string) => t.app.inject({ method: 'POST', url: '/v1/customers/importCSV', headers: { ...p.server, 'idempotency-key': 'import-1', 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: file(rows) });
    const res = await upload('source_id,name\nalice,Alice\n');
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toContain('file upload');
  });
});
