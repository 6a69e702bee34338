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
export { createSegmentsService, type SegmentsService, maxFilterSegments, syncBatch } from './service.js';
export { segmentObject, simpleSegment } from './view.js';
export { createSegmentBody, updateSegmentBody } from './schemas.js';
export { parseFilter, FilterError, evaluate } from './filter/index.js';
export type { SegmentRow, SegmentInput, SegmentType, EventStatsSelect } from './types.js';
