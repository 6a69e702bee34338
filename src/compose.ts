/**
 * The composition root: config -> store -> services -> API (and, later, workers). The only place that picks a
 * concrete database adapter; resources are released in reverse order of creation.
 */
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiServices } from './api/app.js';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createEventLog } from './modules/activity/index.js';
import { createCustomersService } from './modules/customers/index.js';
import { createEventSchemasService } from './modules/event-schemas/index.js';
import { createEventsService } from './modules/events/index.js';
import { createManagementAuth, createProjectsService } from './modules/projects/index.js';
import type { Db } from './store/db.js';
import { migrate } from './store/migrator.js';
import { createPgDb } from './store/pg.js';
import { createPgliteDb } from './store/pglite.js';

export async function openStore(config: Config): Promise<Db> {
  if (config.databaseUrl !== undefined) return createPgDb({ connectionString: config.databaseUrl, max: config.poolSize });
  await mkdir(config.dataDir, { recursive: true });
  return createPgliteDb(config.dataDir);
}

export function createServices(db: Db, clock: Clock = systemClock, poolSize = 16): ApiServices {
  const log = createEventLog({ db, clock });
  const projects = createProjectsService({ db, clock });
  const management = createManagementAuth({ db });
  const customers = createCustomersService({ db, clock, events: log });
  const schemas = createEventSchemasService({ db, clock });
  // PGlite runs one transaction at a time; on PostgreSQL a quarter of the pool writes ingest batches.
  const concurrency = db.kind === 'pglite' ? 1 : Math.max(1, Math.floor(poolSize / 4));
  const events = createEventsService({ db, clock, log, customers, schemas, concurrency });
  return { projects, management, customers, schemas, events, log };
}

export interface Tessera {
  db: Db;
  services: ApiServices;
  app: FastifyInstance;
  logger: Logger;
  /** The management id, and its token only when this start generated it (to be shown once). */
  management: { id: string; token?: string };
  close(): Promise<void>;
}

/** Opens the store (or uses the given one), migrates it and builds the API. */
export async function compose(
  config: Config,
  options: { db?: Db; clock?: Clock; logger?: Logger } = {},
): Promise<Tessera> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = options.db ?? (await openStore(config));
  try {
    await migrate(db);
    const services = createServices(db, options.clock, config.poolSize);
    const pinned =
      config.managementId !== undefined && config.managementToken !== undefined
        ? { id: config.managementId, token: config.managementToken }
        : undefined;
    const management = await services.management.ensure(pinned);
    const app = await buildApp(services, { bodyLimit: config.bodyLimit, logger });
    return {
      db,
      services,
      app,
      logger,
      management,
      async close() {
        await app.close();
        if (!options.db) await db.close();
      },
    };
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
}
