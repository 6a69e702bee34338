/**
 * Property tests of the segment filter language with extreme operands and customer values: parsing either accepts
 * a filter or refuses it with a FilterError (never anything else); an accepted filter evaluates to a boolean for any
 * customer at any storable `now`, and its next re-check is either none or a storable time after `now`.
 * FILTER_PROPERTY_RUNS raises the number of cases (default 1,500 per property).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableTime, maxTime, minTime } from '../src/core/time-range.js';
import { evaluate, FilterError, nextCheckAt, parseFilter, type EventFacts, type Facts } from '../src/modules/segments/filter/index.js';
import { dateOps, equalityOps, numberOps, stringOps, arrayOps } from '../src/modules/segments/filter/operators.js';

const runs = Number(process.env.FILTER_PROPERTY_RUNS ?? 1_500);
const day = 86_400_000;

const fields = [
  'name', 'email', 'source_id', 'created_at', 'updated_at', 'birthdate', 'birthday', 'city', 'address.country',
  'metadata.tier', 'metadata.due', 'metadata.a.b.c', 'metadata.n', 'orders.total_amount', 'orders.last_order_date',
  'summary.orders.total_count', 'events.visit.count', 'events.visit.last_occurred', 'events.a b.count', 'nope', 'metadata.',
];
const operators = [...Object.keys({ ...equalityOps, ...stringOps, ...numberOps, ...dateOps, ...arrayOps }), '$greater_than', '$bogus', 'is'];

const extremeNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1, -1, 7, 31, 365_000, 365_001, -365_000, 99_999_999, -1e8, 1e300, -1e300, Number.MAX_SAFE_INTEGER, 8.64e15, 1e21, 0.5),
);
const extremeDateText = fc.oneof(
  fc.constantFrom(
    '0000-01-01', '0001-01-01', '9999-12-31', '9999-12-31T23:59:59.999Z', '10000-01-01', '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z', '-000001-01-01T00:00:00Z', '2024-02-30', '2024-13-01', '1970-01-01T00:00:00Z', 'not a date', '', ' ',
  ),
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -10_000, max: 20_000 }).map((y) => `${String(Math.abs(y)).padStart(4, '0')}-06-15`),
);
const scalar = fc.oneof(extremeNumber, extremeDateText, fc.string(), fc.boolean(), fc.constant(null), extremeNumber.map(String));
const operand = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);
const entry = fc.oneof(
  { weight: 8, arbitrary: fc.record({ conditions: fc.dictionary(fc.constantFrom(...operators), operand, { minKeys: 1, maxKeys: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      conditions: fc.dictionary(fc.constantFrom(...operators), operand, { minKeys: 1, maxKeys: 2 }),
      timeframe: fc.oneof(fc.record({ last_days: fc.oneof(extremeNumber, fc.string()) }), fc.anything({ maxDepth: 2 })),
    }),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);
const rawFilter = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom('and', 'or', undefined, 'xor'), fc.dictionary(fc.constantFrom(...fields), entry, { minKeys: 0, maxKeys: 4 })).map(([junction, criteria]) => (junction === undefined ? criteria : { junction, ...criteria })) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 4 }) },
);

const storableDate = fc.date({ min: new Date(minTime), max: new Date(maxTime), noInvalidDate: true });
const anyDate = fc.oneof(storableDate, fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }));
const metaValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom('b', 'c'), fc.oneof(scalar, fc.dictionary(fc.constantFrom('c'), scalar))));
const eventFacts: fc.Arbitrary<EventFacts> = fc.record({
  count: fc.nat(),
  last: fc.option(anyDate, { nil: null }),
  windows: fc.array(fc.tuple(fc.integer({ min: 1, max: 3650 }), fc.record({ count: fc.nat(), oldest: fc.option(anyDate, { nil: null }) }))).map((w) => new Map(w)),
});
const factsArb: fc.Arbitrary<Facts> = fc.record({
  customer: fc.record({
    id: fc.constant('cust_1'),
    source_id: fc.option(fc.string(), { nil: null }),
    name: fc.option(fc.string(), { nil: null }),
    email: fc.option(fc.string(), { nil: null }),
    phone: fc.constant(null),
    description: fc.constant(null),
    created_at: storableDate,
    updated_at: fc.option(storableDate, { nil: null }),
    birthdate: fc.option(extremeDateText, { nil: null }),
    address: fc.option(fc.record({ city: fc.option(fc.string(), { nil: null }), country: scalar }), { nil: null }),
    metadata: fc.dictionary(fc.constantFrom('tier', 'due', 'a', 'n'), metaValue),
  }),
  orders: fc.record({
    total_amount: extremeNumber,
    total_count: fc.nat(),
    average_amount: extremeNumber,
    last_order_amount: extremeNumber,
    last_order_date: fc.option(anyDate, { nil: null }),
  }),
  events: fc.dictionary(fc.constantFrom('visit', 'a b'), eventFacts).map((d) => new Map(Object.entries(d))),
});

function tryParse(raw: unknown) {
  try {
    return parseFilter(raw);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    return undefined;
  }
}

describe('segment filters with extreme operands', () => {
  it('are accepted or refused with a FilterError naming what is wrong, never anything else', () => {
    fc.assert(
      fc.property(rawFilter, (raw) => {
        try {
          parseFilter(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(FilterError);
          expect((err as Error).message).toMatch(/^Property \.filter/);
        }
      }),
      { numRuns: runs },
    );
  });

  it('once accepted, evaluate to a boolean for any customer and give a storable next re-check after now', () => {
    fc.assert(
      fc.property(rawFilter, factsArb, storableDate, (raw, facts, now) => {
        const filter = tryParse(raw);
        if (!filter) return;
        expect(typeof evaluate(filter, facts, now)).toBe('boolean');
        const next = nextCheckAt(filter, facts, now);
        if (next !== undefined) {
          expect(isStorableTime(next.getTime())).toBe(true);
          expect(next.getTime()).toBeGreaterThan(now.getTime());
        }
      }),
      { numRuns: runs },
    );
  });

  it('accept only relative days whose bound, from any now in years 1001..8998, is a storable time', () => {
    const relative = ['$less_than_ago', '$more_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future', '$more_than', '$less_than'];
    const nowArb = fc.date({ min: new Date('1001-01-01T00:00:00Z'), max: new Date('8998-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(fc.constantFrom(...relative), extremeNumber, nowArb, (op, n, now) => {
        const filter = tryParse({ created_at: { conditions: { [op]: n } } });
        if (!filter) return;
        expect(isStorableTime(now.getTime() + n * day)).toBe(true);
        expect(isStorableTime(now.getTime() - n * day)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  const realDay = (v: string) => {
    const m = /^\s*(\d{1,4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)/.exec(v);
    if (!m) return true;
    const d = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3])));
    d.setUTCFullYear(Number(m[1]));
    return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
  };

  it('refuses every date operand outside 0001-01-01..9999-12-31', () => {
    fc.assert(
      fc.property(fc.constantFrom('$after', '$before', '$is', '$in'), extremeDateText, (op, v) => {
        const filter = tryParse({ birthdate: { conditions: { [op]: [v] } } });
        const t = Date.parse(v);
        if (filter) expect(isStorableTime(t)).toBe(true);
        // Refused: out of range, or a day that does not exist (2024-02-30, which Date.parse rolls over).
        else if (op === '$after' || op === '$before') expect(isStorableTime(t) && realDay(v)).toBe(false);
      }),
      { numRuns: runs },
    );
  });
});
