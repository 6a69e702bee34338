/**
 * The composition root: config -> store -> modules -> API and worker. The only place that picks a concrete
 * database adapter. Modules are wired in one loop over one list (their services, event-log reactions and jobs);
 * resources are released in reverse order of creation. `serve`, `worker`, `migrate`, `projects` and the tests all
 * start here.
 */
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiServices } from './api/app.js';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Job } from './core/jobs.js';
import { createLogger, type Logger } from './core/logger.js';
import { campaignsModule } from './modules/campaigns/index.js';
import { campaignTemplatesModule } from './modules/campaign-templates/index.js';
import { customersModule } from './modules/customers/index.js';
import { customerBulkModule } from './modules/customer-bulk/index.js';
import { customerErasureModule } from './modules/customer-erasure/index.js';
import { campaignSummaryModule } from './modules/campaign-summary/index.js';
import { deliveryModule, type Delivery } from './modules/delivery/index.js';
import { distributionsModule } from './modules/distributions/index.js';
import { ordersModule } from './modules/orders/index.js';
import { productsModule } from './modules/products/index.js';
import { validationRulesModule } from './modules/validation-rules/index.js';
import { eventLogModule } from './modules/event-log/index.js';
import { exportsModule } from './modules/exports/index.js';
import { walletsModule } from './modules/wallets/index.js';
import { eventSchemasModule } from './modules/event-schemas/index.js';
import { eventsModule } from './modules/events/index.js';
import type { ModuleParts, Reaction, TesseraModule } from './modules/module.js';
import { metadataSchemasModule } from './modules/metadata-schemas/index.js';
import { projectsModule } from './modules/projects/index.js';
import { publicationsModule } from './modules/publications/index.js';
import { promotionsModule } from './modules/promotions/index.js';
import { redemptionsModule } from './modules/redemptions/index.js';
import { loyaltiesModule } from './modules/loyalties/index.js';
import { referralsModule } from './modules/referrals/index.js';
import { rewardsModule } from './modules/rewards/index.js';
import { segmentsModule } from './modules/segments/index.js';
import { vouchersModule } from './modules/vouchers/index.js';
import { webhooksModule } from './modules/webhooks/index.js';
import { webhookSamplesModule } from './modules/webhook-samples/index.js';
import { trashBinModule } from './modules/trash-bin/index.js';
import { locationsModule } from './modules/locations/index.js';
import { brandingModule } from './modules/branding/index.js';
import { teamModule, type SessionStore, type SignInThrottle } from './modules/team/index.js';
import { idempotencyModule } from './modules/idempotency/index.js';
import { apiCallsModule } from './modules/api-calls/index.js';
import { registerDashboard } from './dashboard/index.js';
import type { Db } from './store/db.js';
import { createDefinitions } from './store/definitions.js';
import { migrate } from './store/migrator.js';
import { createOperations } from './operations.js';
import { createPgDb } from './store/pg.js';
import { createPgliteDb } from './store/pglite.js';
import { createWorker, type Worker } from './worker/index.js';

export type { Worker } from './worker/index.js';

/**
 * Every module, in dependency order: a module may use the services of those before it at once (a later one's only
 * when called, after composition). A new domain is wired by adding it here.
 */
const modules = [
  eventLogModule,
  projectsModule,
  brandingModule,
  teamModule,
  idempotencyModule,
  apiCallsModule,
  customersModule,
  eventSchemasModule,
  eventsModule,
  deliveryModule,
  webhooksModule,
  segmentsModule,
  metadataSchemasModule,
  trashBinModule,
  campaignsModule,
  productsModule,
  vouchersModule,
  publicationsModule,
  locationsModule,
  validationRulesModule,
  distributionsModule,
  ordersModule,
  promotionsModule,
  campaignTemplatesModule,
  loyaltiesModule,
  referralsModule,
  rewardsModule,
  redemptionsModule,
  exportsModule,
  walletsModule,
  customerBulkModule,
  customerErasureModule,
  campaignSummaryModule,
  webhookSamplesModule,
] as const;

type Provided<M> = M extends TesseraModule<infer P, never> ? P : never;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** What all modules provide, by name. */
export type ModuleServices = Intersection<Provided<(typeof modules)[number]>>;

export async function openStore(config: Config): Promise<Db> {
  if (config.databaseUrl !== undefined) return createPgDb({ connectionString: config.databaseUrl, max: config.poolSize });
  await mkdir(config.dataDir, { recursive: true });
  return createPgliteDb(config.dataDir);
}

export interface Services extends ApiServices {
  delivery: Delivery;
  /** The dashboard's sign-ins (in the database: shared by every process). */
  dashboardSessions: SessionStore;
  /** Wrong dashboard passwords per login (in the database: shared by every process). */
  signInThrottle: SignInThrottle;
  /** The job catalog: every module's jobs. */
  jobs: readonly Job[];
  /** What each module reacts to in the event log (wired already; listed for logs and tests). */
  reactions: readonly Reaction[];
  /** Starts hearing other processes' changes to cached definitions (webhook endpoints, distributions). */
  listen(): Promise<void>;
  /** Lets batched writes in flight finish. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Builds every module's services on db and wires their reactions into the event log. */
export function createServices(db: Db, config: Config, clock: Clock = systemClock, logger: Logger = createLogger('silent')): Services {
  const definitions = createDefinitions(db);
  const services = {} as ModuleServices;
  const built: Array<ModuleParts<unknown>> = [];
  for (const m of modules as readonly TesseraModule<unknown, ModuleServices>[]) {
    const parts = m.create({ db, clock, logger, config, definitions, services });
    Object.assign(services, parts.services);
    built.push(parts);
  }
  const reactions = built.flatMap((p) => p.reactions ?? []);
  for (const r of reactions) {
    if (r.kind === 'deriver') services.log.derive(r.derive, r.types, r.takes);
    else services.log.subscribe(r.handle, r.types, r.wants);
  }
  return {
    ...services,
    jobs: built.flatMap((p) => p.jobs ?? []),
    reactions,
    operations: createOperations(db, services.delivery),
    listen: () => definitions.start(),
    async drain() {
      // Tracked events first: they upsert customers.
      for (const p of [...built].reverse()) await p.drain?.();
    },
    async close() {
      await definitions.close();
      for (const p of [...built].reverse()) await p.close?.();
    },
  };
}

export interface ComposeOptions {
  /** A store opened by the caller (it closes it); otherwise the one config names is opened, and closed with the rest. */
  db?: Db;
  clock?: Clock;
  logger?: Logger;
  /** Build the HTTP API (default true). */
  api?: boolean;
  /** Start the background worker (webhook delivery and the job catalog) now (default false: call worker.start()). */
  worker?: boolean;
}

export interface Tessera {
  db: Db;
  services: Services;
  app: FastifyInstance;
  worker: Worker;
  logger: Logger;
  /** Migrations this start applied. */
  migrated: string[];
  /** The management id, and its token only when this start generated it (to be shown once). */
  management: { id: string; token?: string };
  close(): Promise<void>;
}

/** Tessera without its HTTP API: the standalone worker, migrate, projects. */
export type Background = Omit<Tessera, 'app' | 'management'>;

/** Opens the store (or uses the given one), migrates it and builds the services, the API and the worker. */
export async function compose(config: Config, options?: ComposeOptions & { api?: true }): Promise<Tessera>;
export async function compose(config: Config, options: ComposeOptions & { api: false }): Promise<Background>;
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Tessera | Background> {
  const logger = options.logger ?? createLogger(config.logLevel, { pretty: config.logPretty });
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (await openStore(config));
  const api = options.api ?? true;
  let services: Services | undefined;
  try {
    const migrated = await migrate(db);
    services = createServices(db, config, clock, logger);
    // Every process that serves or works keeps its caches fresh from other processes' changes (a one-off command,
    // API and worker off, has no use for them).
    if (api || options.worker) await services.listen();
    const worker = createWorker(db, config, services, logger);
    const app = api ? await buildApp(services, { bodyLimit: config.bodyLimit, logger, clock, publicUrl: config.publicUrl, rateLimits: config.rateLimits, trustProxy: config.trustProxy }) : undefined;
    if (app) await registerDashboard(app, { ...services, logger });
    const management = api ? await services.management.ensure(pinnedManagement(config)) : undefined;
    const s = services;
    const tessera = {
      db,
      services: s,
      worker,
      logger,
      migrated,
      async close() {
        await app?.close();
        await s.drain();
        await worker.stop();
        await s.close();
        if (!options.db) await db.close();
      },
    };
    if (options.worker) await worker.start();
    return app && management ? { ...tessera, app, management } : tessera;
  } catch (err) {
    await services?.close();
    if (!options.db) await db.close();
    throw err;
  }
}

function pinnedManagement(config: Config): { id: string; token: string } | undefined {
  return config.managementId !== undefined && config.managementToken !== undefined
    ? { id: config.managementId, token: config.managementToken }
    : undefined;
}
