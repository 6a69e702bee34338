import type { Executor } from '../../store/db.js';

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
}

/** What evaluating a filter segment needs of its row (its filter is parsed once per revision). */
export interface LiveSegment {
  id: string;
  project_id: string;
  name: string;
  type: SegmentType;
  sync_status: SegmentRow['sync_status'];
  /** Bumped on every change of the filter. */
  revision: number;
}

export interface SegmentInput {
  name: string;
  type: SegmentType;
  filter?: Record<string, unknown>;
  /** Static segments: customer ids or source_ids. */
  customers?: string[];
}

/** A customer's event history as filters see it: count, last time, and the times within the longest window. */
export type EventStats = Map<string, { count: number; last: Date | null; recent: Date[] }>;

/**
 * Customers' event stats for some event names, as a SELECT of (customer_id, type, n int, last timestamptz,
 * recent jsonb array of times) with its values pushed onto params (given at composition: events own that data).
 * Segments run it with their own reads, in one statement.
 */
export type EventStatsSelect = (
  params: unknown[],
  projectId: string,
  customerIds: string[],
  eventNames: string[],
  recentSince: Date | undefined,
) => string;

export interface MembershipChange {
  segment: LiveSegment;
  customerId: string;
  entered: boolean;
}
