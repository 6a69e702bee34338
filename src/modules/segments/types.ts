import type { EventFacts } from './filter/index.js';

export type SegmentType = 'static' | 'passive' | 'auto-update';

export interface SegmentRow {
  id: string;
  project_id: string;
  name: string;
  type: SegmentType;
  filter: Record<string, unknown> | null;
  sync_status: 'IN_PROGRESS' | 'DONE';
  sync_cursor: string | null;
  sync_processed: number;
  sync_total: number;
  created_at: Date;
  updated_at: Date | null;
  /** Bumped on every change of the filter. */
  revision: number;
  /** The segment's number in membership rows (never reused). */
  num: number;
}

/** What evaluating a filter segment needs of its row (its filter is parsed once per revision). */
export interface LiveSegment {
  id: string;
  /** The segment's number in membership rows. */
  num: number;
  project_id: string;
  name: string;
  type: SegmentType;
  sync_status: SegmentRow['sync_status'];
  /** Bumped on every change of the filter. */
  revision: number;
  /** Customers created before it (and not yet reached) are its first computation's to place, silently. */
  created_at: Date;
}

export interface SegmentInput {
  name: string;
  type: SegmentType;
  filter?: Record<string, unknown>;
  /** Static segments: customer ids or source_ids. */
  customers?: string[];
}

/** A customer's event history as filters see it at one `now`, per event name (see Facts). */
export type EventStats = Map<string, EventFacts>;

/**
 * Customers' event stats for some event names and windows at `now`, as a SELECT of (customer_id, type, n int,
 * last timestamptz, windows jsonb {"<days>": [count, oldest]}) with its values pushed onto params (given at
 * composition: events own that data). Segments run it with their own reads, in one statement.
 */
export type EventStatsSelect = (
  params: unknown[],
  q: { projectId: string; customerIds: string[]; names: string[]; windows: number[]; now: Date },
) => string;

export interface MembershipChange {
  segment: LiveSegment;
  customerId: string;
  entered: boolean;
}
