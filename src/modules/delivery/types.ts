import { earliestRetryMs } from '../../core/backoff.js';
import type { SigningSecrets } from './signing.js';

export type SendoutStatus = 'pending' | 'sent' | 'retrying' | 'failed';
export type SourceObject = 'webhook' | 'distribution';

export interface SendoutRow {
  id: string;
  project_id: string;
  source_object: SourceObject;
  source_id: string;
  target_url: string;
  event_id: string;
  event_type: string;
  group_id: string;
  body: string;
  status: SendoutStatus;
  attempts: number;
  next_attempt_at: Date | null;
  created_at: Date;
  event_created_at: Date;
  executed_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** A sendout to create: the body is built once, here, and sent as these exact bytes on every attempt. */
export interface NewSendout {
  id: string;
  projectId: string;
  sourceObject: SourceObject;
  sourceId: string;
  targetUrl: string;
  eventId: string;
  eventType: string;
  groupId: string;
  body: string;
  eventCreatedAt: Date;
  /** When it is due; now when absent (a scheduled message gives a later time). */
  dueAt?: Date;
}

/** What one HTTP attempt gave. */
export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  /** The first 4 KB of the response body. */
  responseBody?: string;
  /** Network error, timeout, or a refused target. */
  error?: string;
  retryAfter?: string;
  /** The target was refused before connecting (blocked address): retrying cannot help. */
  blocked?: boolean;
  /** This message can never be delivered (an e-mail without a recipient, refused for good): it fails alone. */
  dropped?: boolean;
  /** A message broker confirmed the message (broker targets have no HTTP status). */
  accepted?: boolean;
}

export type Outcome = 'delivered' | 'retry' | 'retry_after' | 'give_up' | 'drop' | 'disable_endpoint';

export interface AttemptRow {
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  error: string | null;
  outcome: Outcome;
}

/** The current state of what a sendout came from, asked of its owner at send time. */
export interface SourceState {
  active: boolean;
  /** Test sendouts go even while the source is not active (a draft or paused distribution). */
  sendsTests?: boolean;
  headers: Record<string, string>;
  /** The source's own signing secrets; the project's sign when absent. */
  secrets?: SigningSecrets;
  /**
   * The source is marked failing (operational alerts): its next delivery is a recovery even on a first attempt (a
   * manual retry restarts the count, a new message may get through first). Read with the state, so no query more.
   */
  failing?: boolean;
}

/** The event-id prefix of test sendouts (sample data sent on request). */
export const testEventPrefix = 'evtest';
export const isTestSendout = (eventId: string): boolean => eventId.startsWith(`${testEventPrefix}_`);

/** Owners of sendouts (webhooks, distributions) answer for their sources; given at composition. */
export interface SourceOwner {
  state(projectIds: string[], sourceIds: string[]): Promise<Map<string, SourceState>>;
  /** The source failed for good (410 Gone, retries exhausted): disable or pause it; true when this call did. */
  disable(sourceId: string, reason: string): Promise<boolean>;
}

/**
 * A turning point in a source's deliveries, told to watchers (operational webhooks) after its attempt is recorded:
 * - failing: a sendout failed its `failingAttempt`th attempt or a later one, minutes after its first (showsFailing);
 * - exhausted: a sendout failed for good (no attempt left, 410 Gone, blocked target); `disabled` is the reason its
 *   source was disabled by it, or null when it was disabled already;
 * - recovered: a sendout was delivered on a retry, or to a source marked failing.
 * Sendouts of operational messages (types starting `tessera.`) cause none, so an alert about an alert cannot loop.
 */
export interface DeliveryIncident {
  kind: 'failing' | 'exhausted' | 'recovered';
  sendout: { id: string; project_id: string; source_object: SourceObject; source_id: string; target_url: string; event_type: string; attempts: number };
  attempt: { at: Date; status_code: number | null; error: string | null; outcome: Outcome };
  disabled: string | null;
}

/** After this many failed attempts of one sendout (about 4 minutes on the retry schedule), its source is failing. */
export const failingAttempt = 4;

/**
 * Whether a failed attempt says its source is failing: at least the `failingAttempt`th, and at least as long after
 * the first as that attempt comes on the schedule. Time counts, not attempts alone: a receiver that asks to be
 * retried within seconds has not been failing for minutes.
 */
export function showsFailing(attempts: number, elapsedMs: number): boolean {
  return attempts >= failingAttempt && elapsedMs >= earliestRetryMs(failingAttempt - 1);
}
