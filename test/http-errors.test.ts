import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

/** Every answer of this file passes through here: none may be a 500, and errors come in Voucherify's shape. */
const seen: LightMyRequestResponse[] = [];

function expectError(res: LightMyRequestResponse, code: number, key: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(code);
  const body = res.json();
  expect(body).toMatchObject({ code, key });
  expect(typeof body.message).toBe('string');
  expect(typeof body.details).toBe('string');
  const rid = res.headers['x-request-id'];
  expect(rid).toMatch(/^v-[0-9a-f]+$/);
  expect(body.request_id).toBe(rid);
  return body;
}

describe('HTTP errors', () => {
  let t: TestTessera;
  let p: TestProject;
  const send = async (opts: InjectOptions) => {
    const res = await t.app.inject(opts);
    seen.push(res);
    return res;
  };
  const post = (url: string, payload: string, contentType = 'application/json') =>
    send({ method: 'POST', url, headers: { ...p.server, 'content-type': contentType }, payload });

  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_BODY_LIMIT: '2048' } });
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'ping', {});
  });
  afterAll(async () => {
    await t.close();
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((r) => r.statusCode >= 500).map((r) => r.body)).toEqual([]);
  });

  it('answers malformed JSON with 400 invalid_payload', async () => {
    const body = expectError(await post('/v1/customers', '{"source_id": "x",'), 400, 'invalid_payload');
    expect(body.message).toBe('Invalid payload');
    expectError(await post('/v1/events', '{event: ping}'), 400, 'invalid_payload');
  });

  it('refuses a "__proto__" key (or constructor.prototype) naming the key, not as malformed JSON', async () => {
    const proto = expectError(await post('/v1/customers', '{"source_id":"p","metadata":{"__proto__":{"x":1}}}'), 400, 'invalid_payload');
    expect(proto.details).toBe('Property .metadata.__proto__: the key __proto__ is not accepted in a request body (the JSON is valid)');
    const top = expectError(await post('/v1/events', '{"event":"e","__proto__":null}'), 400, 'invalid_payload');
    expect(top.details).toContain('the key __proto__ is not accepted');
    const ctor = expectError(await post('/v1/customers', '{"source_id":"c","metadata":{"list":[{"constructor":{"prototype":{}}}]}}'), 400, 'invalid_payload');
    expect(ctor.details).toBe('Property .metadata.list[0].constructor: the key constructor with a prototype key inside is not accepted in a request body (the JSON is valid)');
    expect((await post('/v1/customers', '{"source_id":"c2","metadata":{"constructor":"fine"}}')).statusCode).toBe(200);
    expect(expectError(await post('/v1/customers', '{"source_id": "x",'), 400, 'invalid_payload').details).toBe('Invalid request payload JSON format');
  });

  it('refuses bodies that are JSON but not objects', async () => {
    for (const payload of ['null', '[]', '"text"', '42']) {
      expectError(await post('/v1/customers', payload), 400, 'invalid_payload');
    }
  });

  it('words type errors like Voucherify, with the path of the property', async () => {
    const a = expectError(
      await post('/v1/events', JSON.stringify({ event: 'ping', customer: { source_id: 'c1', email: 5 } })),
      400,
      'invalid_payload',
    );
    expect(a.details).toBe('Property .customer.email must be string or null');
    const b = expectError(await post('/v1/customers', JSON.stringify({ name: ['x'] })), 400, 'invalid_payload');
    expect(b.details).toBe('Property .name must be string or null');
    const c = expectError(await post('/v1/events', JSON.stringify({ customer: { source_id: 'c1' } })), 400, 'invalid_payload');
    expect(c.details).toBe("Payload should have required property 'event'");
    const d = expectError(await post('/v1/events', JSON.stringify({ event: 'ping', customer: { name: 'n' } })), 400, 'invalid_payload');
    expect(d.details).toBe("Property .customer should have required property 'id' or 'source_id'");
    const e = expectError(await post('/v1/customers', JSON.stringify({ source_id: 'c1', birthdate: '2020-02-30' })), 400, 'invalid_payload');
    expect(e.details).toContain('.birthdate');
  });

  it('does not coerce body types: a number sent as text stays an error', async () => {
    const res = await send({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/custom-event-schemas`,
      headers: managementHeaders,
      payload: { name: 'typed', schema: { properties: { n: { type: 'number', optional: 'false' } } } },
    });
    expectError(res, 400, 'invalid_payload');
  });

  it('answers bad query parameters with 400 invalid_query_params', async () => {
    for (const q of ['limit=abc', 'limit=500', 'page=0', 'order=sideways', 'created_at[before]=yesterday', 'email[]=a&email[]=b']) {
      const res = await send({ method: 'GET', url: `/v1/customers?${q}`, headers: p.server });
      expectError(res, 400, 'invalid_query_params');
    }
    // Found by the route fuzzer: the loyalty programs' list passed its whole query on to the campaigns' list.
    const res = await send({ method: 'GET', url: '/v1/loyalties?order=0', headers: p.server });
    expectError(res, 400, 'invalid_query_params');
    const filtered = await send({ method: 'GET', url: '/v1/loyalties?filters[created_at][conditions][$after]=2030-01-01&order=-name', headers: p.server });
    expect(filtered.statusCode).toBe(200);
  });

  it('answers unknown routes and methods with 404 not_found', async () => {
    expectError(await send({ method: 'GET', url: '/v1/nothing-here', headers: p.server }), 404, 'not_found');
    expectError(await send({ method: 'GET', url: '/nothing' }), 404, 'not_found');
    expectError(await send({ method: 'PATCH', url: '/v1/customers', headers: p.server }), 404, 'not_found');
    expectError(await send({ method: 'GET', url: '/management/v1/nothing', headers: managementHeaders }), 404, 'not_found');
  });

  it('answers bodies above the configured limit with 413 payload_too_large', async () => {
    const big = JSON.stringify({ source_id: 'big', description: 'x'.repeat(3000) });
    const body = expectError(await post('/v1/customers', big), 413, 'payload_too_large');
    expect(body.details).toContain('2048');
    expectError(await send({ method: 'GET', url: '/v1/customers/big', headers: p.server }), 404, 'not_found');
    // Just under the limit is accepted.
    const fits = JSON.stringify({ source_id: 'fits', description: 'x'.repeat(1900) });
    expect(Buffer.byteLength(fits)).toBeLessThan(2048);
    expect((await post('/v1/customers', fits)).statusCode).toBe(200);
  });

  it('answers other content types with 415 unsupported_media_type', async () => {
    expectError(await post('/v1/customers', 'source_id=x', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectError(await post('/v1/customers', '{"source_id":"x"}', 'text/plain'), 415, 'unsupported_media_type');
    expectError(await post('/v1/events', '<xml/>', 'application/xml'), 415, 'unsupported_media_type');
  });

  it('accepts JSON with a charset parameter', async () => {
    const res = await post('/v1/customers', JSON.stringify({ source_id: 'charset' }), 'application/json; charset=utf-8');
    expect(res.statusCode).toBe(200);
  });

  it('takes a DELETE with Content-Type: application/json and no body, as the SDK sends it', async () => {
    const created = await post('/v1/customers', JSON.stringify({ source_id: 'to-delete' }));
    expect(created.statusCode).toBe(200);
    const res = await send({
      method: 'DELETE',
      url: '/v1/customers/to-delete',
      headers: { ...p.server, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const again = await send({ method: 'GET', url: '/v1/customers/to-delete', headers: p.server });
    expectError(again, 404, 'not_found');
  });

  it('refuses an empty JSON body where one is required', async () => {
    expectError(await post('/v1/events', ''), 400, 'invalid_payload');
  });

  it('refuses text PostgreSQL cannot store with 400, in bodies and URLs', async () => {
    const nul = expectError(await post('/v1/customers', '{"source_id":"a\\u0000b"}'), 400, 'invalid_payload');
    expect(nul.details).toContain('.source_id');
    expectError(await post('/v1/customers', '{"source_id":"m","metadata":{"k\\u0000":1}}'), 400, 'invalid_payload');
    expectError(await post('/v1/customers', '{"source_id":"s","name":"\\ud800"}'), 400, 'invalid_payload');
    expectError(await post('/v1/events', '{"event":"ping","customer":{"source_id":"e"},"metadata":{"t":"\\u0000"}}'), 400, 'invalid_payload');
    expectError(await send({ method: 'GET', url: '/v1/customers/a%00b', headers: p.server }), 400, 'invalid_query_params');
    expectError(await send({ method: 'GET', url: '/v1/customers?email=%00', headers: p.server }), 400, 'invalid_query_params');
    // A backslash followed by "u0000" is ordinary text, and a paired surrogate (an emoji) is fine.
    const fine = await post('/v1/customers', '{"source_id":"ok\\\\u0000","name":"\\ud83d\\ude00"}');
    expect(fine.statusCode).toBe(200);
    expect(fine.json()).toMatchObject({ source_id: 'ok\\u0000', name: '😀' });
  });

  it('refuses numbers too large for a double (1e400 would be Infinity, stored as null) with 400', async () => {
    const big = expectError(await post('/v1/customers', '{"source_id":"big","metadata":{"n":1e400}}'), 400, 'invalid_payload');
    expect(big.details).toBe('Property .metadata.n must be a finite number');
    expectError(await post('/v1/customers', '{"source_id":"small","metadata":{"n":[-1e400]}}'), 400, 'invalid_payload');
    expectError(await post('/v1/vouchers', '{"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":10,"amount_limit":1e400}}'), 400, 'invalid_payload');
    expectError(await post('/v1/vouchers', '{"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1e400}}'), 400, 'invalid_payload');
    expectError(await post('/v1/validation-rules', '{"name":"big","rules":{"1":{"name":"order.amount","conditions":{"$more_than":[1e400]}}}}'), 400, 'invalid_payload');
    const fine = await post('/v1/customers', '{"source_id":"fine","metadata":{"n":1e300,"m":-1.5e-300}}');
    expect(fine.statusCode, fine.body).toBe(200);
    expect(fine.json().metadata).toEqual({ n: 1e300, m: -1.5e-300 });
  });

  it('refuses absurdly nested metadata with 400 instead of exhausting the stack', async () => {
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    expectError(await post('/v1/customers', `{"source_id":"deep","metadata":{"a":${deep}}}`), 400, 'invalid_payload');
    const nested = await post('/v1/customers', JSON.stringify({ source_id: 'nested', metadata: { a: { b: { c: [1, [2, [3]]] } } } }));
    expect(nested.statusCode).toBe(200);
  });

  it('answers malformed and overlong URLs in the same error shape', async () => {
    expectError(await send({ method: 'GET', url: '/v1/customers/%E0%A4%A', headers: p.server }), 400, 'invalid_query_params');
    expectError(await send({ method: 'GET', url: `/v1/customers/${'x'.repeat(600)}`, headers: p.server }), 400, 'invalid_query_params');
  });

  it('finds a customer by a 500-character source_id that needs percent-encoding', async () => {
    const sourceId = 'a b/c?d#é'.repeat(56).slice(0, 500);
    expect((await post('/v1/customers', JSON.stringify({ source_id: sourceId }))).statusCode).toBe(200);
    const res = await send({ method: 'GET', url: `/v1/customers/${encodeURIComponent(sourceId)}`, headers: p.server });
    expect(res.statusCode).toBe(200);
    expect(res.json().source_id).toBe(sourceId);
  });

  it('gives every answer, success included, a v- request id', async () => {
    const ok = await send({ method: 'GET', url: '/v1/customers', headers: p.server });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-request-id']).toMatch(/^v-[0-9a-f]{18}$/);
    const other = await send({ method: 'GET', url: '/v1/customers', headers: p.server });
    expect(other.headers['x-request-id']).not.toBe(ok.headers['x-request-id']);
  });
});
