/**
 * The composition root: config -> store -> services -> API and delivery worker. The only place that picks a
 * concrete database adapter and wires modules' callbacks (event-log subscribers, sendout owners); resources are
 * released in reverse order of creation.
 */
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiServices } from './api/app.js';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createEventLog } from './modules/event-log/index.js';
import { blankCustomer, createCustomersService, customerObject } from './modules/customers/index.js';
import { createAudit, createDelivery, createSender, notifyChannel, type Delivery } from './modules/delivery/index.js';
import { createEventSchemasService } from './modules/event-schemas/index.js';
import { createEventsService, statsSelect } from './modules/events/index.js';
import { createManagementAuth, createProjectsService, createSigningSecrets } from './modules/projects/index.js';
import { createDistributionsService } from './modules/distributions/index.js';
import { createSegmentsService } from './modules/segments/index.js';
import { createWebhooksService } from './modules/webhooks/index.js';
import { registerDashboard } from './dashboard/index.js';
import type { Db } from './store/db.js';
import { createDefinitions } from './store/definitions.js';
import { migrate } from './store/migrator.js';
import { createPgDb } from './store/pg.js';
import { createPgliteDb } from './store/pglite.js';
import { createDeliveryWorker } from './worker/delivery-worker.js';
import { createPollLoop } from './worker/poll-loop.js';

export async function openStore(config: Config): Promise<Db> {
  if (config.databaseUrl !== undefined) return createPgDb({ connectionString: config.databaseUrl, max: config.poolSize });
  await mkdir(config.dataDir, { recursive: true });
  return createPgliteDb(config.dataDir);
}

/** A sample of what each event type carries, for test sendouts. */
function sampleData(clock: Clock) {
  return (type: string): Record<string, unknown> => {
    if (!type.startsWith('customer.')) return {};
    const sample = blankCustomer('cust_test0000000000000000000', '', 'test-customer', clock.now());
    return { customer: customerObject({ ...sample, name: 'Test Customer', email: 'test.customer@example.com' }) };
  };
}

export interface Services extends ApiServices {
  delivery: Delivery;
  /** Starts hearing other processes' changes to cached definitions (webhook endpoints, distributions). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function createServices(db: Db, config: Config, clock: Clock = systemClock, logger: Logger = createLogger('silent')): Services {
  const log = createEventLog({ db, clock });
  const definitions = createDefinitions(db);
  const projects = createProjectsService({ db, clock });
  const secrets = createSigningSecrets({ db, clock });
  const management = createManagementAuth({ db });
  // Group commit: PGlite runs one transaction at a time; on PostgreSQL each write path keeps writeConcurrency in
  // flight, never more than half the pool (reads need connections too).
  const concurrency = db.kind === 'pglite' ? 1 : Math.max(1, Math.min(config.writeConcurrency, Math.floor(config.poolSize / 2)));
  // Segments are made after customers, who ask them for members: bound late.
  let segmentMembers: (projectId: string, segmentId: string) => Promise<string[]> = async () => [];
  const customers = createCustomersService({ db, clock, events: log, concurrency, segmentMembers: (p, s) => segmentMembers(p, s) });
  const schemas = createEventSchemasService({ db, clock });
  const events = createEventsService({ db, clock, log, customers, schemas, concurrency });

  const sender = createSender({ allowPrivateTargets: config.allowPrivateTargets, timeoutMs: config.delivery.timeoutMs });
  const owners: Parameters<typeof createDelivery>[0]['owners'] = {};
  const delivery = createDelivery({
    db,
    clock,
    logger,
    sender,
    secrets: secrets.forProjects,
    owners,
    leaseMs: config.delivery.leaseMs,
    batchSize: config.delivery.batchSize,
  });
  const webhooks = createWebhooksService({
    db,
    clock,
    delivery,
    allowPrivateTargets: config.allowPrivateTargets,
    sampleData: sampleData(clock),
    definitions,
  });
  owners.webhook = webhooks.owner;
  log.subscribe(webhooks.emit);
  const audit = createAudit({ db, clock });
  const segments = createSegmentsService({ db, clock, log, customers, eventStats: statsSelect, logger });
  segmentMembers = segments.memberIds;
  // Segments derive customer.segment.entered/left from the changes, stored with them: every subscriber sees both.
  log.derive(segments.onEvents, segments.derivesFrom);
  const distributions = createDistributionsService({
    db,
    clock,
    delivery,
    segments,
    customers,
    allowPrivateTargets: config.allowPrivateTargets,
    definitions,
  });
  owners.distribution = distributions.owner;
  log.subscribe(distributions.emit);

  return {
    projects,
    secrets,
    management,
    customers,
    schemas,
    events,
    log,
    webhooks,
    audit,
    segments,
    distributions,
    delivery,
    listen: () => definitions.start(),
    async close() {
      await definitions.close();
      await sender.close();
    },
  };
}

export interface Tessera {
  db: Db;
  services: Services;
  app: FastifyInstance;
  worker: Worker;
  logger: Logger;
  /** The management id, and its token only when this start generated it (to be shown once). */
  management: { id: string; token?: string };
  close(): Promise<void>;
}

/** The background work of a process: webhook delivery, and segment upkeep (time-based re-checks, new segments' members). */
export function createWorker(db: Db, config: Config, services: Services, clock: Clock, logger: Logger): Worker {
  const onError = (err: unknown) => logger.error({ err }, 'background worker error');
  const delivery = createDeliveryWorker({
    start: services.delivery.start,
    batchSize: services.delivery.batchSize,
    concurrency: config.delivery.concurrency,
    prune: (cutoff) => services.delivery.prune(cutoff),
    subscribe: (wake) => db.listen(notifyChannel, wake),
    now: () => clock.now(),
    onError,
    pollMs: config.delivery.pollMs,
    retentionMs: config.delivery.retentionDays * 24 * 60 * 60 * 1000,
  });
  const segments = createPollLoop({
    name: 'segments',
    tick: async () => (await services.segments.runDueChecks()) + (await services.segments.syncStep()) + (await services.segments.sweepStep()),
    idleMs: 1000,
    onError,
  });
  return {
    owner: delivery.owner,
    wake: delivery.wake,
    async start() {
      await delivery.start();
      segments.start();
    },
    async stop() {
      await Promise.all([delivery.stop(), segments.stop()]);
    },
  };
}

export interface Worker {
  owner: string;
  wake(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Opens the store (or uses the given one), migrates it and builds the API and the (not yet started) worker. */
export async function compose(
  config: Config,
  options: { db?: Db; clock?: Clock; logger?: Logger } = {},
): Promise<Tessera> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (await openStore(config));
  try {
    await migrate(db);
    const services = createServices(db, config, clock, logger);
    await services.listen();
    const pinned =
      config.managementId !== undefined && config.managementToken !== undefined
        ? { id: config.managementId, token: config.managementToken }
        : undefined;
    const management = await services.management.ensure(pinned);
    const app = await buildApp(services, { bodyLimit: config.bodyLimit, logger });
    await registerDashboard(app, { ...services, logger });
    const worker = createWorker(db, config, services, clock, logger);
    return {
      db,
      services,
      app,
      worker,
      logger,
      management,
      async close() {
        await app.close();
        await services.events.drain();
        await services.customers.drain();
        await worker.stop();
        await services.close();
        if (!options.db) await db.close();
      },
    };
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
}
