/**
 * Voucherify's webhook retry schedule (DIGEST e.4): retry n (1..11) at 2^(n-1) minutes after the first attempt,
 * the 12th and last at 24 hours; 13 attempts in all. Each retry moves by up to ±10% of the gap before it, so that
 * endpoints that failed together do not all come back at the same instant.
 */
const minute = 60_000;
export const retryOffsetsMs: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
  .map((m) => m * minute)
  .concat([24 * 60 * minute]);

export const maxAttempts = retryOffsetsMs.length + 1;

/** When the next attempt is due after `attemptsMade` failed ones, or undefined when none is left. */
export function nextRetryAt(firstAttemptAt: Date, attemptsMade: number, now: Date, random: () => number = Math.random): Date | undefined {
  const offset = retryOffsetsMs[attemptsMade - 1];
  if (offset === undefined) return undefined;
  const gap = offset - (retryOffsetsMs[attemptsMade - 2] ?? 0);
  const jitter = (random() * 2 - 1) * 0.1 * gap;
  return new Date(Math.max(firstAttemptAt.getTime() + offset + jitter, now.getTime() + 1000));
}

/** The time the schedule spans: its last retry's offset after the first attempt (24 hours). */
export const scheduleWindowMs = retryOffsetsMs[retryOffsetsMs.length - 1]!;

/** The earliest retry n (1-based) may fall, jitter included, in ms after the first attempt. */
export function earliestRetryMs(n: number): number {
  const offset = retryOffsetsMs[n - 1]!;
  return offset - 0.1 * (offset - (retryOffsetsMs[n - 2] ?? 0));
}

/**
 * The next retry by elapsed time rather than by count, for a sendout whose attempts ran out before the schedule's
 * time did (a receiver that kept asking to come back within seconds): the first retry of the schedule whose window
 * is still ahead, or undefined once the last one's has begun. So a throttling receiver does not shrink the 24 hours,
 * and its attempts stay bounded (at most one more per retry of the schedule).
 */
export function nextRetryByTime(firstAttemptAt: Date, now: Date, random: () => number = Math.random): Date | undefined {
  const elapsed = now.getTime() - firstAttemptAt.getTime();
  for (let n = 1; n <= retryOffsetsMs.length; n++) {
    if (earliestRetryMs(n) > elapsed) return nextRetryAt(firstAttemptAt, n, now, random);
  }
  return undefined;
}

/** Bounds on a receiver's Retry-After: at least a second, at most six hours. */
export const retryAfterBoundsMs = { min: 1000, max: 6 * 60 * minute } as const;

/** Parses Retry-After (seconds or an HTTP date) into a bounded delay; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const v = header.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(retryAfterBoundsMs.max, Math.max(retryAfterBoundsMs.min, ms));
}
