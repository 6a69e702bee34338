/**
 * The shape every module hands to the composition (src/compose.ts wires them in one loop, in the order of its
 * list): the services it provides, its reactions to event-log entries, and its jobs for the catalog.
 */
import type { Config } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Job } from '../core/jobs.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../store/db.js';
import type { Definitions } from '../store/definitions.js';
import type { CausedEvent, EventDeriver, EventSubscriber, SubscriberWants } from './event-log/index.js';

/** What a module reacts to in the event log, in the recording transaction. */
export type Reaction =
  /** Derives events from entries of these types before they are stored (stored with them). */
  | {
      kind: 'deriver';
      name: string;
      types: readonly string[];
      derive: EventDeriver;
      /** Which entries of its types it acts on (all when left out): a batch with none of them does not wake it. */
      takes?: (entry: CausedEvent) => boolean;
    }
  /**
   * Handles the stored records of these types ('*': all), after every deriver. `wants` tells whether it would act
   * on a record that concerns no customer (of a project and type): records nobody wants are not stored.
   */
  | { kind: 'subscriber'; name: string; types: readonly string[] | '*'; handle: EventSubscriber; wants?: SubscriberWants };

export interface ModuleContext<Needs> {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: Config;
  /** Per-process caches of definitions that every event reads (webhook endpoints, distributions). */
  definitions: Definitions;
  /**
   * The other modules' services. Those of modules listed before this one can be used at once; a later module's
   * only from a function called after composition (the reverse direction, e.g. customers asking segments for
   * members).
   */
  services: Needs;
}

export interface ModuleParts<Provides> {
  /** Named services, merged into the composition's services (write methods take an optional transaction). */
  services: Provides;
  reactions?: Reaction[];
  jobs?: Job[];
  /** Lets work in flight finish (batched writes), before the worker stops. */
  drain?(): Promise<void>;
  /** Releases what it holds (connections, agents), after the worker stopped. */
  close?(): Promise<void>;
}

export interface TesseraModule<Provides, Needs> {
  name: string;
  create(ctx: ModuleContext<Needs>): ModuleParts<Provides>;
}

/** Declares a module (a typed identity: the composition infers what each provides and needs). */
export function defineModule<Provides, Needs = unknown>(m: TesseraModule<Provides, Needs>): TesseraModule<Provides, Needs> {
  return m;
}

/**
 * Group commit: write transactions each write path (tracked events, customer upserts) keeps in flight. PGlite runs
 * one transaction at a time; on PostgreSQL writeConcurrency, never more than half the pool (reads need connections too).
 */
export function writeConcurrency({ db, config }: { db: Db; config: Config }): number {
  return db.kind === 'pglite' ? 1 : Math.max(1, Math.min(config.writeConcurrency, Math.floor(config.poolSize / 2)));
}
