/** Segment filter evaluation per customer at a given `now` (UTC), by operator family, and nextCheckAt. */
import { describe, expect, it } from 'vitest';
import { nextCheckAt, parseFilter } from '../src/modules/segments/filter/index.js';
import { day, facts, matches, on } from './helpers/segment-facts.js';

const at = (iso: string) => new Date(iso);
/** A Wednesday, mid-day. */
const NOW = at('2024-05-15T12:00:00.000Z');
const withCreated = (iso: string) => facts({ customer: { created_at: at(iso) } });
const withBirthdate = (birthdate: string | null) => facts({ customer: { birthdate } });
const withMeta = (metadata: Record<string, unknown>) => facts({ customer: { metadata } });

describe('equality and sets', () => {
  const ann = facts({ customer: { email: 'ann@example.com' } });
  const nobody = facts({ customer: { email: null } });
  const blank = facts({ customer: { email: '' } });

  it('$is and $is_not compare the whole value; a customer without one matches only $is_not', () => {
    expect(matches(on('email', { $is: 'ann@example.com' }), ann)).toBe(true);
    expect(matches(on('email', { $is: ['bob@example.com'] }), ann)).toBe(false);
    expect(matches(on('email', { $is: 'ann@example.com' }), nobody)).toBe(false);
    expect(matches(on('email', { $is_not: ['bob@example.com'] }), ann)).toBe(true);
    expect(matches(on('email', { $is_not: ['ann@example.com'] }), ann)).toBe(false);
    expect(matches(on('email', { $is_not: ['ann@example.com'] }), nobody)).toBe(true);
  });

  it('$is is case-sensitive (only the string operators fold case)', () => {
    expect(matches(on('email', { $is: 'ANN@example.com' }), ann)).toBe(false);
  });

  it('$in and $not_in', () => {
    expect(matches(on('email', { $in: ['x@y.z', 'ann@example.com'] }), ann)).toBe(true);
    expect(matches(on('email', { $in: ['x@y.z'] }), ann)).toBe(false);
    expect(matches(on('email', { $in: ['x@y.z'] }), nobody)).toBe(false);
    expect(matches(on('email', { $not_in: ['x@y.z'] }), ann)).toBe(true);
    expect(matches(on('email', { $not_in: ['x@y.z', 'ann@example.com'] }), ann)).toBe(false);
    expect(matches(on('email', { $not_in: ['x@y.z'] }), nobody)).toBe(true);
  });

  it('$has_value and $is_unknown; an empty string counts as no value', () => {
    for (const [f, known] of [[ann, true], [nobody, false], [blank, false]] as const) {
      expect(matches(on('email', { $has_value: '' }), f)).toBe(known);
      expect(matches(on('email', { $is_unknown: '' }), f)).toBe(!known);
    }
    expect(matches(on('metadata.tags', { $has_value: '' }), withMeta({ tags: [] }))).toBe(false);
    expect(matches(on('metadata.tags', { $is_unknown: '' }), withMeta({ tags: [] }))).toBe(true);
    expect(matches(on('orders.total_count', { $has_value: '' }), facts())).toBe(true);
  });

  it('a metadata key named like an inherited property (constructor, toString) is unknown unless the customer has it', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'a.constructor', 'a.length']) {
      expect(matches(on(`metadata.${key}`, { $has_value: true }), withMeta({ a: 'x' })), key).toBe(false);
      expect(matches(on(`metadata.${key}`, { $is_unknown: true }), withMeta({ a: 'x' })), key).toBe(true);
    }
    expect(matches(on('metadata.constructor', { $is: 'c' }), withMeta({ constructor: 'c' }))).toBe(true);
  });
});

describe('strings, case-insensitively', () => {
  const f = facts({ customer: { name: 'Jane Doe' } });
  it('$contains, $not_contain, $starts_with, $ends_with', () => {
    expect(matches(on('name', { $contains: 'NE D' }), f)).toBe(true);
    expect(matches(on('name', { $contains: 'john' }), f)).toBe(false);
    expect(matches(on('name', { $not_contain: 'john' }), f)).toBe(true);
    expect(matches(on('name', { $not_contain: ['DOE'] }), f)).toBe(false);
    expect(matches(on('name', { $starts_with: ['jane'] }), f)).toBe(true);
    expect(matches(on('name', { $starts_with: ['doe'] }), f)).toBe(false);
    expect(matches(on('name', { $ends_with: 'DOE' }), f)).toBe(true);
    expect(matches(on('name', { $ends_with: 'jane' }), f)).toBe(false);
  });

  it('a customer without the value matches only $not_contain', () => {
    const none = facts();
    expect(matches(on('name', { $contains: 'a' }), none)).toBe(false);
    expect(matches(on('name', { $starts_with: 'a' }), none)).toBe(false);
    expect(matches(on('name', { $ends_with: 'a' }), none)).toBe(false);
    expect(matches(on('name', { $not_contain: 'a' }), none)).toBe(true);
  });
});

describe('numbers and orders summary', () => {
  const f = facts({ orders: { total_amount: 10000, total_count: 3, average_amount: 3333, last_order_amount: 5000 } });
  it('compares strictly or with the boundary, operands as strings or numbers', () => {
    expect(matches(on('orders.total_count', { $more_than: ['2'] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $more_than: [3] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $more_than_equal: '3' }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $more_than_equal: [4] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $less_than: [4] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $less_than: [3] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $less_than_equal: ['3'] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $less_than_equal: ['2'] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $is: '3' }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $in: [1, 2] }), f)).toBe(false);
  });

  it('reads each summary field, under orders. or summary.orders.', () => {
    expect(matches(on('orders.total_amount', { $is: [10000] }), f)).toBe(true);
    expect(matches(on('summary.orders.total_amount', { $more_than: [9999] }), f)).toBe(true);
    expect(matches(on('orders.average_amount', { $is: [3333] }), f)).toBe(true);
    expect(matches(on('orders.last_order_amount', { $less_than: [5000] }), f)).toBe(false);
    expect(matches(on('orders.last_order_amount', { $less_than: [5001] }), f)).toBe(true);
  });

  it('last_order_date takes date operators; no order yet matches none', () => {
    const ordered = facts({ orders: { last_order_date: at('2024-05-10T00:00:00.000Z') } });
    expect(matches(on('orders.last_order_date', { $less_than_ago: [7] }), ordered, NOW)).toBe(true);
    expect(matches(on('orders.last_order_date', { $less_than_ago: [5] }), ordered, NOW)).toBe(false);
    expect(matches(on('orders.last_order_date', { $less_than_ago: [7] }), facts(), NOW)).toBe(false);
    expect(matches(on('orders.last_order_date', { $is_unknown: '' }), facts(), NOW)).toBe(true);
  });

  it('aliases read as their canonical operators', () => {
    expect(matches(on('orders.total_count', { $more_than_or_equal: [3] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $greater_than_or_equal: [4] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $less_than_or_equal: [3] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $less_than_or_equal: [2] }), f)).toBe(false);
    expect(matches(on('orders.total_count', { $greater_than: [2] }), f)).toBe(true);
    expect(matches(on('orders.total_count', { $greater_than: [3] }), f)).toBe(false);
  });
});

describe('absolute dates', () => {
  const f = withCreated('2024-03-10T15:30:00.000Z');
  it('$after and $before are strict', () => {
    expect(matches(on('created_at', { $after: ['2024-03-10T15:29:59.999Z'] }), f)).toBe(true);
    expect(matches(on('created_at', { $after: ['2024-03-10T15:30:00.000Z'] }), f)).toBe(false);
    expect(matches(on('created_at', { $before: '2024-03-10T15:30:00.001Z' }), f)).toBe(true);
    expect(matches(on('created_at', { $before: '2024-03-10T15:30:00.000Z' }), f)).toBe(false);
    expect(matches(on('created_at', { $after: ['2024-01-01'], $before: ['2024-04-01'] }), f)).toBe(true);
    expect(matches(on('created_at', { $after: ['2024-01-01'], $before: ['2024-03-01'] }), f)).toBe(false);
  });

  it('$is with a date-only operand matches the whole UTC day, with a timestamp the instant', () => {
    expect(matches(on('created_at', { $is: ['2024-03-10'] }), f)).toBe(true);
    expect(matches(on('created_at', { $is: ['2024-03-11'] }), f)).toBe(false);
    expect(matches(on('created_at', { $is: ['2024-03-10T15:30:00.000Z'] }), f)).toBe(true);
    expect(matches(on('created_at', { $is: ['2024-03-10T15:30:00.001Z'] }), f)).toBe(false);
    expect(matches(on('created_at', { $is_not: ['2024-03-10'] }), f)).toBe(false);
  });

  it('works on metadata date strings', () => {
    expect(matches(on('metadata.renewal', { $after: ['2024-06-01'] }), withMeta({ renewal: '2024-07-01T00:00:00Z' }))).toBe(true);
    expect(matches(on('metadata.renewal', { $after: ['2024-06-01'] }), withMeta({ renewal: '2024-05-01T00:00:00Z' }))).toBe(false);
  });
});

describe('relative dates (N days from now)', () => {
  const sevenAgo = NOW.getTime() - 7 * day;
  const created = (ms: number) => facts({ customer: { created_at: new Date(ms) } });

  it('$less_than_ago and $more_than_ago, strict at exactly N days', () => {
    expect(matches(on('created_at', { $less_than_ago: [7] }), created(sevenAgo + 1), NOW)).toBe(true);
    expect(matches(on('created_at', { $less_than_ago: [7] }), created(sevenAgo), NOW)).toBe(false);
    expect(matches(on('created_at', { $less_than_ago: [7] }), created(NOW.getTime() + 1), NOW)).toBe(false);
    expect(matches(on('created_at', { $more_than_ago: ['7'] }), created(sevenAgo - 1), NOW)).toBe(true);
    expect(matches(on('created_at', { $more_than_ago: ['7'] }), created(sevenAgo), NOW)).toBe(false);
  });

  it('$more_than / $less_than on a date mean days ago; the _equal forms include the boundary', () => {
    expect(matches(on('created_at', { $more_than: [7] }), created(sevenAgo - 1), NOW)).toBe(true);
    expect(matches(on('created_at', { $more_than: [7] }), created(sevenAgo + 1), NOW)).toBe(false);
    expect(matches(on('created_at', { $less_than: [7] }), created(sevenAgo + 1), NOW)).toBe(true);
    expect(matches(on('created_at', { $more_than_equal: [7] }), created(sevenAgo), NOW)).toBe(true);
    expect(matches(on('created_at', { $more_than_equal: [7] }), created(sevenAgo + 1), NOW)).toBe(false);
    expect(matches(on('created_at', { $less_than_equal: [7] }), created(sevenAgo), NOW)).toBe(true);
    expect(matches(on('created_at', { $less_than_equal: [7] }), created(sevenAgo - 1), NOW)).toBe(false);
  });

  it('$is_days_ago and $is_days_in_future compare UTC days', () => {
    expect(matches(on('created_at', { $is_days_ago: [3] }), withCreated('2024-05-12T00:00:00.000Z'), NOW)).toBe(true);
    expect(matches(on('created_at', { $is_days_ago: [3] }), withCreated('2024-05-12T23:59:59.999Z'), NOW)).toBe(true);
    expect(matches(on('created_at', { $is_days_ago: [3] }), withCreated('2024-05-13T00:00:00.000Z'), NOW)).toBe(false);
    const due = (iso: string) => withMeta({ due: iso });
    expect(matches(on('metadata.due', { $is_days_in_future: [2] }), due('2024-05-17T23:00:00Z'), NOW)).toBe(true);
    expect(matches(on('metadata.due', { $is_days_in_future: [2] }), due('2024-05-18T00:00:00Z'), NOW)).toBe(false);
  });

  it('$less_than_future and $more_than_future', () => {
    const due = (ms: number) => withMeta({ due: new Date(ms).toISOString() });
    const inSeven = NOW.getTime() + 7 * day;
    expect(matches(on('metadata.due', { $less_than_future: [7] }), due(inSeven - 1), NOW)).toBe(true);
    expect(matches(on('metadata.due', { $less_than_future: [7] }), due(inSeven), NOW)).toBe(false);
    expect(matches(on('metadata.due', { $less_than_future: [7] }), due(NOW.getTime() - 1), NOW)).toBe(false);
    expect(matches(on('metadata.due', { $more_than_future: [7] }), due(inSeven + 1), NOW)).toBe(true);
    expect(matches(on('metadata.due', { $more_than_future: [7] }), due(inSeven), NOW)).toBe(false);
  });

  it('$is_years_ago compares calendar years', () => {
    expect(matches(on('birthdate', { $is_years_ago: [30] }), withBirthdate('1994-12-31'), NOW)).toBe(true);
    expect(matches(on('birthdate', { $is_years_ago: [30] }), withBirthdate('1995-01-01'), NOW)).toBe(false);
  });
});

describe('calendar periods (UTC, Monday-start weeks)', () => {
  const test = (op: string, iso: string, now: Date, n?: number) =>
    matches(on('created_at', { [op]: n === undefined ? '' : [n] }), withCreated(iso), now);

  it('$today, $yesterday, $tomorrow around UTC midnight', () => {
    expect(test('$today', '2024-05-15T00:00:00.000Z', NOW)).toBe(true);
    expect(test('$today', '2024-05-14T23:59:59.999Z', NOW)).toBe(false);
    expect(test('$yesterday', '2024-05-14T23:59:59.999Z', NOW)).toBe(true);
    expect(test('$yesterday', '2024-05-13T23:59:59.999Z', NOW)).toBe(false);
    expect(test('$tomorrow', '2024-05-16T00:00:00.000Z', NOW)).toBe(true);
    expect(test('$tomorrow', '2024-05-15T23:59:59.999Z', NOW)).toBe(false);
  });

  it('$this_week runs Monday to Sunday, seen from a Sunday and from a Monday', () => {
    const sunday = at('2024-05-19T22:00:00.000Z');
    expect(test('$this_week', '2024-05-13T00:00:00.000Z', sunday)).toBe(true);
    expect(test('$this_week', '2024-05-12T23:59:59.999Z', sunday)).toBe(false);
    expect(test('$last_week', '2024-05-12T23:59:59.999Z', sunday)).toBe(true);
    expect(test('$last_week', '2024-05-05T12:00:00.000Z', sunday)).toBe(false);
    expect(test('$this_week', '2024-05-20T00:00:00.000Z', sunday)).toBe(false);
    expect(test('$next_week', '2024-05-20T00:00:00.000Z', sunday)).toBe(true);
    const monday = at('2024-05-13T00:00:00.000Z');
    expect(test('$this_week', '2024-05-19T23:59:59.999Z', monday)).toBe(true);
    expect(test('$this_week', '2024-05-12T12:00:00.000Z', monday)).toBe(false);
    expect(test('$next_week', '2024-05-26T23:00:00.000Z', monday)).toBe(true);
  });

  it('months and years, across the year boundary', () => {
    const january = at('2024-01-10T00:00:00.000Z');
    expect(test('$last_month', '2023-12-31T23:59:59.999Z', january)).toBe(true);
    expect(test('$last_month', '2024-01-01T00:00:00.000Z', january)).toBe(false);
    expect(test('$last_month', '2022-12-15T00:00:00.000Z', january)).toBe(false);
    expect(test('$this_month', '2024-01-31T23:00:00.000Z', january)).toBe(true);
    expect(test('$this_month', '2023-01-10T00:00:00.000Z', january)).toBe(false);
    const december = at('2023-12-20T00:00:00.000Z');
    expect(test('$next_month', '2024-01-05T00:00:00.000Z', december)).toBe(true);
    expect(test('$next_month', '2023-11-05T00:00:00.000Z', december)).toBe(false);
    expect(test('$this_year', '2024-12-31T00:00:00.000Z', january)).toBe(true);
    expect(test('$last_year', '2023-06-01T00:00:00.000Z', january)).toBe(true);
    expect(test('$last_year', '2024-06-01T00:00:00.000Z', january)).toBe(false);
    expect(test('$next_year', '2025-01-01T00:00:00.000Z', january)).toBe(true);
    expect(test('$next_year', '2026-01-01T00:00:00.000Z', january)).toBe(false);
  });

  it('$is_day (1 = Monday, 7 = Sunday), $is_day_of_month, $is_month (1 = January), $is_year', () => {
    expect(test('$is_day', '2024-05-13T10:00:00.000Z', NOW, 1)).toBe(true);
    expect(test('$is_day', '2024-05-19T10:00:00.000Z', NOW, 7)).toBe(true);
    // Sunday is 7, not 0 (a 0 is refused when the filter is saved).
    expect(test('$is_day', '2024-05-19T10:00:00.000Z', NOW, 6)).toBe(false);
    expect(() => test('$is_day', '2024-05-19T10:00:00.000Z', NOW, 0)).toThrow('from 1 (Monday) to 7 (Sunday)');
    expect(test('$is_day_of_month', '2024-05-19T10:00:00.000Z', NOW, 19)).toBe(true);
    expect(test('$is_day_of_month', '2024-05-19T10:00:00.000Z', NOW, 18)).toBe(false);
    expect(test('$is_month', '2024-05-19T10:00:00.000Z', NOW, 5)).toBe(true);
    expect(test('$is_month', '2024-05-19T10:00:00.000Z', NOW, 4)).toBe(false);
    expect(test('$is_year', '2023-05-19T10:00:00.000Z', NOW, 2023)).toBe(true);
    expect(test('$is_year', '2023-05-19T10:00:00.000Z', NOW, 2024)).toBe(false);
  });
});

describe('anniversaries (_md) on birthdate', () => {
  const md = (op: string, birthdate: string | null, now: Date) => matches(on('birthdate', { [op]: '' }), withBirthdate(birthdate), now);

  it('$today_md, $yesterday_md, $tomorrow_md ignore the year; no birthdate matches none', () => {
    expect(md('$today_md', '1990-05-15', NOW)).toBe(true);
    expect(md('$today_md', '1990-05-16', NOW)).toBe(false);
    expect(md('$today_md', null, NOW)).toBe(false);
    expect(md('$yesterday_md', '1985-05-14', NOW)).toBe(true);
    expect(md('$yesterday_md', '1985-05-15', NOW)).toBe(false);
    expect(md('$tomorrow_md', '2000-01-01', at('2023-12-31T18:00:00.000Z'))).toBe(true);
    expect(md('$tomorrow_md', '2000-12-31', at('2023-12-31T18:00:00.000Z'))).toBe(false);
    expect(matches(on('birthday', { $today_md: '' }), withBirthdate('1990-05-15'), NOW)).toBe(true);
  });

  it('a 29 February birthday has no anniversary in a common year (not moved to 28 Feb or 1 Mar)', () => {
    expect(md('$today_md', '2000-02-29', at('2024-02-29T08:00:00.000Z'))).toBe(true);
    expect(md('$today_md', '2000-02-29', at('2023-02-28T08:00:00.000Z'))).toBe(false);
    expect(md('$today_md', '2000-02-29', at('2023-03-01T08:00:00.000Z'))).toBe(false);
  });

  it('$this_week_md spans Monday to Sunday, across a month boundary', () => {
    const wednesday = at('2024-05-29T12:00:00.000Z'); // week of Mon 27 May .. Sun 2 June
    expect(md('$this_week_md', '1990-06-02', wednesday)).toBe(true);
    expect(md('$this_week_md', '1990-05-27', wednesday)).toBe(true);
    expect(md('$this_week_md', '1990-05-26', wednesday)).toBe(false);
    expect(md('$this_week_md', '1990-06-03', wednesday)).toBe(false);
  });

  it('$this_month_md, $next_month_md, $last_month_md wrap around the year', () => {
    expect(md('$this_month_md', '1990-05-01', NOW)).toBe(true);
    expect(md('$this_month_md', '1990-06-01', NOW)).toBe(false);
    expect(md('$next_month_md', '1990-01-20', at('2023-12-05T00:00:00.000Z'))).toBe(true);
    expect(md('$next_month_md', '1990-12-20', at('2023-12-05T00:00:00.000Z'))).toBe(false);
    expect(md('$last_month_md', '1990-12-20', at('2024-01-05T00:00:00.000Z'))).toBe(true);
    expect(md('$last_month_md', '1990-02-20', at('2024-01-05T00:00:00.000Z'))).toBe(false);
  });
});

describe('metadata', () => {
  it('reads nested keys; a path through a non-object has no value', () => {
    const f = withMeta({ a: { b: 'gold' }, flat: 'x' });
    expect(matches(on('metadata.a.b', { $is: 'gold' }), f)).toBe(true);
    expect(matches(on('metadata.a.b', { $is: 'silver' }), f)).toBe(false);
    expect(matches(on('metadata.flat.b', { $is_unknown: '' }), f)).toBe(true);
    expect(matches(on('metadata.a.c', { $is_unknown: '' }), f)).toBe(true);
    expect(matches(on('metadata.a.b', { $is_unknown: '' }), f)).toBe(false);
  });

  it('array size: $count, $count_less, $count_more; a non-array matches none', () => {
    const f = withMeta({ tags: ['a', 'b'], one: 'a' });
    expect(matches(on('metadata.tags', { $count: [2] }), f)).toBe(true);
    expect(matches(on('metadata.tags', { $count: ['3'] }), f)).toBe(false);
    expect(matches(on('metadata.tags', { $count_less: [3] }), f)).toBe(true);
    expect(matches(on('metadata.tags', { $count_less: [2] }), f)).toBe(false);
    expect(matches(on('metadata.tags', { $count_more: [1] }), f)).toBe(true);
    expect(matches(on('metadata.tags', { $count_more: [2] }), f)).toBe(false);
    expect(matches(on('metadata.one', { $count: [1] }), f)).toBe(false);
    expect(matches(on('metadata.none', { $count_less: [1] }), f)).toBe(false);
  });

  it('$in on an array value matches when any element is among the operands', () => {
    const f = withMeta({ tags: ['a', 'b'] });
    expect(matches(on('metadata.tags', { $in: ['b', 'z'] }), f)).toBe(true);
    expect(matches(on('metadata.tags', { $in: ['z'] }), f)).toBe(false);
    expect(matches(on('metadata.tags', { $not_in: ['a'] }), f)).toBe(false);
  });

  it('numbers sent as strings compare with metadata numbers, and numbers with numeric strings', () => {
    expect(matches(on('metadata.age', { $is: ['5'] }), withMeta({ age: 5 }))).toBe(true);
    expect(matches(on('metadata.age', { $is: '5' }), withMeta({ age: 5 }))).toBe(true);
    expect(matches(on('metadata.age', { $is: ['6'] }), withMeta({ age: 5 }))).toBe(false);
    expect(matches(on('metadata.age', { $is: [5] }), withMeta({ age: '5' }))).toBe(true);
    expect(matches(on('metadata.age', { $is: [5] }), withMeta({ age: 'five' }))).toBe(false);
    expect(matches(on('metadata.age', { $more_than: ['4'] }), withMeta({ age: 5 }))).toBe(true);
    expect(matches(on('metadata.age', { $more_than: ['5'] }), withMeta({ age: 5 }))).toBe(false);
    expect(matches(on('metadata.age', { $less_than_equal: [5] }), withMeta({ age: '5' }))).toBe(true);
    expect(matches(on('metadata.age', { $more_than: [1] }), withMeta({ age: 'old' }))).toBe(false);
  });

  it('booleans match [true] and ["true"] alike', () => {
    expect(matches(on('metadata.vip', { $is: [true] }), withMeta({ vip: true }))).toBe(true);
    expect(matches(on('metadata.vip', { $is: ['true'] }), withMeta({ vip: true }))).toBe(true);
    expect(matches(on('metadata.vip', { $is: true }), withMeta({ vip: true }))).toBe(true);
    expect(matches(on('metadata.vip', { $is: [false] }), withMeta({ vip: true }))).toBe(false);
    expect(matches(on('metadata.vip', { $is: [true] }), withMeta({ vip: false }))).toBe(false);
    expect(matches(on('metadata.vip', { $is: ['false'] }), withMeta({ vip: false }))).toBe(true);
    expect(matches(on('metadata.vip', { $is_not: [true] }), withMeta({}))).toBe(true);
    expect(matches(on('metadata.vip', { $is: [true] }), withMeta({}))).toBe(false);
  });
});

describe('address', () => {
  const f = facts({ customer: { address: { city: 'Warsaw', country: 'Poland', postal_code: '00-001', line_1: 'Main St 1' } } });
  it('reads address.<field> and the city, country, postal_code shortcuts', () => {
    expect(matches(on('city', { $is: 'Warsaw' }), f)).toBe(true);
    expect(matches(on('address.city', { $is: ['Warsaw'] }), f)).toBe(true);
    expect(matches(on('city', { $is: 'Krakow' }), f)).toBe(false);
    expect(matches(on('address.country', { $in: ['Poland', 'Spain'] }), f)).toBe(true);
    expect(matches(on('country', { $not_in: ['Poland'] }), f)).toBe(false);
    expect(matches(on('postal_code', { $starts_with: '00-' }), f)).toBe(true);
    expect(matches(on('address.line_1', { $contains: 'main' }), f)).toBe(true);
    expect(matches(on('address.state', { $is_unknown: '' }), f)).toBe(true);
  });

  it('a customer without an address has no city', () => {
    expect(matches(on('city', { $is: 'Warsaw' }), facts())).toBe(false);
    expect(matches(on('city', { $is_not: 'Warsaw' }), facts())).toBe(true);
    expect(matches(on('city', { $is_unknown: '' }), facts())).toBe(true);
  });
});

describe('junction', () => {
  const f = facts({ customer: { email: 'ann@example.com', address: { city: 'Warsaw' } } });
  const both = (junction: string, city: string) => ({ junction, email: { conditions: { $has_value: '' } }, city: { conditions: { $is: city } } });
  it('and needs every criterion, or any', () => {
    expect(matches(both('and', 'Warsaw'), f)).toBe(true);
    expect(matches(both('and', 'Krakow'), f)).toBe(false);
    expect(matches(both('or', 'Krakow'), f)).toBe(true);
    expect(matches({ ...both('or', 'Krakow'), email: { conditions: { $is_unknown: '' } } }, f)).toBe(false);
  });

  it('all conditions of one criterion must hold', () => {
    const range = (lo: number, hi: number) => on('orders.total_amount', { $more_than_equal: [lo], $less_than: [hi] });
    const f2 = facts({ orders: { total_amount: 500 } });
    expect(matches(range(100, 1000), f2)).toBe(true);
    expect(matches(range(100, 500), f2)).toBe(false);
    expect(matches(range(600, 1000), f2)).toBe(false);
  });
});

describe('custom events', () => {
  const t0 = at('2024-03-01T12:00:00.000Z');
  const dayN = (n: number) => new Date(t0.getTime() + n * day);

  it('count without a window counts every occurrence; no event counts 0', () => {
    const f = facts({ events: { review: [dayN(-400), dayN(-200)] } }, t0);
    expect(matches(on('events.review.count', { $more_than: ['0'] }), f, t0)).toBe(true);
    expect(matches(on('events.review.count', { $is: [2] }), f, t0)).toBe(true);
    expect(matches(on('events.review.count', { $more_than: ['2'] }), f, t0)).toBe(false);
    expect(matches(on('events.review.count', { $more_than: ['0'] }), facts(), t0)).toBe(false);
    expect(matches(on('events.review.count', { $is: ['0'] }), facts(), t0)).toBe(true);
  });

  it('count with a window counts only the last N days, ignoring events after now', () => {
    const f = facts({ events: { review: [dayN(-8), dayN(-3), dayN(1)] } }, t0);
    const inLast = (n: number, min: number) => on('events.review.count', { $more_than_equal: [min] }, { timeframe: { last_days: n } });
    expect(matches(inLast(7, 1), f, t0)).toBe(true);
    expect(matches(inLast(7, 2), f, t0)).toBe(false);
    expect(matches(inLast(8, 2), f, t0)).toBe(false);
    expect(matches(inLast(9, 2), f, t0)).toBe(true);
    expect(matches(inLast(9, 3), f, t0)).toBe(false);
  });

  it('2 reviews in the last 30 days: matches from the 2nd review until the 1st ages out, and says when', () => {
    const raw = { junction: 'and', 'events.review.count': { conditions: { $more_than_equal: [2] }, timeframe: { last_days: 30 } } };
    const filter = parseFilter(raw);
    // What is known at each moment: both reviews, or only the first.
    const both = (now: Date) => facts({ events: { review: [dayN(0), dayN(10)] } }, now);
    const only1st = (now: Date) => facts({ events: { review: [dayN(0)] } }, now);
    const at = (now: Date) => matches(raw, both(now), now);
    expect(matches(raw, only1st(dayN(9)), dayN(9))).toBe(false);
    expect(at(dayN(10))).toBe(true);
    expect(at(dayN(20))).toBe(true);
    expect(at(dayN(29))).toBe(true);
    expect(at(new Date(dayN(30).getTime() - 1))).toBe(true);
    expect(at(dayN(30))).toBe(false);
    expect(at(dayN(35))).toBe(false);
    const next = (now: Date) => nextCheckAt(filter, both(now), now);
    expect(next(dayN(10))).toEqual(dayN(30));
    expect(next(dayN(29))).toEqual(dayN(30));
    expect(next(dayN(30))).toEqual(dayN(40));
    expect(next(dayN(40))).toBeUndefined();
  });

  it('last_occurred takes date operators; never tracked matches none but $is_unknown', () => {
    const f = facts({ events: { purchase: [dayN(-20), dayN(-2)] } }, t0);
    expect(matches(on('events.purchase.last_occurred', { $less_than_ago: [3] }), f, t0)).toBe(true);
    expect(matches(on('events.purchase.last_occurred', { $less_than_ago: [2] }), f, t0)).toBe(false);
    expect(matches(on('events.purchase.last_occurred', { $after: [dayN(-3).toISOString()] }), f, t0)).toBe(true);
    expect(matches(on('events.purchase.last_occurred', { $before: [dayN(-3).toISOString()] }), f, t0)).toBe(false);
    expect(matches(on('events.purchase.last_occurred', { $more_than_ago: [1] }), facts(), t0)).toBe(false);
    expect(matches(on('events.purchase.last_occurred', { $is_unknown: '' }), facts(), t0)).toBe(true);
    expect(matches(on('events.purchase.last_occurred', { $is_unknown: '' }), f, t0)).toBe(false);
  });
});

describe('nextCheckAt', () => {
  const created = at('2024-05-10T09:30:00.000Z');
  const f = facts({ customer: { created_at: created, birthdate: '1990-05-15' } });

  it('$less_than_ago on created_at: exactly when the customer stops matching', () => {
    const raw = on('created_at', { $less_than_ago: [7] });
    const stop = new Date(created.getTime() + 7 * day);
    expect(nextCheckAt(parseFilter(raw), f, NOW)).toEqual(stop);
    expect(matches(raw, f, new Date(stop.getTime() - 1))).toBe(true);
    expect(matches(raw, f, stop)).toBe(false);
    expect(nextCheckAt(parseFilter(raw), f, stop)).toEqual(new Date(stop.getTime() + 1));
    expect(nextCheckAt(parseFilter(raw), f, new Date(stop.getTime() + 1))).toBeUndefined();
  });

  it('$more_than_ago: the first instant it holds comes among the checks', () => {
    const raw = on('created_at', { $more_than_ago: [7] });
    const bound = created.getTime() + 7 * day;
    expect(nextCheckAt(parseFilter(raw), f, NOW)).toEqual(new Date(bound));
    expect(nextCheckAt(parseFilter(raw), f, new Date(bound))).toEqual(new Date(bound + 1));
    expect(matches(raw, f, new Date(bound))).toBe(false);
    expect(matches(raw, f, new Date(bound + 1))).toBe(true);
  });

  it('$less_than_future: checks again once the date has passed, so the customer leaves', () => {
    const due = at('2024-05-20T00:00:00.000Z');
    const raw = on('metadata.due', { $less_than_future: [7] });
    const g = withMeta({ due: due.toISOString() });
    expect(nextCheckAt(parseFilter(raw), g, NOW)).toEqual(new Date(due.getTime() + 1));
    expect(matches(raw, g, due)).toBe(true);
    expect(nextCheckAt(parseFilter(raw), g, due)).toEqual(new Date(due.getTime() + 1));
    expect(matches(raw, g, new Date(due.getTime() + 1))).toBe(false);
    const early = new Date(due.getTime() - 10 * day);
    expect(matches(raw, g, early)).toBe(false);
    expect(nextCheckAt(parseFilter(raw), g, early)).toEqual(new Date(due.getTime() - 7 * day));
  });

  it('calendar and anniversary operators: the next UTC midnight, strictly after now', () => {
    expect(nextCheckAt(parseFilter(on('birthdate', { $today_md: '' })), f, NOW)).toEqual(at('2024-05-16T00:00:00.000Z'));
    expect(nextCheckAt(parseFilter(on('created_at', { $this_week: '' })), f, at('2024-05-16T00:00:00.000Z'))).toEqual(at('2024-05-17T00:00:00.000Z'));
    expect(nextCheckAt(parseFilter(on('created_at', { $is_days_ago: [5] })), f, NOW)).toEqual(at('2024-05-16T00:00:00.000Z'));
  });

  it('undefined for purely absolute filters', () => {
    const raw = {
      junction: 'or',
      email: { conditions: { $is: 'a@b.c' } },
      created_at: { conditions: { $after: ['2024-01-01'], $before: ['2025-01-01'] } },
      birthdate: { conditions: { $is_month: [5] } },
      'orders.total_amount': { conditions: { $more_than: [100] } },
      'events.review.count': { conditions: { $more_than: ['0'] } },
      'metadata.age': { conditions: { $more_than: [18] } },
    };
    expect(nextCheckAt(parseFilter(raw), facts({ customer: { metadata: { age: 30 }, birthdate: '1990-05-15' }, events: { review: [NOW] } }), NOW)).toBeUndefined();
  });

  it('undefined when the date it reads is missing', () => {
    expect(nextCheckAt(parseFilter(on('birthdate', { $today_md: '' })), facts(), NOW)).toBeUndefined();
    expect(nextCheckAt(parseFilter(on('events.review.last_occurred', { $less_than_ago: [30] })), facts(), NOW)).toBeUndefined();
  });

  it('takes the earliest over all criteria', () => {
    const raw = (n: number) => ({ junction: 'or', birthdate: { conditions: { $today_md: '' } }, created_at: { conditions: { $less_than_ago: [n] } } });
    const morning = at('2024-05-15T08:00:00.000Z');
    expect(nextCheckAt(parseFilter(raw(5)), f, morning)).toEqual(at('2024-05-15T09:30:00.000Z'));
    expect(nextCheckAt(parseFilter(raw(6)), f, morning)).toEqual(at('2024-05-16T00:00:00.000Z'));
  });
});
