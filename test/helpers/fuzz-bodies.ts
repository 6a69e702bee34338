/**
 * Bodies for the fuzz suite, shaped after each route's JSON Schema where one is known: tame (ordinary values, so the
 * request gets past validation and into the services), tame with a mutation or two, or wild (extreme values and
 * wrong types at every level); plus raw text that is not what its Content-Type claims.
 */
import fc from 'fast-check';
import { customerInputSchema } from '../../src/modules/customers/index.js';
import { distributionBody, maxManualDelaySeconds } from '../../src/modules/distributions/index.js';
import { createSchemaBody, updateSchemaBody } from '../../src/modules/event-schemas/index.js';
import { trackBody } from '../../src/modules/events/index.js';
import { createSegmentBody, updateSegmentBody } from '../../src/modules/segments/index.js';
import { emittedTypes, webhookBody } from '../../src/modules/webhooks/index.js';
import type { RouteInfo } from './fuzz-app.js';
import {
  anyJsonArb,
  dateArb,
  deepArb,
  filterArb,
  hostileKeys,
  keyArb,
  metadataArb,
  numberArb,
  plausibleKeys,
  ref,
  scalarArb,
  stringArb,
} from './fuzz-values.js';

type Schema = { [key: string]: any };

/** Webhook bodies with the types a webhook can subscribe to, so tame ones get past the service's check. */
const eventName = { type: 'string', enum: ['*', ...emittedTypes] };
const teamRole = { type: 'string', enum: ['ADMIN', 'USER', 'VIEWER', 'MERCHANT', 'USER_RESTRICTED', 'role_custom'] };
const webhookFuzzBody = { ...webhookBody, properties: { ...webhookBody.properties, events: { ...webhookBody.properties.events, items: eventName } } };

const dateParam = { type: 'string', format: 'date-time' };
const projectBody = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: ['string', 'null'], maxLength: 5000 },
    timezone: { type: 'string', maxLength: 100 },
    currency: { type: 'string', maxLength: 10 },
    dial_code: { type: ['string', 'null'], maxLength: 10 },
    webhook_version: { type: 'string', enum: ['v2024-01-01'] },
    api_version: { type: 'string', enum: ['v2018-08-01'] },
    case_sensitive_codes: { type: 'boolean' },
    client_trusted_domains: { type: 'array', items: { type: 'string' }, maxItems: 100 },
    client_loyalty_events_enabled: { type: 'boolean' },
    client_create_customer_enabled: { type: 'boolean' },
    webhooks_callout_notifications: { type: 'object' },
  },
};

/**
 * Body schemas by route; the route modules export most of them. A route missing here gets generic bodies built
 * from plausible keys, so a new route is fuzzed anyway, only less pointedly.
 */
export const bodySchemas: Record<string, Schema> = {
  'POST /v1/customers': customerInputSchema,
  'PUT /v1/customers/:customerId': customerInputSchema,
  'POST /v1/events': trackBody,
  'POST /client/v1/events': trackBody,
  'POST /v1/segments': createSegmentBody,
  'PUT /v1/segments/:segmentId': updateSegmentBody,
  'POST /v1/distributions': distributionBody,
  'PUT /v1/distributions/:distributionId': distributionBody,
  'POST /v1/distributions/:distributionId/send': {
    type: 'object',
    properties: { customer: { type: 'string' }, segment_id: { type: 'string' }, delay_seconds: { type: 'integer', minimum: 0, maximum: maxManualDelaySeconds } },
  },
  'POST /management/v1/projects': projectBody,
  'PUT /management/v1/projects/:projectId': { ...projectBody, required: [] },
  'POST /management/v1/projects/:projectId/custom-event-schemas': createSchemaBody,
  'PUT /management/v1/projects/:projectId/custom-event-schemas/:schemaId': updateSchemaBody,
  'POST /management/v1/projects/:projectId/webhooks': webhookFuzzBody,
  'PUT /management/v1/projects/:projectId/webhooks/:webhookId': webhookFuzzBody,
  'POST /management/v1/projects/:projectId/webhooks/:webhookId/test': { type: 'object', properties: { event_type: eventName } },
  'POST /management/v1/projects/:projectId/webhooks/:webhookId/retry-failed': { type: 'object', properties: { start_date: dateParam, end_date: dateParam } },
  'POST /management/v1/projects/:projectId/users': { type: 'object', required: ['role'], properties: { id: { type: 'string' }, login: { type: 'string' }, role: teamRole } },
  'PUT /management/v1/projects/:projectId/users/:userId': { type: 'object', required: ['role'], properties: { role: teamRole } },
  'POST /management/v1/projects/users/invite': {
    type: 'object',
    required: ['email', 'projects'],
    properties: { email: { type: 'string', enum: ['fx-new@example.com', 'FX-New@Example.com', 'not-an-email'] }, first_name: { type: 'string' }, projects: { type: 'object' } },
  },
};

/**
 * Bodies come three ways: tame (the route's own shape with ordinary values, so requests get past validation and
 * reach the services), tame with one or two mutations (a wrong type, an extreme value, a key removed or a hostile
 * key added somewhere in it), and wild (the shape with extreme values and wrong types at every level).
 */
type Mode = 'tame' | 'wild';

const urlArb = (mode: Mode) =>
  mode === 'tame'
    ? fc.nat(99).map((n) => `https://93.184.216.34/hook/${n}`)
    : fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            'https://93.184.216.34/hook', 'https://93.184.216.34:8443/a?b=c#d', 'http://127.0.0.1:9/x', 'http://localhost/x', 'http://169.254.169.254/latest/meta-data',
            'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0x7f000001/', 'http://2130706433/', 'http://0/', 'ftp://93.184.216.34/', 'https://u:p@93.184.216.34/',
            'https://nonexistent.invalid/x', 'https://93.184.216.34:99999/', 'javascript:alert(1)', 'not a url', '', '//93.184.216.34/x', 'https://xn--nxasmq6b.invalid/',
            'http://[fe80::1%25eth0]/', 'https://93.184.216.34/%00', `https://93.184.216.34/${'a'.repeat(1990)}`,
          ),
        },
        { weight: 1, arbitrary: stringArb },
      );

const headerMapArb = (mode: Mode) =>
  mode === 'tame'
    ? fc.dictionary(fc.constantFrom('X-Custom', 'X-Api-Key', 'X-Trace'), fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), { maxKeys: 3 })
    : fc.dictionary(
        fc.oneof(fc.constantFrom('X-Custom', 'Authorization', 'Host', 'Content-Length', 'Webhook-Signature', 'x', 'bad header', 'é', ''), fc.string({ maxLength: 10 })),
        fc.oneof(fc.constantFrom('v', '', 'a\r\nb', '\u0000', 'é', 'x'.repeat(2001)), stringArb, numberArb),
        { maxKeys: 25 },
      );

/** Metadata fitting the fixtures' event schemas (amount: number, sku: string, when: date). */
const eventMetadataArb = fc.record(
  { amount: fc.oneof(numberArb, fc.integer()), sku: fc.string({ maxLength: 10 }), when: fc.constantFrom('2024-02-29', '0001-01-01', '9999-12-31', '1970-01-01') },
  { requiredKeys: [] },
);

const tameString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('💩', 'Zoë', 'ﷺ', '\u202eevil', '{{customer.name}}', "O'Brien") },
);
const tameDate = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('0001-01-01', '9999-12-31', '2024-02-29', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z') },
);

/** Fields known by name, whatever the schema says of them. */
function namedArb(name: string, mode: Mode, schema: Schema = {}): fc.Arbitrary<unknown> | undefined {
  const tame = mode === 'tame';
  const isObject = schema.type === 'object' || (Array.isArray(schema.type) && schema.type[0] === 'object');
  switch (name) {
    case 'filter':
      return filterArb(['fx_event_0', 'fx_event_1', 'purchase']);
    case 'metadata':
      return tame ? fc.oneof(eventMetadataArb, metadataArb) : metadataArb;
    case 'target_url':
      return urlArb(mode);
    case 'customer':
    case 'referrer_id':
      if (isObject) return undefined;
      return tame ? ref('customer') : fc.oneof(ref('customer'), stringArb);
    case 'segment_id':
      return tame ? ref('segment') : fc.oneof({ weight: 3, arbitrary: ref('segment') }, { weight: 1, arbitrary: ref('foreign') }, { weight: 1, arbitrary: stringArb });
    case 'customers':
      return tame
        ? fc.array(ref('customer'), { maxLength: 4 })
        : fc.oneof(fc.array(fc.oneof(ref('customer'), stringArb), { maxLength: 6 }), fc.constant([]), fc.constant(Array.from({ length: 20_001 }, (_, i) => `c${i}`)));
    case 'event':
      return tame ? ref('event') : fc.oneof({ weight: 3, arbitrary: ref('event') }, { weight: 1, arbitrary: stringArb });
    case 'headers':
      return headerMapArb(mode);
    case 'template':
      return tame
        ? fc.constantFrom(null, { text: '{{customer.name}}', n: 1 }, { customer: '{{customer}}', when: '{{event.created_at}}' })
        : fc.oneof(anyJsonArb, fc.constantFrom({ text: '{{customer.name}}' }, { a: '{{{{', b: '{{customer.__proto__}}', c: '{{#each}}' }));
    case 'client_trusted_domains':
      return tame
        ? fc.constant(['shop.example.com', '*.example.org'])
        : fc.array(fc.constantFrom('shop.example.com', '*', '*.example.org', 'https://shop.example.com:8443', '', '*.', 'http://.x', 'ü.example', 'a'.repeat(501)), { maxLength: 4 });
    case 'birthdate':
    case 'birthday':
      return tame ? tameDate.map((d) => d.slice(0, 10)) : dateArb;
    case 'start_date':
    case 'end_date':
      return tame ? tameDate : dateArb;
    case 'id':
    case 'source_id':
      return tame
        ? fc.oneof(ref('customer'), fc.nat(50).map((n) => `fuzz-${n}`))
        : fc.oneof({ weight: 2, arbitrary: ref('customer') }, { weight: 2, arbitrary: stringArb }, { weight: 1, arbitrary: fc.nat(50).map((n) => `fuzz-${n}`) });
    case 'trigger':
      return tame
        ? fc.oneof(
            fc.constant({ type: 'manual' }),
            ref('event').map((event) => ({ type: 'customer.custom_event', event })),
            fc.tuple(fc.constantFrom('customer.segment.entered', 'customer.segment.left'), ref('segment')).map(([type, segment_id]) => ({ type, segment_id })),
          )
        : undefined;
    case 'delay_seconds':
      return tame ? fc.nat(600) : numberArb;
    case 'email':
      return tame ? fc.nat(99).map((n) => `fuzz${n}@example.com`) : undefined;
    default:
      return undefined;
  }
}

const wrongTypeArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(null, true, 0, '', [], {}, [{}], 'x', -1) },
  { weight: 3, arbitrary: scalarArb },
  { weight: 2, arbitrary: anyJsonArb },
  { weight: 1, arbitrary: deepArb },
);

/** Adds own keys safely (`__proto__` as data, not as the prototype). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function typedArb(schema: Schema, name: string, depth: number, mode: Mode): fc.Arbitrary<unknown> {
  const tame = mode === 'tame';
  const types: string[] = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['any']).filter((t: string) => !tame || t !== 'null' || schema.type === 'null');
  const options: fc.Arbitrary<unknown>[] = types.map((type) => {
    if (schema.enum) return tame ? fc.constantFrom(...(schema.enum as unknown[])) : fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...(schema.enum as unknown[])) }, { weight: 1, arbitrary: stringArb });
    switch (type) {
      case 'string': {
        if (schema.format || schema.anyOf) return tame ? tameDate : dateArb;
        const max = typeof schema.maxLength === 'number' ? schema.maxLength : 100;
        if (tame) return tameString.map((s) => s.slice(0, max));
        return fc.oneof({ weight: 6, arbitrary: stringArb }, { weight: 1, arbitrary: fc.constantFrom('a'.repeat(max), 'a'.repeat(max + 1), '💩'.repeat(max)) });
      }
      case 'integer':
      case 'number': {
        if (tame) return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
        const bounds = [schema.minimum, schema.maximum].filter((b) => typeof b === 'number').flatMap((b: number) => [b - 1, b, b + 1, b + 0.5]);
        return bounds.length ? fc.oneof({ weight: 3, arbitrary: numberArb }, { weight: 2, arbitrary: fc.constantFrom(...bounds) }) : numberArb;
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = depth > 6 ? scalarArb : bodyArb(schema.items ?? {}, `${name}[]`, depth + 1, mode);
        if (tame) return schema.uniqueItems ? fc.uniqueArray(items, { minLength: schema.minItems ?? 0, maxLength: 4, selector: (v) => JSON.stringify(v) }) : fc.array(items, { minLength: schema.minItems ?? 0, maxLength: 4 });
        return fc.array(items, { maxLength: 5 });
      }
      case 'object':
        return objectArb(schema, depth, mode);
      default:
        return depth > 6 || tame ? scalarArb : anyJsonArb;
    }
  });
  return options.length === 1 ? options[0]! : fc.oneof(...options);
}

function objectArb(schema: Schema, depth: number, mode: Mode): fc.Arbitrary<unknown> {
  const tame = mode === 'tame';
  const props: Record<string, Schema> = schema.properties ?? {};
  // One of an anyOf's `required` lists is honoured when tame (trackBody's customer needs id or source_id).
  const alternatives: string[][] = Array.isArray(schema.anyOf) ? schema.anyOf.map((a: Schema) => a.required ?? []) : [[]];
  if (Object.keys(props).length === 0) {
    const additional = schema.additionalProperties;
    if (additional && typeof additional === 'object') {
      const names = tame ? fc.constantFrom('amount', 'sku', 'when', 'vip', 'note') : fc.oneof({ weight: 4, arbitrary: fc.constantFrom('amount', 'sku', 'when', 'vip', 'note') }, { weight: 1, arbitrary: keyArb });
      return fc.dictionary(names, bodyArb(additional, 'property', depth + 1, mode), { maxKeys: 5, minKeys: tame ? 1 : 0 });
    }
    return depth > 6 ? fc.dictionary(keyArb, scalarArb, { maxKeys: 4 }) : metadataArb;
  }
  const entries = Object.entries(props).map(([k, s]) => fc.tuple(fc.constant(k), bodyArb(s, k, depth + 1, mode), fc.nat(9)));
  const extra = tame ? fc.constant({}) : fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(keyArb, scalarArb, { maxKeys: 3 }) });
  return fc.tuple(fc.tuple(...entries), extra, fc.nat(alternatives.length - 1)).map(([kvs, more, alt]) => {
    const required = [...(schema.required ?? []), ...alternatives[alt]!];
    const o: Record<string, unknown> = {};
    for (const [k, v, roll] of kvs) {
      // Required keys are there (nearly always, when wild); optional ones about half the time.
      if (required.includes(k) ? tame || roll > 0 : roll >= 5) put(o, k, v);
    }
    for (const [k, v] of Object.entries(more)) put(o, k, v);
    return o;
  });
}

/** A value for a schema: tame, or wild (its shape most of the time, a wrong type now and then). */
export function bodyArb(schema: Schema, name = '', depth = 0, mode: Mode = 'wild'): fc.Arbitrary<unknown> {
  const named = namedArb(name, mode, schema);
  if (mode === 'tame') return named ?? typedArb(schema, name, depth, mode);
  const own = named ? fc.oneof({ weight: 3, arbitrary: named }, { weight: 1, arbitrary: typedArb(schema, name, depth, mode) }) : typedArb(schema, name, depth, mode);
  return fc.oneof({ weight: 10, arbitrary: own }, { weight: 1, arbitrary: wrongTypeArb });
}

/** Every place in a JSON value where a mutation can land: [container, key]. */
function places(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = [], depth = 0): typeof out {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  for (const [k, child] of Object.entries(v)) {
    out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
    places(child, out, depth + 1);
  }
  return out;
}

type Mutation = { at: number; kind: 'replace' | 'delete' | 'add'; key: string; value: unknown };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add'),
  key: fc.oneof(fc.constantFrom(...hostileKeys), keyArb),
  value: fc.oneof({ weight: 3, arbitrary: wrongTypeArb }, { weight: 3, arbitrary: scalarArb }, { weight: 1, arbitrary: filterArb(['fx_event_0']) }),
});

function mutate(value: unknown, mutations: Mutation[]): unknown {
  const root: Record<string, unknown> = { root: JSON.parse(JSON.stringify(value ?? null)) };
  for (const original of mutations) {
    // Generated values may be shared constants: the tree gets copies, so no later mutation changes the constant.
    const m = { ...original, value: original.value === undefined ? undefined : JSON.parse(JSON.stringify(original.value)) };
    const all = places(root);
    const [container, key] = all[m.at % all.length]!;
    if (m.kind === 'delete' && key !== 'root') {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
    } else if (m.kind === 'add') {
      const target = Array.isArray(container) ? container : (container as Record<string, unknown>)[key as string];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) put(target as Record<string, unknown>, m.key, m.value);
      else if (Array.isArray(target)) target.push(m.value);
      else if (Array.isArray(container)) container[key as number] = m.value;
      else put(container, key as string, m.value);
    } else if (Array.isArray(container)) {
      container[key as number] = m.value;
    } else {
      put(container, key as string, m.value);
    }
  }
  return root.root;
}

/** Bodies for routes without a known schema: objects of plausible keys. */
const genericBodyArb = fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...plausibleKeys) }, { weight: 1, arbitrary: fc.constantFrom(...hostileKeys) }), fc.oneof(
  ...plausibleKeys.slice(0, 12).map((k) => namedArb(k, 'wild') ?? scalarArb),
  scalarArb,
  anyJsonArb,
), { maxKeys: 6 });

/** Bodies that are not what they claim: broken JSON, JSON of the wrong kind, text past the parser's limits. */
const rawBodies = [
  '', ' ', '{', '{"a":', 'nul', '[1,2', '{"a":1}{"b":2}', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":1e400}', '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}', '"\\ud800"', '{"a":"\\u0000"}', '{"\\u0000":1}', '\ufeff{}', 'null', 'true', '0', '[]', '"text"', '[{}]',
  '{"a":"\\ud83d"}', '{"a":1,"a":2}', 'a=1&b=2', '<xml/>', '\u0000', '{"name":"x"}\u0000',
];
const rawBodyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...rawBodies) },
  { weight: 1, arbitrary: fc.constantFrom(10_000, 200_000).map((n) => '['.repeat(n) + ']'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(10_000, 150_000).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)) },
  { weight: 1, arbitrary: fc.nat(20_000).map((n) => `{${Array.from({ length: 5000 + n }, (_, i) => `"k${i}":${i}`).join(',')}}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

export type BodyChoice = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'none' } | { kind: 'oversized' };

/** Tame bodies whose parts depend on each other (a static segment takes customers, the others a filter). */
const tameSegment = fc.oneof(
  fc.record({ name: tameString, type: fc.constant('static'), customers: fc.array(ref('customer'), { minLength: 1, maxLength: 3 }) }),
  fc.record({ name: tameString, type: fc.constantFrom('auto-update', 'passive'), filter: filterArb(['fx_event_0', 'fx_event_1', 'purchase']) }),
);
const tameOverrides: Record<string, fc.Arbitrary<unknown>> = {
  'POST /v1/segments': tameSegment,
  'PUT /v1/segments/:segmentId': fc.record({ name: tameString, filter: filterArb(['fx_event_0', 'fx_event_1']) }, { requiredKeys: [] }),
};

export function bodyChoiceArb(route: RouteInfo): fc.Arbitrary<BodyChoice> {
  const schema = bodySchemas[`${route.method} ${route.path}`];
  const sendsBody = route.method === 'POST' || route.method === 'PUT';
  const tame = tameOverrides[`${route.method} ${route.path}`] ?? (schema ? bodyArb(schema, '', 0, 'tame') : fc.constant({}));
  const value = fc.oneof(
    { weight: 4, arbitrary: tame },
    { weight: 4, arbitrary: fc.tuple(tame, fc.array(mutationArb, { minLength: 1, maxLength: 2 })).map(([v, ms]) => mutate(v, ms)) },
    { weight: 3, arbitrary: schema ? bodyArb(schema) : genericBodyArb },
  );
  const json = value.map((v) => ({ kind: 'json' as const, value: v }));
  return fc.oneof(
    { weight: sendsBody ? 320 : 40, arbitrary: json },
    { weight: sendsBody ? 40 : 20, arbitrary: rawBodyArb.map((text) => ({ kind: 'raw' as const, text })) },
    { weight: sendsBody ? 40 : 320, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
  );
}
