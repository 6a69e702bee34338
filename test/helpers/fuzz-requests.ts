/**
 * Generated requests for one route: path parameters (known ids or junk), a query string (bracket syntax, bounds,
 * broken percent-encoding), headers (right, wrong and missing keys, content types, origins) and a body (see
 * fuzz-bodies.ts). A generated request is abstract: ids are `@@ref@@` markers resolved against the live fixtures
 * when it is sent.
 */
import fc from 'fast-check';
import type { RouteInfo } from './fuzz-app.js';
import { bodyChoiceArb, type BodyChoice } from './fuzz-bodies.js';
import { dateArb, numberArb, ref, stringArb, type RefKind } from './fuzz-values.js';

/** Query keys by route (the list schemas are private to the route files); other routes get the generic ones. */
const queryKeysByPath: Array<[RegExp, string[]]> = [
  [/^\/v1\/customers$/, ['limit', 'page', 'email', 'city', 'name', 'segment_id', 'created_at[before]', 'created_at[after]', 'updated_at[before]', 'updated_at[after]', 'order', 'starting_after']],
  [/\/activit(y|ies)$/, ['limit', 'order', 'starting_after_id', 'start_date', 'end_date', 'campaign_id', 'campaign_type', 'category', 'type']],
  [/^\/v1\/segments$/, ['limit', 'page', 'order', 'type']],
  [/webhook-sendouts$/, ['limit', 'starting_after_id', 'status', 'type', 'webhook_id', 'source_object', 'target_url', 'id', 'request_id', 'created_at[before]', 'created_at[after]', 'executed_at[before]', 'executed_at[after]']],
];
const genericQueryKeys = [
  'limit', 'page', 'order', 'type', 'starting_after', 'starting_after_id', 'created_at', 'created_at[before]', 'created_at[before][x]', 'created_at[]',
  'filters[junction]', 'filters[created_at][conditions][$after]', 'filters[metadata.x][conditions][$is]', '__proto__[polluted]', 'constructor[prototype][polluted]',
  'a[b][c][d][e]', 'limit[]', 'limit[$gt]', 'x[999]', 'x[]', '', '[]', '[', 'limit]', '%5B%5D', 'page[0]', 'order[]',
];
const queryValues = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('-1', '0', '1', '99', '100', '101', '1e9', '1.5', 'NaN', '', 'true', '-created_at', 'created_at', 'auto-update', 'static', 'failed', 'webhook') },
  { weight: 3, arbitrary: dateArb },
  { weight: 2, arbitrary: numberArb.map(String) },
  { weight: 2, arbitrary: stringArb },
);
const rawQueryJunk = ['%', '%zz', '%E0%A4%A', '%FF%FE', '%00', '+', '&&', '==', '#frag', '%2500', '%C0%AF', '%u0041', ';', '[]=', '?'];

function queryKeysFor(path: string): string[] {
  return queryKeysByPath.find(([re]) => re.test(path))?.[1] ?? genericQueryKeys;
}

/** encodeURIComponent, which throws on unpaired surrogates: those go as the bytes Node would send (U+FFFD). */
export function encodeAny(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const enc = (s: string) => encodeAny(s).replace(/%5B/g, '[').replace(/%5D/g, ']');

/** Keys that take dates get dates most of the time. */
const dateKey = /created_at|updated_at|executed_at|starting_after$|start_date|end_date|\$after|\$before/;

export function queryArb(path: string): fc.Arbitrary<string> {
  const own = queryKeysFor(path);
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...own) }, { weight: 2, arbitrary: fc.constantFrom(...genericQueryKeys) }, { weight: 1, arbitrary: stringArb });
  const pair = fc.oneof(
    { weight: 12, arbitrary: fc.tuple(key, queryValues, dateArb, fc.nat(9)).map(([k, v, d, roll]) => `${enc(k)}=${encodeAny(dateKey.test(k) && roll < 7 ? d : v)}`) },
    { weight: 1, arbitrary: key.map(enc) },
    { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom(...rawQueryJunk)).map(([k, v]) => `${enc(k)}=${v}`) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 8, arbitrary: fc.array(pair, { minLength: 1, maxLength: 5 }).map((ps) => ps.join('&')) },
    { weight: 1, arbitrary: fc.constantFrom(...rawQueryJunk) },
    { weight: 1, arbitrary: fc.nat(300).map((n) => Array.from({ length: 150 + n }, (_, i) => `p${i}=${i}`).join('&')) },
    { weight: 1, arbitrary: fc.constantFrom(`limit=${'9'.repeat(400)}`, `name=${'a'.repeat(20_000)}`, 'x[0][1][2][3][4][5][6][7]=1', 'x[101]=1&x[0]=2') },
  );
}

/** Path parameter values: mostly known ids of the right kind, sometimes another kind's or another project's, or junk. */
const paramKinds: Record<string, RefKind> = {
  customerId: 'customer',
  segmentId: 'segment',
  webhookId: 'webhook',
  distributionId: 'distribution',
  schemaId: 'schema',
  sendoutId: 'sendout',
  projectId: 'project',
  resource: 'event',
  userId: 'user',
};
const allKinds: RefKind[] = ['customer', 'segment', 'webhook', 'distribution', 'schema', 'sendout', 'project', 'event', 'user'];
const rawParamJunk = ['%', '%zz', '%00', '%E0%A4%A', '%C0%80', '..', '.', '%2F', '%2F..%2F', 'a'.repeat(499), 'a'.repeat(501), '%F0%9F%92%A9', '*', ':id', '%20'];

export interface ParamValue {
  /** An `@@ref@@` marker, or text already fit for the URL. */
  value: string;
  encoded: boolean;
}

function paramArb(name: string): fc.Arbitrary<ParamValue> {
  if (name === '*') {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('/events', '/customers', '/v1/events', '', '/').map((value) => ({ value, encoded: true })) },
      { weight: 1, arbitrary: fc.constantFrom(...rawParamJunk).map((value) => ({ value: `/${value}`, encoded: true })) },
    );
  }
  const kind = paramKinds[name];
  return fc.oneof(
    { weight: 12, arbitrary: (kind ? ref(kind) : fc.constantFrom(...allKinds).chain(ref)).map((value) => ({ value, encoded: false })) },
    { weight: 1, arbitrary: fc.constantFrom(...allKinds, 'foreign' as const).chain(ref).map((value) => ({ value, encoded: false })) },
    { weight: 3, arbitrary: stringArb.map((s) => ({ value: encodeAny(s), encoded: true })) },
    { weight: 1, arbitrary: fc.constantFrom(...rawParamJunk).map((value) => ({ value, encoded: true })) },
  );
}

// ---------------------------------------------------------------- headers ----

/** Whose keys a request carries; resolved against the fuzzed project (or another one) when sent. */
export type AuthChoice = 'right' | 'missing' | 'wrong-token' | 'wrong-id' | 'other-surface' | 'other-project' | 'empty' | 'half';

export const authArb: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 40, arbitrary: fc.constant('right' as const) },
  { weight: 1, arbitrary: fc.constantFrom('missing' as const, 'wrong-token' as const, 'wrong-id' as const, 'other-surface' as const, 'other-project' as const, 'empty' as const, 'half' as const) },
);

export const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined, 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/vnd.api+json', 'text/plain',
      'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/octet-stream', 'json', '',
      'application/json; charset=', 'application/json;;', '*/*',
    ),
  },
);

export const originArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('https://shop.example.com', 'shop.example.com', 'https://a.example.org') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined, '', 'null', 'https://evil.test', 'http://.example.com', 'https://shop.example.com.evil.test', 'https://[::1]', 'https://ü.example.org',
      'https://shop.example.com:99999', `https://${'a'.repeat(3000)}.example.org`, 'file://', '*', 'https://example.org',
    ),
  },
);

const extraHeadersArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('x-voucherify-channel', 'accept', 'accept-encoding', 'x-request-id', 'access-control-request-method', 'access-control-request-headers', 'x-forwarded-for', 'cookie'),
      fc.oneof(fc.constantFrom('gzip', 'br', '*/*', 'POST', 'x-app-id', 'Voucherify-Node', '127.0.0.1', '', 'a'.repeat(5000)), fc.string({ unit: 'grapheme-ascii', maxLength: 20 })),
      { maxKeys: 3 },
    ),
  },
);

// ---------------------------------------------------------------- the request ----

export interface AbstractRequest {
  route: RouteInfo;
  method: string;
  params: ParamValue[];
  query: string;
  auth: AuthChoice;
  contentType: string | undefined;
  origin: string | undefined;
  extraHeaders: Record<string, string>;
  body: BodyChoice;
  /** A Content-Length that does not match the body (rare). */
  badLength: boolean;
}

const otherMethods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** Writes reach the most code: they are picked more often than reads, and HEAD least. */
const methodWeight: Record<string, number> = { POST: 4, PUT: 3, DELETE: 2, GET: 2, HEAD: 1, OPTIONS: 1 };

export function requestArb(routes: RouteInfo[]): fc.Arbitrary<AbstractRequest> {
  const route = fc.oneof(...routes.map((r) => ({ weight: methodWeight[r.method] ?? 1, arbitrary: fc.constant(r) })));
  return route.chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof({ weight: 25, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...otherMethods) }),
      params: fc.tuple(...route.params.map(paramArb)),
      query: fc.oneof({ weight: route.method === 'GET' ? 3 : 1, arbitrary: queryArb(route.path) }, { weight: 2, arbitrary: fc.constant('') }),
      auth: authArb,
      contentType: contentTypeArb,
      origin: originArb,
      extraHeaders: extraHeadersArb,
      body: bodyChoiceArb(route),
      badLength: fc.oneof({ weight: 80, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  );
}
