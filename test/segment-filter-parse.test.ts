/** Segment filter parsing (DIGEST d.2, j.4-j.6): what is refused and why, what is accepted and how it reads. */
import { describe, expect, it } from 'vitest';
import { dependenciesOf, FilterError, parseFilter, windowsOf } from '../src/modules/segments/filter/index.js';
import { on } from './helpers/segment-facts.js';

/** The message of the FilterError the filter is refused with; fails when it is accepted or fails otherwise. */
function refusal(raw: unknown): string {
  let caught: unknown;
  try {
    parseFilter(raw);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'the filter was accepted').toBeInstanceOf(FilterError);
  return (caught as FilterError).message;
}

describe('junction', () => {
  it.each(['xor', 'AND', '', null, 1, ['and']])('refuses junction %j with Voucherify message', (junction) => {
    expect(refusal({ junction, email: { conditions: { $has_value: '' } } })).toBe(
      'Property .filter has wrong `junction` property. It must be one of: and, or',
    );
  });

  it('accepts and, or, and defaults to and when absent', () => {
    const cond = { email: { conditions: { $has_value: '' } } };
    expect(parseFilter({ junction: 'and', ...cond }).junction).toBe('and');
    expect(parseFilter({ junction: 'or', ...cond }).junction).toBe('or');
    expect(parseFilter(cond).junction).toBe('and');
  });
});

describe('the filter as a whole', () => {
  it.each([null, [], 'email', 3])('refuses %j as not an object', (raw) => {
    expect(refusal(raw)).toBe('Property .filter must be an object');
  });

  it('refuses an empty filter, with or without a junction', () => {
    expect(refusal({})).toBe('Property .filter must hold at least one condition');
    expect(refusal({ junction: 'or' })).toBe('Property .filter must hold at least one condition');
  });

  it('takes up to 50 criteria', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`metadata.k${i}`, { conditions: { $has_value: '' } }]));
    expect(parseFilter(many(50)).criteria).toHaveLength(50);
    expect(refusal(many(51))).toBe('Property .filter may hold at most 50 conditions');
  });

  it('refuses an entry that is not an object with conditions', () => {
    expect(refusal({ email: 'a@b.c' })).toBe('Property .filter.email must be an object with conditions');
    expect(refusal({ email: [{ conditions: {} }] })).toBe('Property .filter.email must be an object with conditions');
    expect(refusal({ email: {} })).toMatch(/^Property \.filter\.email\.conditions must be an object with at least one operator/);
    expect(refusal({ email: { conditions: {} } })).toMatch(/^Property \.filter\.email\.conditions must be an object/);
    expect(refusal({ email: { conditions: ['$is'] } })).toMatch(/^Property \.filter\.email\.conditions must be an object/);
  });

  it('refuses unknown keys beside conditions, naming them', () => {
    expect(refusal({ email: { conditions: { $has_value: '' }, junction: 'or', note: 1 } })).toBe('Property .filter.email has unknown keys: junction, note');
    expect(refusal({ email: { condition: { $has_value: '' } } })).toBe('Property .filter.email has unknown keys: condition');
  });
});

describe('field paths', () => {
  it.each(['foo', 'emails', 'address', 'address.street', 'address.city.name', 'metadata', 'metadata.', 'metadata.a..b', 'orders', 'orders.total', 'summary.orders', 'events.review', 'events.review.sum', 'events..count', 'events.review.count.x', 'loyalty_points.campaigns.Gold.points'])(
    'refuses unknown field %s, naming it',
    (path) => {
      expect(refusal(on(path, { $has_value: '' }))).toMatch(new RegExp(`^Property \\.filter has an unknown field '${path.replace(/\./g, '\\.')}'`));
    },
  );

  it('reads each supported path as its field', () => {
    const field = (path: string, conditions: Record<string, unknown> = { $has_value: '' }, extra = {}) => parseFilter(on(path, conditions, extra)).criteria[0]!.field;
    expect(field('email')).toEqual({ kind: 'profile', name: 'email', type: 'string' });
    expect(field('source_id')).toEqual({ kind: 'profile', name: 'source_id', type: 'string' });
    expect(field('created_at')).toEqual({ kind: 'profile', name: 'created_at', type: 'date' });
    expect(field('birthdate')).toEqual({ kind: 'profile', name: 'birthdate', type: 'date' });
    expect(field('birthday')).toEqual({ kind: 'profile', name: 'birthdate', type: 'date' });
    expect(field('city')).toEqual({ kind: 'address', name: 'city', type: 'string' });
    expect(field('country')).toEqual({ kind: 'address', name: 'country', type: 'string' });
    expect(field('address.line_1')).toEqual({ kind: 'address', name: 'line_1', type: 'string' });
    expect(field('metadata.a.b')).toEqual({ kind: 'metadata', path: ['a', 'b'], type: 'any' });
    expect(field('orders.total_amount')).toEqual({ kind: 'orders', name: 'total_amount', type: 'number' });
    expect(field('summary.orders.total_count')).toEqual({ kind: 'orders', name: 'total_count', type: 'number' });
    expect(field('orders.last_order_date')).toEqual({ kind: 'orders', name: 'last_order_date', type: 'date' });
    expect(field('events.review.count')).toEqual({ kind: 'event_count', event: 'review', type: 'number' });
    expect(field('events.review.count', { $has_value: '' }, { timeframe: { last_days: 30 } })).toEqual({ kind: 'event_count', event: 'review', type: 'number', windowDays: 30 });
    expect(field('events.review.last_occurred')).toEqual({ kind: 'event_last', event: 'review', type: 'date' });
  });
});

describe('operators and the field type', () => {
  it.each([
    ['email', '$more_than', [1], 'string'],
    ['email', '$after', ['2024-01-01'], 'string'],
    ['city', '$today', '', 'string'],
    ['orders.total_count', '$contains', ['1'], 'number'],
    ['events.review.count', '$after', ['2024-01-01'], 'number'],
    ['created_at', '$contains', ['2024'], 'date'],
    ['created_at', '$count', [1], 'date'],
    ['birthdate', '$last_week_md', '', 'date'],
    ['metadata.x', '$in_location', ['loc_1'], 'metadata'],
    ['metadata.x', '$timeframe', ['x'], 'metadata'],
    ['email', '$equals', ['a'], 'string'],
  ])('refuses %s with %s, which does not apply to a %s field', (path, op, value, type) => {
    expect(refusal(on(path, { [op]: value }))).toMatch(
      new RegExp(`^Property \\.filter\\.${path.replace(/\./g, '\\.')}\\.conditions has operator \\${op}, which does not apply to a ${type} field; allowed: `),
    );
  });

  it('accepts the date operators on a date field and all families on metadata', () => {
    expect(() => parseFilter(on('created_at', { $after: ['2024-01-01'], $less_than_ago: [7], $this_week: '', $is_month: [5] }))).not.toThrow();
    expect(() => parseFilter(on('metadata.x', { $contains: 'a', $more_than: [1], $today: '', $count: [2] }))).not.toThrow();
  });

  it.each([
    ['$more_than_or_equal', '$more_than_equal'],
    ['$less_than_or_equal', '$less_than_equal'],
    ['$greater_than_or_equal', '$more_than_equal'],
    ['$greater_than', '$more_than'],
  ])('reads the alias %s as %s', (alias, op) => {
    expect(parseFilter(on('orders.total_count', { [alias]: ['2'] })).criteria[0]!.conditions).toEqual([{ op, values: ['2'] }]);
  });
});

describe('operands', () => {
  it('turns a scalar into a one-element list and keeps lists as sent', () => {
    expect(parseFilter(on('country', { $is: 'Poland' })).criteria[0]!.conditions).toEqual([{ op: '$is', values: ['Poland'] }]);
    expect(parseFilter(on('country', { $in: ['Poland', 'Spain'] })).criteria[0]!.conditions).toEqual([{ op: '$in', values: ['Poland', 'Spain'] }]);
    expect(parseFilter(on('email', { $has_value: '' })).criteria[0]!.conditions).toEqual([{ op: '$has_value', values: [] }]);
    expect(parseFilter(on('email', { $is_unknown: [] })).criteria[0]!.conditions).toEqual([{ op: '$is_unknown', values: [] }]);
  });

  it.each([
    ['email', '$is', []],
    ['email', '$is', ['a', 'b']],
    ['email', '$is', null],
    ['email', '$is', ''],
    ['orders.total_count', '$more_than', [1, 2]],
    ['created_at', '$is_days_ago', []],
  ])('refuses %s %s %j: it takes one value', (path, op, value) => {
    expect(refusal(on(path, { [op]: value }))).toBe(`Property .filter.${path}.conditions.${op} takes one value`);
  });

  it('refuses $in and $not_in without values', () => {
    expect(refusal(on('country', { $in: [] }))).toBe('Property .filter.country.conditions.$in takes at least one value');
    expect(refusal(on('country', { $not_in: null }))).toBe('Property .filter.country.conditions.$not_in takes at least one value');
  });

  it('refuses objects as operands', () => {
    expect(refusal(on('metadata.x', { $in: [{ a: 1 }] }))).toBe('Property .filter.metadata.x.conditions.$in must hold scalars');
  });

  it.each([
    ['orders.total_amount', '$more_than', ['abc']],
    ['orders.total_amount', '$is', ['ten']],
    ['orders.total_count', '$in', ['1', 'x']],
    ['events.review.count', '$more_than_equal', ['two']],
    ['events.review.count', '$less_than', [' ']],
    ['created_at', '$more_than_ago', ['seven']],
    ['created_at', '$more_than', ['abc']],
    ['created_at', '$less_than_or_equal', ['a week']],
    ['metadata.age', '$less_than', ['old']],
    ['birthdate', '$is_month', ['May']],
    ['birthdate', '$is_day', [true]],
    ['metadata.tags', '$count', ['two']],
  ])('refuses %s %s %j: it must be a number', (path, op, value) => {
    expect(refusal(on(path, { [op]: value }))).toBe(`Property .filter.${path}.conditions.${op} must be a number, got '${String(value.at(-1))}'`);
  });

  it('accepts numbers as strings or numbers where numbers are compared', () => {
    expect(() => parseFilter(on('orders.total_amount', { $more_than: ['10.5'], $less_than: 100 }))).not.toThrow();
    expect(() => parseFilter(on('events.review.count', { $more_than: ['0'] }))).not.toThrow();
    expect(() => parseFilter(on('created_at', { $less_than_ago: '7' }))).not.toThrow();
  });

  it.each([
    ['created_at', '$after', ['yesterday']],
    ['created_at', '$before', ['2024-13-45']],
    ['events.review.last_occurred', '$after', ['soon']],
    ['metadata.renewal', '$after', ['nope']],
    ['created_at', '$is', ['not a date']],
    // Days that do not exist, which Date.parse would roll over into the next month.
    ['created_at', '$after', ['2026-02-30']],
    ['birthdate', '$before', ['2025-02-29T10:00:00Z']],
    ['metadata.renewal', '$after', ['2026-04-31']],
    ['orders.last_order_date', '$is', ['2026/06/31']],
  ])('refuses %s %s %j: it must be a date', (path, op, value) => {
    expect(refusal(on(path, { [op]: value }))).toBe(`Property .filter.${path}.conditions.${op} must be a date, got '${value[0]}'`);
  });

  it('accepts ISO dates and timestamps for $after and $before', () => {
    expect(() => parseFilter(on('created_at', { $after: ['2021-12-01T00:00:00.000Z'], $before: '2022-01-01' }))).not.toThrow();
    expect(() => parseFilter(on('created_at', { $after: ['2024-02-29'], $before: '2026-12-31T23:59:59Z' }))).not.toThrow();
  });

  it.each([
    ['name', '$is', [null]],
    ['metadata.tier', '$in', ['gold', null]],
    ['email', '$contains', [null]],
    ['created_at', '$after', [null]],
  ])('refuses %s %s %j: null is no value to compare with ($is_unknown matches a missing one)', (path, op, value) => {
    expect(refusal(on(path, { [op]: value }))).toBe(`Property .filter.${path}.conditions.${op} must not hold null: a customer without a value matches $is_unknown`);
  });
});

describe('timeframe (our extension on events.<name>.count)', () => {
  const count = (timeframe: unknown) => ({ 'events.review.count': { conditions: { $more_than_equal: [2] }, timeframe } });

  it.each([{ last_days: 0 }, { last_days: -1 }, { last_days: 1.5 }, { last_days: 'abc' }, { last_days: '' }, { last_days: 3651 }, { days: 30 }, {}, null, 30, 'last_30_days'])(
    'refuses timeframe %j',
    (timeframe) => {
      expect(refusal(count(timeframe))).toBe('Property .filter.events.review.count.timeframe must be {"last_days": N} with N a whole number from 1 to 3650');
    },
  );

  it('accepts 1 to 3650 days, as a number or a numeric string', () => {
    const windowOf = (timeframe: unknown) => (parseFilter(count(timeframe)).criteria[0]!.field as { windowDays?: number }).windowDays;
    expect(windowOf({ last_days: 1 })).toBe(1);
    expect(windowOf({ last_days: 3650 })).toBe(3650);
    expect(windowOf({ last_days: '30' })).toBe(30);
  });

  it.each(['events.review.last_occurred', 'created_at', 'orders.total_count', 'metadata.x'])('refuses a timeframe on %s', (path) => {
    expect(refusal({ [path]: { conditions: { $has_value: '' }, timeframe: { last_days: 30 } } })).toBe(`Property .filter.${path}.timeframe applies only to events.<name>.count`);
  });
});

describe('dependencies', () => {
  it('tells what each field reads', () => {
    const none = new Set<string>();
    expect(dependenciesOf(parseFilter(on('email', { $is: 'a@b.c' })))).toEqual({ fields: new Set(['email']), orders: false, events: none, timeBased: false });
    expect(dependenciesOf(parseFilter(on('city', { $is: 'Warsaw' })))).toEqual({ fields: new Set(['address']), orders: false, events: none, timeBased: false });
    expect(dependenciesOf(parseFilter(on('metadata.profile.tier', { $is: 'gold' })))).toEqual({ fields: new Set(['metadata.profile']), orders: false, events: none, timeBased: false });
    expect(dependenciesOf(parseFilter(on('orders.total_amount', { $more_than: [100] })))).toEqual({ fields: none, orders: true, events: none, timeBased: false });
    expect(dependenciesOf(parseFilter(on('events.review.count', { $more_than: ['0'] })))).toEqual({ fields: none, orders: false, events: new Set(['review']), timeBased: false });
    expect(dependenciesOf(parseFilter(on('events.purchase.last_occurred', { $after: ['2024-01-01'] })))).toEqual({ fields: none, orders: false, events: new Set(['purchase']), timeBased: false });
  });

  it('marks windows, relative dates and calendar periods as time-based, and absolute dates not', () => {
    const timeBased = (raw: unknown) => dependenciesOf(parseFilter(raw)).timeBased;
    expect(timeBased(on('events.review.count', { $more_than_equal: [2] }, { timeframe: { last_days: 30 } }))).toBe(true);
    expect(timeBased(on('created_at', { $less_than_ago: [7] }))).toBe(true);
    expect(timeBased(on('created_at', { $more_than: [7] }))).toBe(true);
    expect(timeBased(on('birthdate', { $today_md: '' }))).toBe(true);
    expect(timeBased(on('orders.last_order_date', { $this_month: '' }))).toBe(true);
    expect(timeBased(on('events.review.last_occurred', { $less_than_ago: [30] }))).toBe(true);
    expect(timeBased(on('created_at', { $after: ['2024-01-01'], $before: ['2025-01-01'] }))).toBe(false);
    expect(timeBased(on('birthdate', { $is_month: [5], $has_value: '' }))).toBe(false);
    expect(timeBased(on('metadata.tags', { $count_more: [1] }))).toBe(false);
  });

  it('reports the 2-reviews-in-30-days filter as reading the review event, time-based', () => {
    const f = parseFilter({ junction: 'and', 'events.review.count': { conditions: { $more_than_equal: [2] }, timeframe: { last_days: 30 } } });
    expect(dependenciesOf(f)).toEqual({ fields: new Set(), orders: false, events: new Set(['review']), timeBased: true });
    expect(windowsOf(f)).toEqual(new Map([['review', new Set([30])]]));
  });

  it('unions dependencies over criteria and lists the windows per event', () => {
    const f = parseFilter({
      junction: 'or',
      email: { conditions: { $has_value: '' } },
      'metadata.plan': { conditions: { $is: 'pro' } },
      'events.review.count': { conditions: { $more_than: [0] }, timeframe: { last_days: 7 } },
      'events.order.count': { conditions: { $more_than: [0] }, timeframe: { last_days: 90 } },
      'events.visit.count': { conditions: { $more_than: [5] } },
    });
    expect(dependenciesOf(f)).toEqual({ fields: new Set(['email', 'metadata.plan']), orders: false, events: new Set(['review', 'order', 'visit']), timeBased: true });
    expect(windowsOf(f)).toEqual(new Map([['review', new Set([7])], ['order', new Set([90])]]));
    expect(windowsOf(parseFilter(on('email', { $has_value: '' })))).toEqual(new Map());
  });
});
