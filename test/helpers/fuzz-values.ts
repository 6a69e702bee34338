/**
 * Values for the fuzz suite: extreme scalars, hostile keys, deep nesting, and segment filters built from the real
 * grammar. Two markers survive JSON.stringify and are resolved when a request is sent:
 * - `@@ref:<kind>:<n>@@`, a string replaced by the n-th known id of that kind (customer, segment...);
 * - `@@num:<text>@@`, replaced by the bare number text (1e400, -0, 123456789012345678901234567890), which JSON
 *   allows but JavaScript cannot hold as written.
 */
import fc from 'fast-check';

export type RefKind = 'customer' | 'segment' | 'webhook' | 'distribution' | 'schema' | 'sendout' | 'project' | 'event' | 'user' | 'foreign';

export const ref = (kind: RefKind) => fc.nat(1000).map((n) => `@@ref:${kind}:${n}@@`);
export const rawNumber = (text: string) => `@@num:${text}@@`;

const rawNumberTexts = ['1e400', '-1e400', '-0', '1E+2', '0.0000000000000000000000001', '123456789012345678901234567890', '1.7976931348623157e309', '4e-324'];

export const extremeNumbers = [
  0, -0, 1, -1, 0.5, -0.5, 7, 99, 100, 101, 365000, 365001, -365001, 3650, 3651, 9999, 10000, 99999999, 100000000, -1e8,
  2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e21, 1e308, -1e308, Number.MAX_VALUE, 5e-324, 1e-7, 8.64e15, 8.64e15 + 1,
];

export const numberArb: fc.Arbitrary<number | string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...extremeNumbers) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(...rawNumberTexts).map(rawNumber) },
);

export const extremeDates = [
  '0000-01-01', '0000-12-31T23:59:59Z', '0001-01-01', '0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z',
  '1970-01-01', '2024-02-29', '2023-02-29', '2024-02-30', '2024-13-01', '2024-00-10', '2024-01-01T24:00:00Z', '2024-01-01T25:61:61Z',
  '2024-06-01T12:00:00+14:00', '2024-06-01T12:00:00-12:00', '2024-06-01T12:00:00.123456789Z', '9999-12-31', '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:00:00-05:00', '10000-01-01', '+010000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '+275760-09-13', '-271821-04-20T00:00:00Z',
  '-000001-01-01T00:00:00Z', '2024-01-01 10:00', '2024', '2024-1-1', '01/02/2024', 'now', 'today', '1e9', '0', '-1', 'Invalid Date', '2024-01-01T00:00:00',
];

export const dateArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...extremeDates) },
  {
    weight: 2,
    arbitrary: fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
);

const longA = 'a'.repeat(10_000);
export const specialStrings = [
  '', ' ', 'a', '0', '-1', 'null', 'true', 'undefined', '[]', '{}', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '💩', '👨‍👩‍👧‍👦',
  'ﷺ', '\u202eevil', '\u200b', 'é', 'ﬀ', 'İ', '%', '%00', '%zz', '../../etc/passwd', "'; DROP TABLE customers; --", '" OR 1=1 --',
  '$where', '{{customer.name}}', '{{#each x}}{{/each}}', '${process.exit()}', '<script>alert(1)</script>', '\\', '\\u0000', '\r\n',
  '\t', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'cust_', 'seg_', 'wh_', 'a'.repeat(200), 'a'.repeat(201),
  'a'.repeat(500), 'a'.repeat(501), longA, '💩'.repeat(3000), 'https://93.184.216.34/hook', 'http://127.0.0.1:1/x', 'mailto:x@example.com',
];

export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...specialStrings) },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 100, maxLength: 600 }) },
);

export const hostileKeys = ['__proto__', 'constructor', 'prototype', '', ' ', 'a.b', 'a..b', '.', '$is', '$where', '0', 'toString', 'valueOf', '\u0000', '\ud800', 'x'.repeat(300)];

export const plausibleKeys = [
  'name', 'type', 'filter', 'target_url', 'events', 'customer', 'customers', 'metadata', 'source_id', 'id', 'properties', 'trigger',
  'channel', 'schema', 'event', 'email', 'phone', 'birthdate', 'birthday', 'address', 'referral', 'loyalty', 'active', 'headers',
  'description', 'segment_id', 'delay_seconds', 'start_date', 'end_date', 'event_type', 'status', 'purpose', 'template', 'raw_payload',
  'event_name', 'timezone', 'currency', 'client_trusted_domains', 'optional', 'deleted', 'conditions', 'junction', 'timeframe', 'code',
];

export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...plausibleKeys) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileKeys) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

export const scalarArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: stringArb },
  { weight: 3, arbitrary: numberArb },
  { weight: 2, arbitrary: dateArb },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

/** Nesting down to a depth near and past the body limit of 64 levels. */
export const deepArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(10, 63, 64, 65, 200, 3000), fc.boolean(), scalarArb)
  .map(([depth, arrays, leaf]) => {
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  });

/** Any JSON value, with hostile keys, extreme scalars and wrong shapes. */
export const anyJsonArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalarArb },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 5 }) },
    { weight: 2, arbitrary: fc.dictionary(keyArb, tie('value'), { maxKeys: 6 }) },
  ),
})).value;

/** Metadata-like objects: a few known keys the filters look at, with extreme values. */
export const metadataKeys = ['tier', 'score', 'due', 'nested', 'tags', 'vip', 'a.b', 'constructor'];
export const metadataArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...metadataKeys) }, { weight: 1, arbitrary: keyArb }),
  fc.oneof(
    { weight: 4, arbitrary: scalarArb },
    { weight: 1, arbitrary: fc.array(scalarArb, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('deep', 'x', 'toString', 'valueOf'), scalarArb, { maxKeys: 3 }) },
  ),
  { maxKeys: 6 },
);

// ---------------------------------------------------------------- segment filters (DIGEST d.2) ----

export const dateFields = ['created_at', 'updated_at', 'birthdate', 'birthday', 'orders.last_order_date'];
export const stringFields = ['name', 'email', 'phone', 'id', 'source_id', 'description', 'city', 'country', 'postal_code', 'address.city', 'address.line_1', 'address.state'];
export const numberFields = ['orders.total_amount', 'orders.total_count', 'orders.average_amount', 'orders.last_order_amount', 'summary.orders.total_amount'];
export const junkFields = ['orders', 'orders.', 'events', 'events..count', 'events.x.y.count', 'metadata', 'metadata.', 'metadata..a', 'address', 'unknown', '', '__proto__'];

export const equalityOperators = ['$is', '$is_not', '$in', '$not_in', '$has_value', '$is_unknown'];
export const stringOperators = ['$contains', '$not_contain', '$starts_with', '$ends_with'];
export const orderedOperators = ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'];
export const dateOperators = [
  '$after', '$before', '$more_than_ago', '$less_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future',
  '$is_years_ago', '$today', '$yesterday', '$tomorrow', '$this_week', '$last_week', '$next_week', '$this_month', '$last_month', '$next_month',
  '$this_year', '$last_year', '$next_year', '$is_day_of_month', '$is_day', '$is_month', '$is_year', '$today_md', '$tomorrow_md',
  '$yesterday_md', '$this_week_md', '$this_month_md', '$next_month_md', '$last_month_md',
];
export const arrayOperators = ['$count', '$count_less', '$count_more'];
export const aliasOperators = ['$more_than_or_equal', '$less_than_or_equal', '$greater_than_or_equal', '$greater_than'];
export const junkOperators = ['$regex', '$where', 'is', '$IS', '$', '', '$gt', '__proto__'];

export const allOperators = [...equalityOperators, ...stringOperators, ...orderedOperators, ...dateOperators, ...arrayOperators, ...aliasOperators];

/** Operands: mostly what the operator expects, often at or past its bounds, sometimes of the wrong kind. */
const operandArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: numberArb },
  { weight: 3, arbitrary: dateArb },
  { weight: 2, arbitrary: stringArb },
  { weight: 1, arbitrary: fc.constantFrom('5', ' 7 ', '1e400', '0x10', 'Infinity', 'NaN', '-365001', '100000000', '365000', '') },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, {}, [], [[1]], [{}], { toString: 1 }) },
);

const operandsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: operandArb },
  { weight: 2, arbitrary: fc.array(operandArb, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export function fieldArb(eventNames: readonly string[]): fc.Arbitrary<string> {
  const events = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...eventNames) }, { weight: 1, arbitrary: fc.constantFrom('never_defined', '', '*', 'a.b') });
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...dateFields) },
    { weight: 2, arbitrary: fc.constantFrom(...stringFields) },
    { weight: 2, arbitrary: fc.constantFrom(...numberFields) },
    { weight: 3, arbitrary: fc.constantFrom(...metadataKeys).map((k) => `metadata.${k}`) },
    { weight: 3, arbitrary: events.map((e) => `events.${e}.count`) },
    { weight: 3, arbitrary: events.map((e) => `events.${e}.last_occurred`) },
    { weight: 1, arbitrary: fc.constantFrom(...junkFields) },
  );
}

const operatorArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...dateOperators) },
  { weight: 2, arbitrary: fc.constantFrom(...equalityOperators, ...orderedOperators) },
  { weight: 1, arbitrary: fc.constantFrom(...stringOperators, ...arrayOperators, ...aliasOperators) },
  { weight: 1, arbitrary: fc.constantFrom(...junkOperators) },
);

const conditionsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.dictionary(operatorArb, operandsArb, { minKeys: 1, maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], null, '$is', 5, [{ $is: 1 }]) },
);

const timeframeArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ last_days: fc.oneof(numberArb, fc.constantFrom('30', '3650', '3651', '', null)) }),
  fc.constantFrom(null, {}, [], 'P30D', { last_days: { x: 1 } }, { last_days: 5, other: 1 }),
);

/** One criterion: `{ "<field>": { "conditions": {...}, "timeframe"?: {...} } }` and its broken variants. */
function criterionArb(eventNames: readonly string[]): fc.Arbitrary<[string, unknown]> {
  const entry = fc.oneof(
    { weight: 12, arbitrary: fc.record({ conditions: conditionsArb }) },
    { weight: 2, arbitrary: fc.record({ conditions: conditionsArb, timeframe: timeframeArb }) },
    { weight: 1, arbitrary: fc.record({ conditions: conditionsArb, extra: scalarArb }) },
    { weight: 1, arbitrary: fc.constantFrom(null, [], 'x', 1, {}) },
  );
  return fc.tuple(fieldArb(eventNames), entry);
}

// Filters the server should accept: each field with an operator of its family and an operand of the kind and
// range that operator takes, often right at the edges (365000 days, year 9999, 1 and 7 for $is_day...).
// Now and then just past the bounds (refused with a 400, never a 500).
const pastBounds = fc.constantFrom(365001, -365001, 99999999, 100000000, -1e8, 1e308, 8.64e15, 0, 8, 13, 32, 10000, -9999);
const relativeDays = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 7, 30, 365, 3650, 36500, 365000, -365000, 364999, 0.5, 1e-7, -1) },
  { weight: 2, arbitrary: fc.integer({ min: -365000, max: 365000 }) },
  { weight: 1, arbitrary: pastBounds },
);
const inRangeOrPast = (a: fc.Arbitrary<number>) => fc.oneof({ weight: 8, arbitrary: a }, { weight: 1, arbitrary: pastBounds });
const calendar: Record<string, fc.Arbitrary<number>> = {
  $is_day: inRangeOrPast(fc.integer({ min: 1, max: 7 })),
  $is_day_of_month: inRangeOrPast(fc.constantFrom(1, 28, 29, 30, 31)),
  $is_month: inRangeOrPast(fc.constantFrom(1, 2, 12)),
  $is_year: inRangeOrPast(fc.constantFrom(1, 1970, 2024, 9999)),
  $is_years_ago: inRangeOrPast(fc.constantFrom(-9998, -1, 0, 1, 100, 2024, 9998)),
};
const edgeDates = fc.constantFrom(
  '0001-01-01', '0001-01-01T00:00:00.000Z', '1970-01-01', '2024-02-29', '9999-12-31', '9999-12-31T23:59:59.999Z', '9999-12-31T23:00:00-05:00',
  '0001-01-01T05:00:00+05:00', '2024-06-01T12:00:00+14:00', '0000-12-31T23:59:59Z', '10000-01-01', '+275760-09-13T00:00:00.000Z',
);
const edgeNumbers = fc.constantFrom(0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 99999999, 1e21);
const noOperand = fc.constantFrom(undefined, null, '', []);

function dateOperand(op: string): fc.Arbitrary<unknown> {
  if (op in calendar) return calendar[op]!;
  if (op === '$after' || op === '$before') return edgeDates;
  if (['$is', '$is_not'].includes(op)) return edgeDates;
  if (['$in', '$not_in'].includes(op)) return fc.array(edgeDates, { minLength: 1, maxLength: 3 });
  if (['$has_value', '$is_unknown'].includes(op) || dateOperators.indexOf(op) >= dateOperators.indexOf('$today')) return noOperand;
  return relativeDays;
}

function conditionFor(type: 'date' | 'string' | 'number' | 'any'): fc.Arbitrary<[string, unknown]> {
  const ops =
    type === 'date'
      ? [...dateOperators, ...equalityOperators, ...orderedOperators]
      : type === 'string'
        ? [...equalityOperators, ...stringOperators]
        : type === 'number'
          ? [...equalityOperators, ...orderedOperators]
          : [...equalityOperators, ...stringOperators, ...orderedOperators, ...dateOperators, ...arrayOperators];
  return fc.constantFrom(...ops).chain((op): fc.Arbitrary<[string, unknown]> => {
    let operand: fc.Arbitrary<unknown>;
    if (['$has_value', '$is_unknown'].includes(op)) operand = noOperand;
    else if (type === 'date' || (type === 'any' && dateOperators.includes(op))) operand = dateOperand(op);
    else if (type === 'string') operand = ['$in', '$not_in'].includes(op) ? fc.array(stringArb, { minLength: 1, maxLength: 3 }) : stringArb;
    else if (arrayOperators.includes(op)) operand = fc.constantFrom(0, 1, 3, 1e9);
    else if (type === 'number' || orderedOperators.includes(op)) operand = ['$in', '$not_in'].includes(op) ? fc.array(edgeNumbers, { minLength: 1, maxLength: 3 }) : edgeNumbers;
    else operand = ['$in', '$not_in'].includes(op) ? fc.array(scalarArb, { minLength: 1, maxLength: 3 }) : fc.oneof(stringArb, edgeNumbers, edgeDates);
    return operand.map((v) => [op, v]);
  });
}

function validCriterionArb(eventNames: readonly string[]): fc.Arbitrary<[string, unknown]> {
  const events = fc.constantFrom(...eventNames);
  const field: fc.Arbitrary<[string, 'date' | 'string' | 'number' | 'any', boolean]> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...dateFields).map((f) => [f, 'date', false] as [string, 'date', boolean]) },
    { weight: 2, arbitrary: fc.constantFrom(...stringFields).map((f) => [f, 'string', false] as [string, 'string', boolean]) },
    { weight: 1, arbitrary: fc.constantFrom(...numberFields).map((f) => [f, 'number', false] as [string, 'number', boolean]) },
    { weight: 3, arbitrary: fc.constantFrom('tier', 'score', 'due', 'nested.deep', 'tags').map((k) => [`metadata.${k}`, 'any', false] as [string, 'any', boolean]) },
    { weight: 3, arbitrary: events.map((e) => [`events.${e}.count`, 'number', true] as [string, 'number', boolean]) },
    { weight: 3, arbitrary: events.map((e) => [`events.${e}.last_occurred`, 'date', false] as [string, 'date', boolean]) },
  );
  return field.chain(([name, type, windowed]) =>
    fc
      .tuple(fc.array(conditionFor(type), { minLength: 1, maxLength: 2 }), windowed ? fc.option(fc.constantFrom(1, 7, 3650), { nil: undefined }) : fc.constant(undefined))
      .map(([conds, days]) => {
        const conditions: Record<string, unknown> = {};
        for (const [op, v] of conds) conditions[op] = v;
        return [name, { conditions, ...(days !== undefined ? { timeframe: { last_days: days } } : {}) }] as [string, unknown];
      }),
  );
}

/** Filters built to pass the server's checks, with operands at the edges of what it takes. */
export function validFilterArb(eventNames: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.constantFrom('and', 'or', undefined), fc.array(validCriterionArb(eventNames), { minLength: 1, maxLength: 3 })).map(([j, cs]) => {
    const f: Record<string, unknown> = {};
    if (j !== undefined) f.junction = j;
    for (const [field, entry] of cs) f[field] = entry;
    return f;
  });
}

/** A Voucherify segment filter: junction plus criteria, from valid to broken, with extreme operands. */
export function filterArb(eventNames: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: validFilterArb(eventNames) }, { weight: 2, arbitrary: looseFilterArb(eventNames) });
}

/** Filters from the grammar's parts put together at random: mostly refused, some accepted, all extreme. */
export function looseFilterArb(eventNames: readonly string[]): fc.Arbitrary<unknown> {
  const criteria = fc.oneof(
    { weight: 10, arbitrary: fc.array(criterionArb(eventNames), { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant([] as Array<[string, unknown]>) },
    { weight: 1, arbitrary: fc.array(criterionArb(eventNames), { minLength: 49, maxLength: 53 }) },
  );
  const junction = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('and', 'or', undefined) },
    { weight: 1, arbitrary: fc.constantFrom('AND', 'xor', '', null, 1, ['and']) },
  );
  const built = fc.tuple(junction, criteria).map(([j, cs]) => {
    const f: Record<string, unknown> = {};
    if (j !== undefined) f.junction = j;
    for (const [field, entry] of cs) Object.defineProperty(f, field, { value: entry, enumerable: true, writable: true, configurable: true });
    return f;
  });
  return fc.oneof({ weight: 20, arbitrary: built }, { weight: 1, arbitrary: anyJsonArb });
}
