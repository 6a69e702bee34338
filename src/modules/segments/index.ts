/**
 * Segments of customers. Glossary:
 * - static: a fixed list; passive: kept up to date from its filter, silently; auto-update: kept up to date and
 *   recording customer.segment.entered / customer.segment.left (activity, webhooks, distribution triggers).
 * - membership: (segment, customer, active, entered_at, left_at), re-evaluated in the transaction of every change
 *   that touches what a filter reads.
 * - check: when a membership may change with time alone; a background job re-evaluates it then.
 * - sync: the background computation of a new filter segment's members among existing customers, in batches.
 */
export { createSegmentsService, type SegmentsService, maxFilterSegments, syncBatch } from './service.js';
export { segmentObject, simpleSegment } from './view.js';
export { createSegmentBody, updateSegmentBody } from './schemas.js';
export { parseFilter, FilterError, evaluate } from './filter/index.js';
export type { SegmentRow, SegmentInput, SegmentType, EventStatsSelect } from './types.js';
