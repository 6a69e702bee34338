/** Boots Tessera in-process on the driver under test, with pinned management credentials and helpers for keys. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { compose, type Tessera } from '../../src/compose.js';
import type { Clock } from '../../src/core/clock.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { createTestDb, type TestDb } from './db.js';

export const managementHeaders = {
  'x-management-id': 'mgmt_test',
  'x-management-token': 'test-management-token-0123456789',
};

export interface TestProject {
  id: string;
  webhookToken: string;
  server: { 'x-app-id': string; 'x-app-token': string };
  client: { 'x-client-application-id': string; 'x-client-token': string };
  raw: Record<string, unknown>;
}

export interface TestTessera {
  app: FastifyInstance;
  tessera: Tessera;
  testDb: TestDb;
  createProject(body?: Record<string, unknown>): Promise<TestProject>;
  close(): Promise<void>;
}

export async function startTessera(options: { clock?: Clock; env?: Record<string, string>; logger?: Logger } = {}): Promise<TestTessera> {
  const testDb = await createTestDb();
  const config = loadConfig({
    TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
    TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
    TESSERA_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const tessera = await compose(config, { db: testDb.db, clock: options.clock, logger: options.logger ?? createLogger('silent') });
  const app = tessera.app;
  return {
    app,
    tessera,
    testDb,
    async createProject(body = {}) {
      const res = await app.inject({
        method: 'POST',
        url: '/management/v1/projects',
        headers: managementHeaders,
        payload: { name: `Project ${Math.random().toString(36).slice(2, 8)}`, ...body },
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

/** Defines a custom event schema through the management API. */
export async function defineSchema(
  app: FastifyInstance,
  projectId: string,
  name: string,
  properties: Record<string, { type: string; optional: boolean; deleted?: boolean }>,
): Promise<Record<string, any>> {
  const res = await app.inject({
    method: 'POST',
    url: `/management/v1/projects/${projectId}/custom-event-schemas`,
    headers: managementHeaders,
    payload: { name, schema: { properties } },
  });
  if (res.statusCode !== 200) throw new Error(`schema creation failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export function json(res: LightMyRequestResponse): any {
  return res.json();
}

/** A second Tessera instance on the same PostgreSQL database as `t`, as in a deployment with several instances. */
export async function startSecondInstance(t: TestTessera): Promise<Tessera> {
  const config = loadConfig({
    DATABASE_URL: t.testDb.url!,
    TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
    TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
    TESSERA_DB_POOL_SIZE: '5',
  });
  return compose(config, { logger: createLogger('silent') });
}


/**
 * Closes, after each test, what the test opened through the returned function (Tessera instances, receivers), in the
 * order they were opened.
 */
export function closeAfterEach(): <T extends { close(): Promise<void> }>(opened: T) => T {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const x of open.splice(0)) await x.close();
  });
  return (opened) => {
    open.push(opened);
    return opened;
  };
}
