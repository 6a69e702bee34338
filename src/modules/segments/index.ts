/**
 * Segments of customers. Glossary:
 * - static: a fixed list; passive: kept up to date from its filter, silently; auto-update: kept up to date and
 *   recording customer.segment.entered / customer.segment.left (activity, webhooks, distribution triggers).
 * - membership: a customer's segments (by segment number, never reused) with the times it entered them, and those
 *   it left with the times it left: one row per customer (member-rows.ts), re-evaluated in the transaction of every
 *   change that touches what a filter reads.
 * - list version: bumped with every change to a project's filter segments; a change's state read checks it.
 * - tombstone: a deleted segment's number, swept out of its former members' rows in the background.
 * - check: when a membership may change with time alone; a background job re-evaluates it then.
 * - sync: the background computation of a new filter segment's members among existing customers, in batches.
 */
import type { Executor } from '../../store/db.js';
import type { CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import { statsSelect } from '../events/index.js';
import { defineModule } from '../module.js';
import { createSegmentsService, syncBatch as defaultBatch } from './service.js';
export { createSegmentsService, type SegmentsService, maxFilterSegments, syncBatch } from './service.js';
export { segmentObject, simpleSegment } from './view.js';
export { createSegmentBody, updateSegmentBody } from './schemas.js';
export { parseFilter, FilterError, evaluate } from './filter/index.js';
export type { SegmentRow, SegmentInput, SegmentType, EventStatsSelect } from './types.js';

export const segmentsModule = defineModule<
  { segments: ReturnType<typeof createSegmentsService> },
  { log: EventLog; customers: CustomersService; distributions: { namingSegment(ex: Executor, projectId: string, segmentId: string): Promise<string[]> } }
>({
  name: 'segments',
  create: ({ db, clock, logger, services }) => {
    // Distributions come later in the composition: asked only when a segment is deleted.
    const usedBy = (ex: Executor, projectId: string, id: string) => services.distributions.namingSegment(ex, projectId, id);
    const segments = createSegmentsService({ db, clock, log: services.log, customers: services.customers, eventStats: statsSelect, logger, usedBy });
    // The three jobs rewrite the same membership rows: one after the other in a process, as one tick ran them.
    const job = (name: string, description: string, step: (batchSize: number) => Promise<number>) => ({
      name: `segments.${name}`,
      description,
      step,
      defaults: { idleMs: 1000, batchSize: defaultBatch },
      runsOnPglite: true,
      group: 'segments',
    });
    return {
      services: { segments },
      // Segments derive customer.segment.entered/left from the changes, stored with them: every subscriber sees both.
      reactions: [{ kind: 'deriver', name: 'segments.membership', types: segments.derivesFrom, derive: segments.onEvents }],
      jobs: [
        job('due-checks', 're-checks memberships that time alone may change', (n) => segments.runDueChecks(n)),
        job('sync', "computes new filter segments' members among existing customers", (n) => segments.syncStep(n)),
        job('sweep', "sweeps deleted segments out of their former members' rows", (n) => segments.sweepStep(n)),
      ],
    };
  },
});
