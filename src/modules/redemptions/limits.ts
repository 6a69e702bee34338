/**
 * Redemption limits a validation rule sets (`redemption.count.per_customer < 3`, `redemption.count.daily < 100`):
 * besides being evaluated, each is spent at redemption in one guarded statement on its counter, so concurrent
 * redemptions never pass it together. Only rules whose rule set combines its rules with `and` (or has one rule)
 * are limits; others are refused when saved (validation-rules grammar), and those saved before are evaluated only.
 */
import { countBound, countRuleName, type ValidationRuleRow } from '../validation-rules/index.js';
import type { CounterKey } from './types.js';

export type Period = 'total' | 'daily' | 'weekly' | 'monthly';

export interface Limit {
  ruleId: string;
  objectId: string;
  perCustomer: boolean;
  period: Period;
  /** Redemptions allowed before this one: the counter must stay below it. */
  bound: number;
  message?: string;
}

const maxCount = 2_147_483_647;


export function limitsOf(rule: ValidationRuleRow, objectId: string): Limit[] {
  const logic = typeof rule.rules.logic === 'string' ? rule.rules.logic : '';
  if (/\b(or|not)\b/i.test(logic)) return [];
  const out: Limit[] = [];
  for (const [n, r] of Object.entries(rule.rules)) {
    if (n === 'logic' || typeof r !== 'object' || !r) continue;
    const m = countRuleName.exec(r.name);
    if (!m || (!m[1] && !m[2])) continue;
    const c = r.conditions ?? {};
    // A numeric string bound ("3") is the number, as the evaluator compares it.
    const lt = countBound(c.$less_than?.[0]);
    const lte = countBound(c.$less_than_or_equal?.[0]);
    // Counts are whole numbers: `< 2.5` allows 3 redemptions (0, 1, 2 before), `<= 2.5` allows 3; the counter is a
    // 32-bit integer, so a larger bound is no limit it can reach.
    const raw = typeof lt === 'number' && Number.isFinite(lt) ? Math.ceil(lt) : typeof lte === 'number' && Number.isFinite(lte) ? Math.floor(lte) + 1 : undefined;
    if (raw === undefined) continue;
    const bound = Math.min(raw, maxCount);
    out.push({ ruleId: rule.id, objectId, perCustomer: m[1] !== undefined, period: (m[2] as Period | undefined) ?? 'total', bound, message: r.error?.message ?? rule.error?.message });
  }
  return out;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Where the period of `now` (UTC) starts: its day, its week's Monday, its month's first day. */
export function periodStart(period: Exclude<Period, 'total'>, now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (period === 'daily') return new Date(today);
  if (period === 'monthly') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return new Date(today - ((now.getUTCDay() + 6) % 7) * 86_400_000);
}

/** The counter period of `now` (UTC): '' for all time, D<date>, W<monday>, M<month>, named by where it starts. */
export function periodKey(period: Period, now: Date): string {
  if (period === 'total') return '';
  const start = day(periodStart(period, now));
  return period === 'daily' ? `D${start}` : period === 'monthly' ? `M${start.slice(0, 7)}` : `W${start}`;
}

export function counterKey(l: Limit, customerId: string | null, now: Date): CounterKey {
  return [l.objectId, l.perCustomer ? (customerId ?? '~') : '', periodKey(l.period, now)];
}

/**
 * The limits to spend, one per counter: limits on one counter (the same object, customer and period) count a
 * redemption once, under the tightest bound (the counter counts redemptions; each rule compares it with its bound).
 */
export function tightestLimits(limits: Limit[], customerId: string | null, now: Date): Array<{ key: CounterKey; l: Limit }> {
  const tightest = new Map<string, { key: CounterKey; l: Limit }>();
  for (const l of limits) {
    const key = counterKey(l, customerId, now);
    const id = key.join('\u0000');
    const had = tightest.get(id);
    if (!had || l.bound < had.l.bound) tightest.set(id, { key, l });
  }
  return [...tightest.values()];
}

/** Counts for the evaluator from counter rows of one object. */
export function countsOf(rows: Array<{ object_id: string; customer_id: string; period: string; count: number }>, objectId: string, customerId: string | null, now: Date) {
  const get = (perCustomer: boolean, p: Period) =>
    rows.find((r) => r.object_id === objectId && r.customer_id === (perCustomer ? (customerId ?? '~') : '') && r.period === periodKey(p, now))?.count ?? 0;
  const periods = (perCustomer: boolean) => ({ total: get(perCustomer, 'total'), daily: get(perCustomer, 'daily'), weekly: get(perCustomer, 'weekly'), monthly: get(perCustomer, 'monthly') });
  return { count: periods(false), per_customer: periods(true) };
}
