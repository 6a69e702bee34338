import { maxAttempts, nextRetryAt, retryAfterMs } from '../../core/backoff.js';
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

/** The classification, with the schedule applied: a retry with no attempts left becomes give_up. */
export function decide(r: AttemptResult, attemptsMade: number, firstAttemptAt: Date, now: Date, random?: () => number): Decision {
  const outcome = classify(r);
  if (outcome === 'delivered' || outcome === 'disable_endpoint' || outcome === 'give_up' || outcome === 'drop') return { outcome };
  if (attemptsMade >= maxAttempts) return { outcome: 'give_up' };
  if (outcome === 'retry_after') {
    const delay = retryAfterMs(r.retryAfter, now);
    if (delay !== undefined) return { outcome, nextAttemptAt: new Date(now.getTime() + delay) };
  }
  const at = nextRetryAt(firstAttemptAt, attemptsMade, now, random);
  return at ? { outcome: 'retry', nextAttemptAt: at } : { outcome: 'give_up' };
}
