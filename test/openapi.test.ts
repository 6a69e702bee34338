/**
 * GET /openapi.json: a valid OpenAPI 3 document (checked by @apidevtools/swagger-parser against the official
 * schema) that describes every registered route, collected automatically; /docs serves the reference page from
 * local files.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestExamples } from '../src/api/openapi-examples.js';
import { isDocumented, registeredRoutes } from '../src/api/openapi.js';
import { bodyAjv } from '../src/api/validation.js';
import { startTessera, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let doc: any;

beforeAll(async () => {
  t = await startTessera();
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  doc = res.json();
});
afterAll(() => t.close());

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1');

describe('/openapi.json', () => {
  it('validates as OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('describes every registered route, with its method, and no route that does not exist', async () => {
    const routes = registeredRoutes(t.app).filter((r) => isDocumented(r));
    const expected = new Set<string>();
    for (const r of routes) {
      for (const method of [r.method].flat()) if (method !== 'HEAD') expected.add(`${method.toLowerCase()} ${toOpenApiPath(r.url)}`);
    }
    expect(expected.size).toBeGreaterThan(40);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(item)) if (method !== 'parameters') documented.add(`${method} ${path}`);
    }
    expect([...expected].filter((e) => !documented.has(e))).toEqual([]);
    expect([...documented].filter((d) => !expected.has(d))).toEqual([]);
    // A sample of what users look for first.
    for (const key of ['post /v1/events', 'post /management/v1/projects/{projectId}/webhooks', 'get /management/v1/webhook-event-types', 'get /health']) {
      expect(documented.has(key), key).toBe(true);
    }
  });

  it('names how each area authenticates, and shows request examples', () => {
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['serverKeyId', 'serverKeyToken', 'managementId', 'clientKeyToken']));
    const track = doc.paths['/v1/events'].post;
    expect(track.security).toEqual([{ serverKeyId: [], serverKeyToken: [] }]);
    expect(track.requestBody.content['application/json'].example).toMatchObject({ event: 'sign_up', customer: { source_id: 'alice@example.com' } });
    const hook = doc.paths['/management/v1/projects/{projectId}/webhooks'].post;
    expect(hook.security).toEqual([{ managementId: [], managementToken: [] }]);
    expect(hook.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'projectId', in: 'path', required: true })]));
    expect(hook.requestBody.content['application/json'].example.events).toEqual(['customer.created', 'customer.updated']);
    // The Idempotency-Key header on /v1 and /client/v1 POSTs, not elsewhere.
    const idem = (op: any) => (op.parameters ?? []).find((x: any) => x.in === 'header' && x.name === 'idempotency-key');
    expect(idem(track)).toMatchObject({ schema: { type: 'string', maxLength: 255 } });
    expect(idem(doc.paths['/client/v1/events'].post)).toBeDefined();
    expect(idem(hook)).toBeUndefined();
    expect(idem(doc.paths['/v1/customers'].get)).toBeUndefined();
  });

  it('every request example belongs to a route and passes that route\'s body validation', () => {
    const routes = registeredRoutes(t.app);
    for (const [key, example] of Object.entries(requestExamples)) {
      const [method, url] = key.split(' ') as [string, string];
      const route = routes.find((r) => [r.method].flat().includes(method) && r.url === url);
      expect(route, key).toBeDefined();
      const body = (route!.schema as { body?: object } | undefined)?.body;
      expect(body, key).toBeDefined();
      const validate = bodyAjv.compile(body!);
      expect(validate(structuredClone(example)), `${key}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

describe('/docs', () => {
  it('serves the API reference page and its assets from this server, nothing from a CDN', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui');
    const sources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const asset = await t.app.inject({ method: 'GET', url: new URL(src, 'http://x/docs/').pathname });
      expect(asset.statusCode, src).toBe(200);
    }
    const init = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
  });
});
