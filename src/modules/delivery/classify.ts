import { maxAttempts, nextRetryAt, nextRetryByTime, retryAfterMs } from '../../core/backoff.js';
import type { AttemptResult, Outcome } from './types.js';

/**
 * The one table of retry decisions. Any 2xx within the timeout is delivered; 410 Gone disables the endpoint at
 * once; 429 and 503 with a Retry-After are retried when the receiver asks (bounded); a blocked target cannot
 * improve by waiting; everything else is retried on the schedule until attempts run out.
 */
export function classify(r: AttemptResult): Outcome {
  if (r.accepted) return 'delivered';
  if (r.statusCode !== undefined && r.statusCode >= 200 && r.statusCode < 300) return 'delivered';
  if (r.statusCode === 410) return 'disable_endpoint';
  if (r.blocked) return 'give_up';
  if (r.dropped) return 'drop';
  if ((r.statusCode === 429 || r.statusCode === 503) && r.retryAfter !== undefined) return 'retry_after';
  return 'retry';
}

export interface Decision {
  outcome: Outcome;
  /** When the next attempt is due; undefined when there is none. */
  nextAttemptAt?: Date;
}

/**
 * The classification, with the schedule applied. Retries follow the schedule by count; a Retry-After is honoured
 * while attempts are left. Once they are used up the sendout gives up only if the schedule's time has run too: a
 * receiver that used them up early by asking for short waits gets the rest of the 24 hours on the schedule by
 * elapsed time (a Retry-After still sets the earliest next attempt).
 */
export function decide(r: AttemptResult, attemptsMade: number, firstAttemptAt: Date, now: Date, random?: () => number): Decision {
  const outcome = classify(r);
  if (outcome === 'delivered' || outcome === 'disable_endpoint' || outcome === 'give_up' || outcome === 'drop') return { outcome };
  const delay = outcome === 'retry_after' ? retryAfterMs(r.retryAfter, now) : undefined;
  if (attemptsMade >= maxAttempts) {
    const at = nextRetryByTime(firstAttemptAt, now, random);
    if (!at) return { outcome: 'give_up' };
    return { outcome, nextAttemptAt: new Date(Math.max(at.getTime(), now.getTime() + (delay ?? 0))) };
  }
  if (delay !== undefined) return { outcome: 'retry_after', nextAttemptAt: new Date(now.getTime() + delay) };
  const at = nextRetryAt(firstAttemptAt, attemptsMade, now, random);
  return at ? { outcome: 'retry', nextAttemptAt: at } : { outcome: 'give_up' };
}
