/**
 * Running generated requests against the app: the fixtures whose ids the requests use (replenished as generated
 * DELETEs remove them), turning an abstract request into a concrete one, and sending it with a time bound.
 */
import type { FastifyInstance } from 'fastify';
import { managementHeaders, type TestProject } from './app.js';
import type { FuzzTessera } from './fuzz-app.js';
import type { AbstractRequest } from './fuzz-requests.js';
import type { RefKind } from './fuzz-values.js';

export type Pools = Record<RefKind, string[]>;

export interface FuzzContext {
  t: FuzzTessera;
  /** The project the requests work in. */
  project: TestProject;
  /** Another project: its keys and ids must not reach the fuzzed project's data. */
  other: TestProject;
  pools: Pools;
  /** Projects a generated DELETE may remove (never the two above). */
  sacrificial: string[];
}

const keep = 25;
function add(pool: string[], ...ids: Array<string | undefined>): void {
  for (const id of ids) if (id !== undefined && !pool.includes(id)) pool.push(id);
  if (pool.length > keep) pool.splice(0, pool.length - keep);
}

async function must(app: FastifyInstance, method: 'POST' | 'GET' | 'PUT', url: string, headers: Record<string, string>, payload?: object): Promise<any> {
  const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`fixture ${method} ${url} failed: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? undefined : res.json();
}

/** Creates one of each resource in a project and adds their ids to the pools; `n` numbers them. */
export async function addFixtures(ctx: FuzzContext, project: TestProject, n: number, into: (kind: RefKind, ...ids: Array<string | undefined>) => void): Promise<void> {
  const app = ctx.t.app;
  const mgmt = `/management/v1/projects/${project.id}`;
  const event = `fx_event_${n % 2}`;
  const schemas = await must(app, 'GET', `${mgmt}/custom-event-schemas`, managementHeaders);
  const fixtureProperties = { amount: { type: 'number', optional: true }, sku: { type: 'string', optional: true }, when: { type: 'date', optional: true } };
  let schema = (schemas.data as Array<{ id: string; name: string; schema: { properties: Record<string, unknown> } }>).find((s) => s.name === event);
  if (!schema) {
    schema = await must(app, 'POST', `${mgmt}/custom-event-schemas`, managementHeaders, { name: event, schema: { properties: fixtureProperties } });
  } else {
    // Generated PUTs change the fixture schema (a required property, another type): back to the fixture's own,
    // every other property hidden, at most 100 properties per update.
    const patch = Object.entries({
      ...Object.fromEntries(Object.keys(schema.schema.properties).map((name) => [name, { deleted: true }])),
      ...fixtureProperties,
    });
    for (let i = 0; i < patch.length; i += 100) {
      await must(app, 'PUT', `${mgmt}/custom-event-schemas/${schema.id}`, managementHeaders, { schema: { properties: Object.fromEntries(patch.slice(i, i + 100)) } });
    }
  }
  into('schema', schema!.id);
  into('event', event);
  const customer = await must(app, 'POST', '/v1/customers', project.server, {
    source_id: `fx-cust-${n}`,
    name: `Fixture ${n}`,
    email: `fx${n}@example.com`,
    birthdate: '1990-01-01',
    metadata: { tier: 'gold', score: n },
  });
  into('customer', customer.id, customer.source_id);
  await must(app, 'POST', '/v1/events', project.server, { event, customer: { source_id: `fx-cust-${n}` }, metadata: { amount: n } });
  const auto = await must(app, 'POST', '/v1/segments', project.server, {
    name: `fx auto ${n}`,
    type: 'auto-update',
    filter: { junction: 'or', 'metadata.tier': { conditions: { $is: 'gold' } }, created_at: { conditions: { $less_than_ago: 30 } } },
  });
  const fixed = await must(app, 'POST', '/v1/segments', project.server, { name: `fx static ${n}`, type: 'static', customers: [customer.id] });
  const passive = await must(app, 'POST', '/v1/segments', project.server, {
    name: `fx passive ${n}`,
    type: 'passive',
    filter: { [`events.${event}.count`]: { conditions: { $more_than: 0 } } },
  });
  into('segment', auto.id, fixed.id, passive.id);
  const hook = await must(app, 'POST', `${mgmt}/webhooks`, managementHeaders, { target_url: `https://93.184.216.34/hook/${n}`, events: ['customer.created', 'customer.updated'] });
  into('webhook', hook.id);
  const sendout = await must(app, 'POST', `${mgmt}/webhooks/${hook.id}/test`, managementHeaders, { event_type: 'customer.created' });
  into('sendout', sendout.id);
  const distribution = await must(app, 'POST', '/v1/distributions', project.server, {
    name: `fx distribution ${n}`,
    trigger: { type: n % 2 === 0 ? 'manual' : 'customer.custom_event', ...(n % 2 === 0 ? {} : { event }) },
    channel: { type: 'webhook', target_url: `https://93.184.216.34/d/${n}`, event_name: 'fx.sent' },
  });
  into('distribution', distribution.id);
  // A team member of the project (invited; generated DELETEs and unassignments take them away).
  const invited = await app.inject({ method: 'POST', url: '/management/v1/projects/users/invite', headers: managementHeaders, payload: { email: `fx-user-${project.id.toLowerCase()}-${n}@example.com`, projects: { [project.id]: 'USER' } } });
  if (invited.statusCode !== 204) throw new Error(`fixture invite failed: ${invited.statusCode} ${invited.body}`);
  into('user', String(invited.headers['x-tessera-user-id']));
}

/** Replenishes the fuzzed project's fixtures (generated DELETEs remove them) and the projects DELETE may take. */
export async function replenish(ctx: FuzzContext, n: number): Promise<void> {
  // Generated PUTs change the project's settings; client requests need its trusted domains back.
  await ctx.t.app.inject({ method: 'PUT', url: `/management/v1/projects/${ctx.project.id}`, headers: managementHeaders, payload: trustedDomains });
  await pruneSegments(ctx);
  await addFixtures(ctx, ctx.project, n, (kind, ...ids) => add(ctx.pools[kind], ...ids));
  const victim = await ctx.t.createProject({ name: `Sacrificial ${n}` });
  add(ctx.sacrificial, victim.id);
}

/** Filter segments the fuzzed project keeps at most: fixtures and generated POSTs stay below the limit of 100. */
const keepFilterSegments = 60;

/** Deletes the oldest auto-update and passive segments no pool holds, so long runs can still create fixtures. */
async function pruneSegments(ctx: FuzzContext): Promise<void> {
  const app = ctx.t.app;
  const filtered: Array<{ id: string; created_at: string }> = [];
  for (const type of ['auto-update', 'passive']) {
    filtered.push(...(await must(app, 'GET', `/v1/segments?limit=100&type=${type}`, ctx.project.server)).data);
  }
  filtered.sort((a, b) => a.created_at.localeCompare(b.created_at));
  const spare = filtered.filter((s) => !ctx.pools.segment.includes(s.id));
  for (const s of spare.slice(0, Math.max(0, filtered.length - keepFilterSegments))) {
    await app.inject({ method: 'DELETE', url: `/v1/segments/${s.id}`, headers: ctx.project.server });
  }
}

/** After a DELETE answered 204, its id leaves the pools, so later requests aim at live resources. */
export function forget(ctx: FuzzContext, id: string): void {
  for (const pool of [...Object.values(ctx.pools), ctx.sacrificial]) {
    const at = pool.indexOf(id);
    if (at >= 0 && pool.length > 1) pool.splice(at, 1);
  }
}

const trustedDomains = { client_trusted_domains: ['shop.example.com', '*.example.org'], client_loyalty_events_enabled: false };

export async function createContext(t: FuzzTessera): Promise<FuzzContext> {
  const project = await t.createProject({ name: 'Fuzzed', ...trustedDomains });
  const other = await t.createProject({ name: 'Other', ...trustedDomains });
  const pools: Pools = { customer: [], segment: [], webhook: [], distribution: [], schema: [], sendout: [], project: [project.id], event: [], user: [], foreign: [other.id] };
  const ctx: FuzzContext = { t, project, other, pools, sacrificial: [] };
  await addFixtures(ctx, other, 0, (_kind, ...ids) => add(pools.foreign, ...ids));
  await replenish(ctx, 0);
  await replenish(ctx, 1);
  return ctx;
}

// ---------------------------------------------------------------- concrete requests ----

export interface ConcreteRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Whose keys, in words (the keys themselves are left out of reports). */
  authLabel: string;
  /** The known id the path ends with, if any (what a DELETE removes). */
  target?: string;
  routeKey: string;
}

function pick(pool: string[], n: number, kind: string): string {
  return pool.length === 0 ? `no_${kind}` : pool[n % pool.length]!;
}

function resolveRef(ctx: FuzzContext, kind: string, n: number): string {
  return pick(ctx.pools[kind as RefKind] ?? [], n, kind);
}

const refMarker = /@@ref:([a-z]+):(\d+)@@/g;
const numMarker = /"@@num:([^@"]*)@@"/g;

/** Writes `@@num@@` markers out as the bare number text they stand for. */
export function resolveNumbers(json: string): string {
  return json.replace(numMarker, (_m, num: string) => num);
}

function resolveText(ctx: FuzzContext, text: string): string {
  return resolveNumbers(text).replace(refMarker, (_m, kind: string, n: string) => resolveRef(ctx, kind, Number(n)));
}

function surfaceOf(url: string): 'server' | 'client' | 'management' | 'none' {
  if (url.startsWith('/v1/')) return 'server';
  if (url.startsWith('/client/v1/')) return 'client';
  if (url.startsWith('/management/v1/')) return 'management';
  return 'none';
}

function authHeaders(ctx: FuzzContext, req: AbstractRequest, surface: ReturnType<typeof surfaceOf>): [Record<string, string>, string] {
  const p = ctx.project;
  const own: Record<string, Record<string, string>> = { server: p.server, client: p.client, management: managementHeaders, none: {} };
  const right = own[surface]!;
  const [idHeader, tokenHeader] = Object.keys(right);
  switch (req.auth) {
    case 'right':
      return [right, surface === 'none' ? 'none' : `${surface} key of the fuzzed project`];
    case 'missing':
      return [{}, 'no key'];
    case 'wrong-token':
      return [idHeader ? { [idHeader]: right[idHeader]!, [tokenHeader!]: 'wrong-token-0000000000000000' } : {}, 'right id, wrong token'];
    case 'wrong-id':
      return [idHeader ? { [idHeader]: 'no-such-id', [tokenHeader!]: right[tokenHeader!]! } : {}, 'wrong id, right token'];
    case 'other-surface':
      return surface === 'server' ? [p.client, 'client key on the server API'] : [p.server, 'server key on another surface'];
    case 'other-project':
      return surface === 'client' ? [ctx.other.client, 'client key of the other project'] : [ctx.other.server, 'server key of the other project'];
    case 'empty':
      return [idHeader ? { [idHeader]: '', [tokenHeader!]: '' } : {}, 'empty key headers'];
    case 'half':
      return [idHeader ? { [idHeader]: right[idHeader]! } : {}, 'id without token'];
  }
}

let oversized: string | undefined;

/** Turns a generated request into one for inject, resolving ids against the current fixtures. */
export function concretize(ctx: FuzzContext, req: AbstractRequest, bodyLimit: number): ConcreteRequest {
  let i = 0;
  let target: string | undefined;
  let path = req.route.path.replace(/:[A-Za-z0-9_]+|\*/g, () => {
    const p = req.params[i++]!;
    if (p.encoded) {
      target = undefined;
      return p.value;
    }
    target = resolveText(ctx, p.value);
    return encodeURIComponent(target);
  });
  // A generated DELETE never removes the two projects the run depends on, also not through dot segments
  // (inject resolves `/projects/<id>/webhooks/..` to `/projects/<id>`, as any URL parser does).
  const projectDelete = /^\/management\/v1\/projects\/([^/?]+)\/?$/.exec(normalizedPath(path));
  if (req.method === 'DELETE' && projectDelete && [ctx.project.id, ctx.other.id].includes(decodeURIComponentSafe(projectDelete[1]!))) {
    target = pick(ctx.sacrificial, req.query.length, 'project');
    path = `/management/v1/projects/${target}`;
  }
  // Nor replaces their keys, which every later request sends: a regeneration goes to a sacrificial project.
  const keyRegen = /^\/management\/v1\/projects\/([^/?]+)\/(server|client)-side-key\/regenerate\/?$/.exec(normalizedPath(path));
  if (keyRegen && req.method === 'POST' && [ctx.project.id, ctx.other.id].includes(decodeURIComponentSafe(keyRegen[1]!))) {
    path = `/management/v1/projects/${pick(ctx.sacrificial, req.query.length, 'project')}/${keyRegen[2]}-side-key/regenerate`;
  }
  const url = req.query === '' ? path : `${path}?${resolveText(ctx, req.query)}`;
  const surface = surfaceOf(path);
  const [auth, authLabel] = authHeaders(ctx, req, surface);
  const headers: Record<string, string> = { ...req.extraHeaders, ...auth };
  if (req.contentType !== undefined) headers['content-type'] = req.contentType;
  if (surface === 'client' && req.origin !== undefined) headers.origin = req.origin;
  let payload: string | undefined;
  switch (req.body.kind) {
    case 'json':
      payload = resolveText(ctx, JSON.stringify(req.body.value) ?? 'null');
      break;
    case 'raw':
      payload = req.body.text;
      break;
    case 'oversized':
      oversized ??= `{"name":"${'x'.repeat(bodyLimit + 1024)}"}`;
      payload = oversized;
      break;
    case 'none':
      break;
  }
  if (req.badLength) headers['content-length'] = String((payload === undefined ? 0 : Buffer.byteLength(payload)) + 7);
  return { method: req.method, url, headers, ...(payload !== undefined ? { payload } : {}), authLabel, routeKey: `${req.route.method} ${req.route.path}`, ...(target !== undefined ? { target } : {}) };
}

function normalizedPath(path: string): string {
  try {
    return new URL(path, 'http://fuzz.invalid').pathname;
  } catch {
    return path;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------- sending ----

export interface Outcome {
  status: number;
  body: string;
  requestId: string | undefined;
}

export const requestTimeoutMs = 20_000;

/** Sends with inject; a request that inject itself refuses (invalid header, say) is reported as status 0. */
export async function send(app: FastifyInstance, req: ConcreteRequest): Promise<Outcome | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), requestTimeoutMs);
  });
  try {
    const res = await Promise.race([
      app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) }),
      timeout,
    ]);
    if (res === 'timeout') return res;
    const id = res.headers['x-request-id'];
    return { status: res.statusCode, body: res.body, requestId: typeof id === 'string' ? id : undefined };
  } catch (err) {
    return { status: 0, body: err instanceof Error ? `${err.name}: ${err.message}` : String(err), requestId: undefined };
  } finally {
    clearTimeout(timer);
  }
}
