import { giftAmountExceeded, invalidPayload, quantityExceeded, type TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Executor } from '../../store/db.js';
import type { VoucherRow } from '../vouchers/index.js';

/** A validation's `session` (Voucherify's Session): a LOCK with a key (given or made) and a time to live. */
export interface SessionInput {
  key?: string;
  type?: 'LOCK';
  ttl?: number;
  ttl_unit?: 'DAYS' | 'HOURS' | 'MINUTES' | 'SECONDS' | 'MILLISECONDS' | 'MICROSECONDS' | 'NANOSECONDS';
}

export const sessionSchema = {
  type: 'object',
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 200 },
    type: { type: 'string', enum: ['LOCK'] },
    ttl: { type: 'number', exclusiveMinimum: 0 },
    ttl_unit: { type: 'string', enum: ['DAYS', 'HOURS', 'MINUTES', 'SECONDS', 'MILLISECONDS', 'MICROSECONDS', 'NANOSECONDS'] },
  },
} as const;

const unitMs = { DAYS: 86_400_000, HOURS: 3_600_000, MINUTES: 60_000, SECONDS: 1000, MILLISECONDS: 1, MICROSECONDS: 0.001, NANOSECONDS: 0.000001 } as const;
/** Without ttl, a session lasts 7 days; at most 365. */
const defaultTtl = { ttl: 7, ttl_unit: 'DAYS' as const };
const maxTtlMs = 365 * 86_400_000;

/** The session a validation opens: its key, its expiry, and its object for the answer. */
export function sessionOf(input: SessionInput, now: Date) {
  const ttl = input.ttl ?? defaultTtl.ttl;
  const unit = input.ttl_unit ?? (input.ttl === undefined ? defaultTtl.ttl_unit : 'SECONDS');
  const ms = ttl * unitMs[unit];
  if (!(ms >= 1) || ms > maxTtlMs) throw invalidPayload('Property .session.ttl must make a time of 1 millisecond to 365 days');
  const key = input.key ?? newId('ssn');
  return { key, expiresAt: new Date(now.getTime() + ms), object: { key, type: 'LOCK' as const, ttl, ttl_unit: unit } };
}

/** What others' live locks hold of a voucher (the session `key` itself excluded), read after its row is locked. */
async function othersHold(tx: Executor, voucherId: string, key: string | null, now: Date): Promise<{ quantity: number; credits: number }> {
  const { rows } = await tx.query<{ quantity: string; credits: string }>(
    `SELECT COALESCE(sum(quantity), 0) AS quantity, COALESCE(sum(credits), 0) AS credits FROM session_locks
      WHERE voucher_id = $1 AND expires_at > $2 AND ($3::text IS NULL OR key <> $3)`,
    [voucherId, now, key],
  );
  return { quantity: Number(rows[0]?.quantity ?? 0), credits: Number(rows[0]?.credits ?? 0) };
}

async function lockRow(tx: Executor, voucherId: string): Promise<{ redeemed_quantity: number; gift_balance: string | null }> {
  const { rows } = await tx.query<{ redeemed_quantity: number; gift_balance: string | null }>('SELECT redeemed_quantity, gift_balance FROM vouchers WHERE id = $1 FOR UPDATE', [voucherId]);
  return rows[0]!;
}

/**
 * Reserves for a session, in tx, one redemption of each limited voucher and the credits of each gift voucher asked:
 * each voucher's row is locked (in id order) and what is left after others' live locks is checked; nothing is
 * reserved when one cannot be (its error is returned). A session's lock on a voucher is replaced by a new one.
 */
export async function reserve(tx: Executor, projectId: string, session: { key: string; expiresAt: Date }, wants: Array<{ voucher: VoucherRow; quantity?: number; credits: number }>, now: Date): Promise<{ voucherId: string; error: TesseraError } | undefined> {
  const sorted = [...wants].sort((a, b) => (a.voucher.id < b.voucher.id ? -1 : a.voucher.id > b.voucher.id ? 1 : 0));
  for (const w of sorted) {
    const row = await lockRow(tx, w.voucher.id);
    const others = await othersHold(tx, w.voucher.id, session.key, now);
    if (w.quantity !== undefined && row.redeemed_quantity + others.quantity >= w.quantity) {
      return { voucherId: w.voucher.id, error: quantityExceeded(`Voucher ${w.voucher.code} has no redemption left that another session has not locked`) };
    }
    if (w.credits > 0 && Number(row.gift_balance ?? 0) - others.credits < w.credits) {
      return { voucherId: w.voucher.id, error: giftAmountExceeded(`Gift voucher ${w.voucher.code} has fewer than ${w.credits} credits that other sessions have not locked`) };
    }
  }
  for (const w of sorted) {
    await tx.query(
      `INSERT INTO session_locks (project_id, key, voucher_id, quantity, credits, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (voucher_id, key) DO UPDATE SET quantity = EXCLUDED.quantity, credits = EXCLUDED.credits, expires_at = EXCLUDED.expires_at`,
      [projectId, session.key, w.voucher.id, w.quantity !== undefined ? 1 : 0, w.credits, session.expiresAt, now],
    );
    await tx.query('UPDATE vouchers SET locked_until = GREATEST(COALESCE(locked_until, $2), $2) WHERE id = $1', [w.voucher.id, session.expiresAt]);
  }
  return undefined;
}

/**
 * Spends one redemption of a limited voucher: one guarded statement while the voucher has no live lock; else, with
 * its row locked, what others' live locks hold (the redeeming session's own excluded) is left alone. The voucher's
 * redeemed count after, or undefined when none is free.
 */
export async function spendQuantity(tx: Executor, voucherId: string, quantity: number, key: string | null, now: Date): Promise<number | undefined> {
  const fast = await tx.query<{ redeemed_quantity: number }>(
    'UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1 WHERE id = $1 AND redeemed_quantity < $2 AND (locked_until IS NULL OR locked_until <= $3) RETURNING redeemed_quantity',
    [voucherId, quantity, now],
  );
  if (fast.rows[0]) return Number(fast.rows[0].redeemed_quantity);
  const row = await lockRow(tx, voucherId);
  if (row.redeemed_quantity >= quantity) return undefined;
  const others = await othersHold(tx, voucherId, key, now);
  if (row.redeemed_quantity + others.quantity >= quantity) return undefined;
  await tx.query('UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1 WHERE id = $1', [voucherId]);
  return row.redeemed_quantity + 1;
}

/**
 * Spends gift credits the same way (the card's redeemed total grows in the same statement); the balance and redeemed
 * total after, or undefined when too few are free.
 */
export async function spendBalance(tx: Executor, voucherId: string, credits: number, key: string | null, now: Date): Promise<{ balance: number; redeemed: number } | undefined> {
  const spend = 'UPDATE vouchers SET gift_balance = gift_balance - $2, gift_redeemed = gift_redeemed + $2 WHERE id = $1';
  const after = (r: { gift_balance: string; gift_redeemed: string }) => ({ balance: Number(r.gift_balance), redeemed: Number(r.gift_redeemed) });
  const fast = await tx.query<{ gift_balance: string; gift_redeemed: string }>(
    `${spend} AND gift_balance >= $2 AND (locked_until IS NULL OR locked_until <= $3) RETURNING gift_balance, gift_redeemed`,
    [voucherId, credits, now],
  );
  if (fast.rows[0]) return after(fast.rows[0]);
  const row = await lockRow(tx, voucherId);
  const balance = Number(row.gift_balance ?? 0);
  if (balance < credits) return undefined;
  const others = await othersHold(tx, voucherId, key, now);
  if (balance - others.credits < credits) return undefined;
  const { rows } = await tx.query<{ gift_balance: string; gift_redeemed: string }>(`${spend} RETURNING gift_balance, gift_redeemed`, [voucherId, credits]);
  return after(rows[0]!);
}

/**
 * A redemption consumed its session: the session's locks go, and each voucher's locked_until comes down to its
 * remaining locks' latest expiry (none: back to the one-statement spend). The vouchers are locked first, in id order,
 * so that the recomputation, a statement of its own, sees every lock committed before.
 */
/**
 * DELETE /v1/vouchers/{code}/sessions/{key}: the session's reservation of one voucher given back (its other
 * vouchers stay reserved). False when the session holds nothing of that voucher.
 */
export async function releaseVoucher(tx: Executor, projectId: string, key: string, voucherId: string): Promise<boolean> {
  await tx.query('SELECT id FROM vouchers WHERE id = $1 FOR UPDATE', [voucherId]);
  const { rows } = await tx.query<{ voucher_id: string }>('DELETE FROM session_locks WHERE project_id = $1 AND key = $2 AND voucher_id = $3 RETURNING voucher_id', [projectId, key, voucherId]);
  if (rows.length === 0) return false;
  await tx.query('UPDATE vouchers v SET locked_until = (SELECT max(l.expires_at) FROM session_locks l WHERE l.voucher_id = v.id) WHERE v.id = $1', [voucherId]);
  return true;
}

export async function release(tx: Executor, projectId: string, key: string): Promise<void> {
  const { rows } = await tx.query<{ voucher_id: string }>('DELETE FROM session_locks WHERE project_id = $1 AND key = $2 RETURNING voucher_id', [projectId, key]);
  if (rows.length === 0) return;
  const ids = [...new Set(rows.map((r) => r.voucher_id))].sort();
  await tx.query('SELECT id FROM vouchers WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE', [ids]);
  await tx.query('UPDATE vouchers v SET locked_until = (SELECT max(l.expires_at) FROM session_locks l WHERE l.voucher_id = v.id) WHERE v.id = ANY ($1::text[])', [ids]);
}
