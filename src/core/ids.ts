import { randomFillSync } from 'node:crypto';

/** Bytes from the CSPRNG, drawn from a pool filled 8 KiB at a time (one system call per pool, not per id). */
const pool = Buffer.alloc(8192);
let used = pool.length;

function randomBytes(n: number): Buffer {
  if (n > pool.length) return randomFillSync(Buffer.alloc(n));
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // A copy: the pool is refilled in place.
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Random base62 string; 24 characters carry ~142 bits, enough for ids and high-entropy secrets. */
export function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += alphabet[b % 62];
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

/** Ids keep Voucherify's prefixes: cust_, proj_, ms_, event_, evcus_, wh_, whs_, seg_, ... */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomBase62(length)}`;
}

/**
 * Ids that sort by creation time, in the same shape as newId (prefix, then 24 base62 characters): 9 base36
 * characters of the time in ms (digits and lowercase sort the same in every collation), then 15 random ones
 * (~89 bits). Rows keyed by them are appended at the end of their indexes instead of landing on a random page,
 * which keeps the pages a busy table touches, and the full-page images written after each checkpoint, few.
 */
export function newSortableId(prefix: string, now: Date): string {
  return `${prefix}_${now.getTime().toString(36).padStart(9, '0')}${randomBase62(15)}`;
}

/**
 * The last 8 hex characters of event ids: random at start, then one more per id. A batch stamps hundreds of ids
 * with the same millisecond; 32 random bits each would repeat one in a few million batches (a birthday
 * collision), a counter never does within a process, and processes start at random points.
 */
let eventSequence = randomBytes(4).readUInt32BE(0);

/** The last time an event id was made for, and its 12 hex digits: a batch stamps many ids with one time. */
let lastTime = NaN;
let lastTimeHex = '';

/** Event-style ids (`evcus_0c150c51730c6b60b1`): a time-ordered hex id, sortable by creation. */
export function newEventId(prefix: string, now: Date): string {
  eventSequence = (eventSequence + 1) >>> 0;
  const t = now.getTime();
  if (t !== lastTime) {
    lastTime = t;
    lastTimeHex = t.toString(16).padStart(12, '0');
  }
  return `${prefix}_${lastTimeHex}${eventSequence.toString(16).padStart(8, '0')}`;
}

/** Request ids look like Voucherify's: `v-0a885062c80375740f`. */
export function newRequestId(): string {
  return `v-${randomBytes(9).toString('hex')}`;
}

export function newSecret(): string {
  return randomBase62(40);
}
