/**
 * The API description: @fastify/swagger collects every route through Fastify's onRoute hook (so routes added by
 * any module are described without a list to keep), this file adds what schemas do not say (authentication, tags,
 * path parameters, request examples), and @fastify/swagger-ui serves the reference page at /docs from the
 * swagger-ui-dist files installed with Tessera (nothing is fetched from a CDN).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { requestExamples } from './openapi-examples.js';

const areas = [
  { prefix: '/management/v1', tag: 'Management', security: 'management' },
  { prefix: '/client/v1', tag: 'Client-side', security: 'clientKey' },
  { prefix: '/v1', tag: 'Server-side', security: 'serverKey' },
] as const;

type Schema = Record<string, any>;

/** The tag of a /v1 path names its resource (Customers, Events...), the rest their area. */
function tagOf(url: string): string {
  const area = areas.find((a) => url.startsWith(`${a.prefix}/`));
  if (!area) return 'Operations';
  const resource = url.slice(area.prefix.length + 1).split('/')[0] ?? '';
  if (area.prefix !== '/v1' || resource === '') return area.tag;
  return resource.replace(/(^|[-_])([a-z])/g, (_m, _s, c: string) => ` ${c.toUpperCase()}`).trim();
}

function describe(schema: Schema | undefined, method: string, url: string): Schema {
  const out: Schema = { ...(schema ?? {}) };
  out.tags ??= [tagOf(url)];
  const area = areas.find((a) => url.startsWith(`${a.prefix}/`));
  if (area && out.security === undefined) out.security = [{ [`${area.security}Id`]: [], [`${area.security}Token`]: [] }];
  // Every :param of the path is declared, as OpenAPI requires, also where the route validates none.
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  if (names.length > 0) {
    const params: Schema = { type: 'object', ...(out.params ?? {}) };
    params.properties = { ...(params.properties ?? {}) };
    for (const n of names) params.properties[n] ??= { type: 'string' };
    params.required = names;
    out.params = params;
  }
  // Our extension on the /v1 and /client/v1 POSTs (api/idempotency.ts): the header is described, not validated here.
  if (method === 'POST' && (area?.prefix === '/v1' || area?.prefix === '/client/v1')) {
    const headers: Schema = { type: 'object', ...(out.headers ?? {}) };
    headers.properties = {
      ...(headers.properties ?? {}),
      'idempotency-key': {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        description: 'Runs the request once per key and project; a retry with the same key and request gets the first answer again (idempotent-replayed: true) for 24 hours',
      },
    };
    out.headers = headers;
  }
  const example = requestExamples[`${method} ${url}`];
  if (example !== undefined && out.body) out.body = { ...out.body, examples: [example] };
  return out;
}

const routeLists = new WeakMap<FastifyInstance, RouteOptions[]>();

/** Every route added to the app after registerOpenApi, hidden ones included (the OpenAPI test compares the two). */
export function registeredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return routeLists.get(app) ?? [];
}

/** Registers the document builder and /docs; call before any route is added. Serves the document at /openapi.json. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  const keyPair = (name: string, idHeader: string, tokenHeader: string, what: string) => ({
    [`${name}Id`]: { type: 'apiKey' as const, in: 'header', name: idHeader, description: `${what}: id` },
    [`${name}Token`]: { type: 'apiKey' as const, in: 'header', name: tokenHeader, description: `${what}: token` },
  });
  const list: RouteOptions[] = [];
  routeLists.set(app, list);
  app.addHook('onRoute', (route) => void list.push(route));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera API',
        version,
        description:
          "Tessera speaks Voucherify's API (server-side /v1, client-side /client/v1, management /management/v1) and adds its own " +
          'extensions (distributions, the webhook audit log, key regeneration, event types). Errors have the shape ' +
          '{code, key, message, details, request_id}.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          ...keyPair('serverKey', 'X-App-Id', 'X-App-Token', "A project's server-side key"),
          ...keyPair('clientKey', 'X-Client-Application-Id', 'X-Client-Token', "A project's client-side key (from a trusted origin)"),
          ...keyPair('management', 'X-Management-Id', 'X-Management-Token', "The instance's management credentials"),
        },
      },
    },
    transform: ({ schema, url, route }) => ({ schema: describe(schema as Schema, String(route.method), url) as never, url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** Whether a route appears in the document: hidden ones (the document itself, /docs assets, CORS preflights) do not. */
export function isDocumented(route: RouteOptions): boolean {
  return !(route.schema as Schema | undefined)?.hide;
}
