import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

/** Nothing crosses projects: B's keys never read, change or reference what A owns. */
describe('project isolation', () => {
  let t: TestTessera;
  let a: TestProject;
  let b: TestProject;
  let aliceA: { id: string; source_id: string };

  const as = (p: TestProject) => ({
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: p.server }),
    put: (url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: p.server, payload }),
    del: (url: string) => t.app.inject({ method: 'DELETE', url, headers: p.server }),
    post: (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload }),
  });

  beforeAll(async () => {
    t = await startTessera();
    a = await t.createProject({ name: 'A', client_trusted_domains: ['*'] });
    b = await t.createProject({ name: 'B', client_trusted_domains: ['*'] });
    await defineSchema(t.app, a.id, 'only_in_a', { plan: { type: 'string', optional: true } });
    await defineSchema(t.app, a.id, 'shared', {});
    await defineSchema(t.app, b.id, 'shared', {});
    const res = await as(a).post('/v1/events', { event: 'only_in_a', customer: { source_id: 'alice', name: 'Alice A' } });
    expect(res.statusCode).toBe(200);
    aliceA = res.json().customer;
  });
  afterAll(() => t.close());

  const expectNotFound = (res: { statusCode: number; json(): any }) => {
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'customer' });
  };

  it("hides A's customer from B by id and by source_id", async () => {
    for (const key of [aliceA.id, 'alice']) {
      expectNotFound(await as(b).get(`/v1/customers/${key}`));
      expectNotFound(await as(b).get(`/v1/customers/${key}/activity`));
      expectNotFound(await as(b).get(`/v1/customers/${key}/activities`));
    }
    expect((await as(a).get(`/v1/customers/${aliceA.id}`)).statusCode).toBe(200);
  });

  it("lets B neither change nor delete A's customer", async () => {
    for (const key of [aliceA.id, 'alice']) {
      expectNotFound(await as(b).put(`/v1/customers/${key}`, { name: 'Hijacked' }));
      expectNotFound(await as(b).del(`/v1/customers/${key}`));
    }
    const still = await as(a).get('/v1/customers/alice');
    expect(still.statusCode).toBe(200);
    expect(still.json()).toMatchObject({ id: aliceA.id, name: 'Alice A' });
  });

  it("keeps A's customers and schemas out of B's lists", async () => {
    const listB = await as(b).get('/v1/customers');
    expect(listB.statusCode).toBe(200);
    expect(listB.json().customers.map((c: { id: string }) => c.id)).not.toContain(aliceA.id);
    expect(listB.json().customers.map((c: { source_id: string }) => c.source_id)).not.toContain('alice');
    const listA = await as(a).get('/v1/customers');
    expect(listA.json().customers.map((c: { id: string }) => c.id)).toContain(aliceA.id);

    const schemasB = (await as(b).get('/v1/metadata-schemas')).json();
    expect(schemasB.schemas.map((s: { related_object: string }) => s.related_object)).toEqual(['shared']);
    expect(schemasB.total).toBe(1);
    expect((await as(b).get('/v1/metadata-schemas/only_in_a')).statusCode).toBe(404);
    expect((await as(a).get('/v1/metadata-schemas/only_in_a')).statusCode).toBe(200);
  });

  it("refuses a B event that names A's customer by id", async () => {
    const res = await as(b).post('/v1/events', { event: 'shared', customer: { id: aliceA.id } });
    expectNotFound(res);
    expect(res.json().resource_id).toBe(aliceA.id);
    const activity = (await as(a).get(`/v1/customers/${aliceA.id}/activity?limit=100`)).json();
    expect(activity.data.filter((x: { type: string }) => x.type === 'customer.custom_event')).toHaveLength(1);
  });

  it("refuses in B an event whose schema exists only in A", async () => {
    const res = await as(b).post('/v1/events', { event: 'only_in_a', customer: { source_id: 'bob' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().key).toBe('invalid_payload');
    expect((await as(b).get('/v1/customers/bob')).statusCode).toBe(404);
  });

  it('gives the same source_id in two projects two distinct customers', async () => {
    const res = await as(b).post('/v1/customers', { source_id: 'alice', name: 'Alice B' });
    expect(res.statusCode).toBe(200);
    const aliceB = res.json();
    expect(aliceB.id).not.toBe(aliceA.id);
    expect((await as(a).get('/v1/customers/alice')).json()).toMatchObject({ id: aliceA.id, name: 'Alice A' });
    expect((await as(b).get('/v1/customers/alice')).json()).toMatchObject({ id: aliceB.id, name: 'Alice B' });

    // B's own activity holds only B's events.
    const actB = (await as(b).get('/v1/customers/alice/activity')).json();
    expect(actB.data.map((x: { type: string }) => x.type)).toEqual(['customer.created']);
    expect(JSON.stringify(actB)).not.toContain(aliceA.id);

    // Deleting B's alice leaves A's in place.
    expect((await as(b).del('/v1/customers/alice')).statusCode).toBe(204);
    expect((await as(a).get('/v1/customers/alice')).statusCode).toBe(200);
    expect((await as(b).get('/v1/customers/alice')).statusCode).toBe(404);
  });

  it("does not let a key id of one project pass with another project's token", async () => {
    const mixed = { 'x-app-id': a.server['x-app-id'], 'x-app-token': b.server['x-app-token'] };
    const res = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: mixed });
    expect(res.statusCode).toBe(401);
    const mixedClient = { 'x-client-application-id': a.client['x-client-application-id'], 'x-client-token': b.client['x-client-token'] };
    const res2 = await t.app.inject({
      method: 'POST',
      url: '/client/v1/events',
      headers: { ...mixedClient, origin: 'https://shop.example.com' },
      payload: { event: 'shared', customer: { source_id: 'carol' } },
    });
    expect(res2.statusCode).toBe(401);
  });

  describe("A's client key", () => {
    const track = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...a.client, origin: 'https://shop.example.com' }, payload });

    it("cannot reach B's customers or schemas", async () => {
      const bobB = (await as(b).post('/v1/customers', { source_id: 'bob-b' })).json();
      expectNotFound(await track({ event: 'shared', customer: { id: bobB.id } }));
      const onlyInB = await defineSchema(t.app, b.id, 'only_in_b', {});
      expect(onlyInB.name).toBe('only_in_b');
      expect((await track({ event: 'only_in_b', customer: { source_id: 'dave' } })).statusCode).toBe(400);
      expect((await as(b).get('/v1/customers/bob-b/activity')).json().data).toHaveLength(1);
    });

    it('creates customers in A only', async () => {
      const res = await track({ event: 'shared', customer: { source_id: 'erin' } });
      expect(res.statusCode).toBe(200);
      expect((await as(a).get('/v1/customers/erin')).statusCode).toBe(200);
      expect((await as(b).get('/v1/customers/erin')).statusCode).toBe(404);
    });

    it("is judged by A's trusted domains, never B's", async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/management/v1/projects/${a.id}`,
        headers: managementHeaders,
        payload: { client_trusted_domains: ['a.example.com'] },
      });
      expect(res.statusCode).toBe(200);
      expect((await track({ event: 'shared', customer: { source_id: 'frank' } })).statusCode).toBe(403);
      const fromB = await t.app.inject({
        method: 'POST',
        url: '/client/v1/events',
        headers: { ...b.client, origin: 'https://shop.example.com' },
        payload: { event: 'shared', customer: { source_id: 'frank' } },
      });
      expect(fromB.statusCode).toBe(200);
    });
  });

  describe('management API', () => {
    it("does not show A's event schema under B's path", async () => {
      const schemas = (await t.app.inject({ method: 'GET', url: `/management/v1/projects/${a.id}/custom-event-schemas`, headers: managementHeaders })).json();
      const onlyInA = schemas.data.find((s: { name: string }) => s.name === 'only_in_a');
      expect(onlyInA).toBeDefined();
      const url = `/management/v1/projects/${b.id}/custom-event-schemas/${onlyInA.id}`;
      expect((await t.app.inject({ method: 'GET', url, headers: managementHeaders })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'PUT', url, headers: managementHeaders, payload: { schema: { properties: {} } } })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'DELETE', url, headers: managementHeaders })).statusCode).toBe(404);
      const stillThere = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${a.id}/custom-event-schemas/${onlyInA.id}`, headers: managementHeaders });
      expect(stillThere.statusCode).toBe(200);
    });

    it('answers 404 about the project for schemas of an unknown project', async () => {
      const base = '/management/v1/projects/proj_unknown/custom-event-schemas';
      const list = await t.app.inject({ method: 'GET', url: base, headers: managementHeaders });
      expect(list.statusCode).toBe(404);
      expect(list.json()).toMatchObject({ key: 'not_found', resource_type: 'project', resource_id: 'proj_unknown' });
      const create = await t.app.inject({ method: 'POST', url: base, headers: managementHeaders, payload: { name: 'x', schema: { properties: {} } } });
      expect(create.statusCode).toBe(404);
      expect(create.json().resource_type).toBe('project');
    });
  });
});
