/** Custom event schemas through the management API, and how /v1/metadata-schemas shows them. */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2024-07-01T12:00:00.000Z'));
let t: TestTessera;
let p: TestProject;

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const base = (projectId: string) => `/management/v1/projects/${projectId}/custom-event-schemas`;
const mgmt = (method: Method, path: string, payload?: object, headers: Record<string, string> = managementHeaders) =>
  t.app.inject({ method, url: `${base(p.id)}${path}`, headers, ...(payload ? { payload } : {}) });

async function create(name: string, properties: object = {}): Promise<Record<string, any>> {
  const res = await mgmt('POST', '', { name, schema: { properties } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function expectError(res: LightMyRequestResponse, code: number, key: string): Record<string, any> {
  expect(res.statusCode, res.body).toBe(code);
  const body = res.json();
  expect(body).toMatchObject({ code, key });
  return body;
}

describe('custom event schemas', () => {
  it('creates a schema and answers the custom-event-schema object', async () => {
    clock.set(new Date('2024-07-01T12:00:00.000Z'));
    const body = await create('sign_up', { plan: { type: 'string', optional: false }, trial: { type: 'boolean', optional: true } });
    expect(body).toEqual({
      id: expect.stringMatching(/^ms_[0-9a-zA-Z]+$/),
      name: 'sign_up',
      schema: { properties: { plan: { type: 'string', optional: false }, trial: { type: 'boolean', optional: true } } },
      created_at: '2024-07-01T12:00:00.000Z',
      updated_at: null,
      object: 'custom-event-schema',
    });
    expect((await mgmt('GET', `/${body.id}`)).json()).toEqual(body);
  });

  it('accepts a schema without properties', async () => {
    expect((await create('no_props')).schema).toEqual({ properties: {} });
  });

  it('lists the project’s schemas', async () => {
    const other = await t.createProject();
    await t.app.inject({
      method: 'POST',
      url: base(other.id),
      headers: managementHeaders,
      payload: { name: 'elsewhere', schema: { properties: {} } },
    });
    const a = await create('listed_a');
    const res = await mgmt('GET', '');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ object: 'list', data_ref: 'data', total: body.data.length });
    expect(body.data).toContainEqual(a);
    expect(body.data.map((s: { name: string }) => s.name)).not.toContain('elsewhere');
  });

  it('answers 404 for an unknown schema', async () => {
    const body = expectError(await mgmt('GET', '/ms_unknown'), 404, 'not_found');
    expect(body).toMatchObject({ resource_id: 'ms_unknown', resource_type: 'custom_event_schema' });
  });

  it('refuses a duplicate name with 409 duplicate_found, but allows it in another project', async () => {
    await create('dup_name');
    const body = expectError(await mgmt('POST', '', { name: 'dup_name', schema: { properties: {} } }), 409, 'duplicate_found');
    expect(body).toMatchObject({
      message: 'Duplicated resource found',
      details: 'Duplicated custom_event_schema exists with name dup_name',
      resource_id: 'dup_name',
      resource_type: 'custom_event_schema',
    });
    const other = await t.createProject();
    const res = await t.app.inject({
      method: 'POST',
      url: base(other.id),
      headers: managementHeaders,
      payload: { name: 'dup_name', schema: { properties: {} } },
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['an unknown property type', { name: 'bad', schema: { properties: { x: { type: 'object', optional: true } } } }],
    ['a property without optional', { name: 'bad', schema: { properties: { x: { type: 'string' } } } }],
    ['an unknown property setting', { name: 'bad', schema: { properties: { x: { type: 'string', optional: true, min_length: 1 } } } }],
    ['no name', { schema: { properties: {} } }],
    ['no schema', { name: 'bad' }],
    ['no properties', { name: 'bad', schema: {} }],
  ])('refuses %s with 400 invalid_payload', async (_what, payload) => {
    expectError(await mgmt('POST', '', payload), 400, 'invalid_payload');
    expect((await mgmt('GET', '')).json().data.map((s: { name: string }) => s.name)).not.toContain('bad');
  });

  it('PUT changes only the properties sent, may change a type, and adds new ones', async () => {
    clock.set(new Date('2024-07-02T12:00:00.000Z'));
    const s = await create('partial', { keep: { type: 'string', optional: false }, change: { type: 'number', optional: false } });
    clock.set(new Date('2024-07-02T13:00:00.000Z'));
    const res = await mgmt('PUT', `/${s.id}`, {
      schema: { properties: { change: { type: 'date' }, added: { type: 'datetime', optional: true } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const expected = {
      ...s,
      schema: {
        properties: {
          keep: { type: 'string', optional: false },
          change: { type: 'date', optional: false },
          added: { type: 'datetime', optional: true },
        },
      },
      updated_at: '2024-07-02T13:00:00.000Z',
    };
    expect(res.json()).toEqual(expected);
    expect((await mgmt('GET', `/${s.id}`)).json()).toEqual(expected);

    const optionalOnly = await mgmt('PUT', `/${s.id}`, { schema: { properties: { keep: { optional: true } } } });
    expect(optionalOnly.json().schema.properties.keep).toEqual({ type: 'string', optional: true });
  });

  it('PUT deleted:true soft-removes a property and deleted:false restores it', async () => {
    const s = await create('soft', { gone: { type: 'number', optional: false }, stays: { type: 'string', optional: true } });
    const removed = await mgmt('PUT', `/${s.id}`, { schema: { properties: { gone: { deleted: true } } } });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().schema.properties).toEqual({
      gone: { type: 'number', optional: false, deleted: true },
      stays: { type: 'string', optional: true },
    });
    const restored = await mgmt('PUT', `/${s.id}`, { schema: { properties: { gone: { deleted: false } } } });
    expect(restored.json().schema.properties.gone).toMatchObject({ type: 'number', optional: false });
    expect(restored.json().schema.properties.gone.deleted ?? false).toBe(false);
  });

  it.each([['sign.up'], ['  '], ['']])('refuses the name %j, which segments could not name in events.<name>.count, saying why', async (name) => {
    const res = await mgmt('POST', '', { name, schema: { properties: {} } });
    expectError(res, 400, 'invalid_payload');
    expect(res.json().details).toMatch(/name/);
    expect((await mgmt('GET', '')).json().data.map((s: { name: string }) => s.name)).not.toContain(name);
  });

  it('PUT refuses a new property without type and optional, an unknown type, and an unknown schema', async () => {
    const s = await create('put_errors', { a: { type: 'string', optional: true } });
    expectError(await mgmt('PUT', `/${s.id}`, { schema: { properties: { fresh: { type: 'string' } } } }), 400, 'invalid_payload');
    expectError(await mgmt('PUT', `/${s.id}`, { schema: { properties: { a: { type: 'geopoint' } } } }), 400, 'invalid_payload');
    expect((await mgmt('GET', `/${s.id}`)).json().schema.properties).toEqual({ a: { type: 'string', optional: true } });
    const missing = expectError(await mgmt('PUT', '/ms_missing', { schema: { properties: {} } }), 404, 'not_found');
    expect(missing.resource_type).toBe('custom_event_schema');
  });

  it('refuses to delete a schema a distribution trigger or an earning rule uses (409 resource_in_use naming them)', async () => {
    const s = await create('in_use');
    const v1 = (method: Method, url: string, payload?: object) => t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
    const d = (await v1('POST', '/v1/distributions', { name: 'On in_use', status: 'DRAFT', trigger: { type: 'customer.custom_event', event: 'in_use' }, channel: { type: 'webhook', target_url: 'https://93.184.216.34/hook', event_name: 'x' } })).json();
    expect(d.id, JSON.stringify(d)).toMatch(/^distr_/);
    const program = (await v1('POST', '/v1/loyalties', { name: 'In use club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } })).json();
    const rules = await v1('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'custom_event', custom_event: { schema_id: s.id }, loyalty: { type: 'FIXED', points: 1 } }]);
    expect(rules.statusCode, rules.body).toBe(200);
    const rule = rules.json()[0];
    const refused = expectError(await mgmt('DELETE', `/${s.id}`), 409, 'resource_in_use');
    expect(refused).toMatchObject({ resource_id: s.id, resource_type: 'custom_event_schema' });
    expect(refused.details).toContain(d.id);
    expect(refused.details).toContain(rule.id);
    expect((await mgmt('GET', `/${s.id}`)).statusCode).toBe(200);
    expect((await v1('DELETE', `/v1/distributions/${d.id}`)).statusCode).toBe(204);
    const still = expectError(await mgmt('DELETE', `/${s.id}`), 409, 'resource_in_use');
    expect(still.details).not.toContain(d.id);
    expect((await v1('DELETE', `/v1/loyalties/${program.id}/earning-rules/${rule.id}`)).statusCode).toBe(204);
    expect((await mgmt('DELETE', `/${s.id}`)).statusCode).toBe(204);
  });

  it('DELETE answers 204, then the schema is gone and its name is free again', async () => {
    const s = await create('short_lived');
    const res = await mgmt('DELETE', `/${s.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectError(await mgmt('GET', `/${s.id}`), 404, 'not_found');
    expectError(await mgmt('DELETE', `/${s.id}`), 404, 'not_found');
    expect((await mgmt('GET', '')).json().data.map((x: { id: string }) => x.id)).not.toContain(s.id);
    expect((await create('short_lived')).id).not.toBe(s.id);
  });

  it('answers 404 about the project for an unknown project', async () => {
    for (const [method, path] of [['GET', ''], ['POST', ''], ['GET', '/ms_x'], ['PUT', '/ms_x'], ['DELETE', '/ms_x']] as const) {
      const res = await t.app.inject({
        method,
        url: `${base('proj_unknown')}${path}`,
        headers: managementHeaders,
        ...(method === 'POST' ? { payload: { name: 'x', schema: { properties: {} } } } : method === 'PUT' ? { payload: { schema: { properties: {} } } } : {}),
      });
      const body = expectError(res, 404, 'not_found');
      expect(body).toMatchObject({ resource_type: 'project', resource_id: 'proj_unknown' });
    }
  });

  it('refuses calls without valid management credentials with 401', async () => {
    expectError(await mgmt('GET', '', undefined, {}), 401, 'unauthorized');
    expectError(await mgmt('POST', '', { name: 'x', schema: { properties: {} } }, p.server), 401, 'unauthorized');
    expectError(
      await mgmt('GET', '', undefined, { ...managementHeaders, 'x-management-token': 'wrong-token' }),
      401,
      'unauthorized',
    );
  });
});

describe('GET /v1/metadata-schemas', () => {
  let q: TestProject;
  const server = (url: string, project?: TestProject) => t.app.inject({ method: 'GET', url, headers: (project ?? q).server });

  beforeAll(async () => {
    q = await t.createProject();
  });

  it('lists the custom event schemas as metadata schemas whose related_object is the event', async () => {
    clock.set(new Date('2024-07-03T12:00:00.000Z'));
    const created = await t.app.inject({
      method: 'POST',
      url: base(q.id),
      headers: managementHeaders,
      payload: { name: 'review', schema: { properties: { stars: { type: 'number', optional: false } } } },
    });
    const s = created.json();
    const res = await server('/v1/metadata-schemas');
    expect(res.statusCode).toBe(200);
    const asMetadata = {
      id: s.id,
      related_object: 'review',
      properties: { stars: { type: 'number', array: false, optional: false, deleted: false, objectType: null } },
      allow_defined_only: false,
      created_at: '2024-07-03T12:00:00.000Z',
      updated_at: null,
      object: 'metadata_schema',
    };
    expect(res.json()).toEqual({ object: 'list', data_ref: 'schemas', schemas: [asMetadata], total: 1 });
    const one = await server('/v1/metadata-schemas/review');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(asMetadata);
  });

  it('shows a change to the schema at once, and answers 404 once it is deleted', async () => {
    const s = (
      await t.app.inject({
        method: 'POST',
        url: base(q.id),
        headers: managementHeaders,
        payload: { name: 'visit', schema: { properties: { page: { type: 'string', optional: true } } } },
      })
    ).json();
    expect((await server('/v1/metadata-schemas/visit')).json().properties.page.deleted).toBe(false);
    const put = await t.app.inject({
      method: 'PUT',
      url: `${base(q.id)}/${s.id}`,
      headers: managementHeaders,
      payload: { schema: { properties: { page: { deleted: true } } } },
    });
    expect(put.statusCode).toBe(200);
    expect((await server('/v1/metadata-schemas/visit')).json().properties.page.deleted).toBe(true);
    await t.app.inject({ method: 'DELETE', url: `${base(q.id)}/${s.id}`, headers: managementHeaders });
    const gone = await server('/v1/metadata-schemas/visit');
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ key: 'not_found', resource_id: 'visit' });
  });

  it('answers 404 for an event without a schema, and does not show other projects’ schemas', async () => {
    expect((await server('/v1/metadata-schemas/nothing')).statusCode).toBe(404);
    const other = await t.createProject();
    expect((await server('/v1/metadata-schemas/review', other)).statusCode).toBe(404);
    expect((await server('/v1/metadata-schemas', other)).json()).toMatchObject({ schemas: [], total: 0 });
  });

  it('needs a server key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/metadata-schemas', headers: managementHeaders });
    expectError(res, 401, 'unauthorized');
  });
});
