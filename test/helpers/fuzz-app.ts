/**
 * The fuzz suite's boot: Tessera in-process on the driver under test, like startTessera, but with a logger at
 * `warn` that writes to memory, so a 5xx answer can be matched (by request id) with the error the server logged.
 * Also: every route read back from Fastify, and the checks that a project still takes ordinary writes.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { compose, type Tessera } from '../../src/compose.js';
import type { Clock } from '../../src/core/clock.js';
import { redactedPaths } from '../../src/core/logger.js';
import { managementHeaders, type TestProject } from './app.js';
import { createTestDb, type TestDb } from './db.js';

/** One line the server logged, as pino wrote it. */
export interface LogEntry {
  level: number;
  msg?: string;
  reqId?: string;
  err?: { type?: string; message?: string; stack?: string; code?: string };
  [key: string]: unknown;
}

export interface FuzzTessera {
  app: FastifyInstance;
  tessera: Tessera;
  /** Everything logged at warn or above, oldest first. */
  logs: LogEntry[];
  createProject(body?: Record<string, unknown>): Promise<TestProject>;
  close(): Promise<void>;
}

export async function startFuzzTessera(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<FuzzTessera> {
  const testDb: TestDb = await createTestDb();
  const logs: LogEntry[] = [];
  const stream = {
    write(line: string) {
      try {
        logs.push(JSON.parse(line) as LogEntry);
      } catch {
        logs.push({ level: 50, msg: line });
      }
    },
  };
  const logger = pino({ level: 'warn', redact: { paths: redactedPaths, censor: '[redacted]' } }, stream);
  const config = loadConfig({
    TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
    TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
    TESSERA_LOG_LEVEL: 'warn',
    ...options.env,
  });
  const tessera = await compose(config, { db: testDb.db, clock: options.clock, logger });
  const app = tessera.app;
  await app.ready();
  return {
    app,
    tessera,
    logs,
    async createProject(body = {}) {
      const res = await app.inject({
        method: 'POST',
        url: '/management/v1/projects',
        headers: managementHeaders,
        payload: { name: `Fuzz ${Math.random().toString(36).slice(2, 8)}`, ...body },
      });
      if (res.statusCode !== 200) throw new Error(`project creation failed: ${res.statusCode} ${res.body}`);
      const raw = res.json() as Record<string, any>;
      return {
        id: raw.id,
        webhookToken: raw.webhook_token,
        server: { 'x-app-id': raw.server_side_key.app_id, 'x-app-token': raw.server_side_key.app_token },
        client: { 'x-client-application-id': raw.client_side_key.app_id, 'x-client-token': raw.client_side_key.app_token },
        raw,
      };
    },
    async close() {
      await tessera.close();
      await testDb.drop();
    },
  };
}

export interface RouteInfo {
  method: string;
  /** As registered, with `:param` placeholders (`*` for the catch-all). */
  path: string;
  params: string[];
}

/**
 * Every route Fastify knows, read from its own tree (printRoutes without common prefixes: one node per line, four
 * columns per level, methods in parentheses). Each is confirmed with hasRoute, so a change in that format fails
 * loudly instead of fuzzing fewer routes; routes added later are fuzzed without touching this suite.
 */
export function enumerateRoutes(app: FastifyInstance): RouteInfo[] {
  const text = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RouteInfo[] = [];
  let previous = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) throw new Error(`unexpected line in printRoutes: ${JSON.stringify(line)}`);
    const depth = m[1]!.length / 4;
    const methods = (m[3] ?? '').split(', ').filter(Boolean);
    stack.length = depth;
    stack[depth] = m[2]!;
    const base = stack.slice(0, depth).join('');
    // A parametric or wildcard node is printed apart from the static prefix it hangs on (`* (OPTIONS)` under
    // `/client/v1/`): that prefix is one of the previous sibling's.
    if (methods.length > 0 && !app.hasRoute({ method: methods[0] as 'GET', url: base + m[2]! }) && previous.startsWith(base)) {
      for (let k = previous.length; k >= base.length; k--) {
        if (app.hasRoute({ method: methods[0] as 'GET', url: previous.slice(0, k) + m[2]! })) {
          stack[depth] = previous.slice(base.length, k) + m[2]!;
          break;
        }
      }
    }
    const path = stack.join('');
    previous = path;
    for (const method of methods) {
      if (!app.hasRoute({ method: method as 'GET', url: path })) throw new Error(`parsed ${method} ${path} from printRoutes, but Fastify has no such route`);
      routes.push({ method, path, params: [...path.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((p) => p[1] ?? '*') });
    }
  }
  return routes;
}

const ok = (status: number) => status >= 200 && status < 300;

/**
 * Ordinary writes a project must keep taking: a customer upsert and a custom event of a freshly defined schema.
 * Returns what went wrong, or an empty list.
 */
export async function ordinaryWritesWork(app: FastifyInstance, project: TestProject, tag: string): Promise<string[]> {
  const problems: string[] = [];
  const event = `fuzz_check_${tag}`.replace(/[^a-z0-9_]/gi, '_');
  const schema = await app.inject({
    method: 'POST',
    url: `/management/v1/projects/${project.id}/custom-event-schemas`,
    headers: managementHeaders,
    payload: { name: event, schema: { properties: { amount: { type: 'number', optional: true } } } },
  });
  if (!ok(schema.statusCode)) problems.push(`defining schema ${event}: ${schema.statusCode} ${schema.body}`);
  const customer = await app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: project.server,
    payload: { source_id: `check-${tag}`, name: 'Check', email: 'check@example.com', metadata: { n: 1 } },
  });
  if (!ok(customer.statusCode)) problems.push(`POST /v1/customers: ${customer.statusCode} ${customer.body}`);
  const tracked = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: project.server,
    payload: { event, customer: { source_id: `check-${tag}` }, metadata: { amount: 5 } },
  });
  if (!ok(tracked.statusCode)) problems.push(`POST /v1/events: ${tracked.statusCode} ${tracked.body}`);
  const read = await app.inject({ method: 'GET', url: `/v1/customers/check-${tag}`, headers: project.server });
  if (!ok(read.statusCode)) problems.push(`GET /v1/customers/check-${tag}: ${read.statusCode} ${read.body}`);
  return problems;
}

export async function healthy(app: FastifyInstance): Promise<string[]> {
  const res = await app.inject({ method: 'GET', url: '/health' });
  return res.statusCode === 200 ? [] : [`GET /health: ${res.statusCode} ${res.body}`];
}

/** FUZZ_SEED, or a fixed default, so a run can be repeated exactly. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return 1313;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got '${raw}'`);
  return n;
}

/** Requests per store for the whole suite: FUZZ_RUNS, or a bound that keeps `npm test` to about a minute a store. */
export function fuzzBudget(): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return 3000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got '${raw}'`);
  return n;
}

/** Answers by route are printed on long runs and with FUZZ_VERBOSE (which also samples 4xx answers). */
export function byRoute(budget: number): boolean {
  return budget >= 10_000 || Boolean(process.env.FUZZ_VERBOSE);
}
