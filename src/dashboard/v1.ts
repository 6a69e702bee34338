import { Ajv } from 'ajv';
import { addFormats } from '../core/ajv-formats.js';
import type { FastifyRequest } from 'fastify';
import type { Cause, EventLog } from '../modules/event-log/index.js';
import type { Audit } from '../modules/delivery/index.js';
import type { CustomersService } from '../modules/customers/index.js';
import type { DistributionsService } from '../modules/distributions/index.js';
import type { SegmentsService } from '../modules/segments/index.js';
import type { Session } from './session.js';

/**
 * Customers, segments and distributions have no management API (the /v1 API takes a project's server key, which
 * Tessera keeps only as a digest). The dashboard calls the services the /v1 routes call, checks bodies against the
 * same JSON schemas, and attributes changes to the signed-in user (source channel USER_PORTAL, as Voucherify's
 * dashboard does).
 */
export interface V1Services {
  customers: CustomersService;
  segments: SegmentsService;
  distributions: DistributionsService;
  log: EventLog;
  /** Read-only statistics for the overview (the audit log's own API is used for everything else). */
  audit: Audit;
}

// With the formats the API checks (date, email...), so that the dashboard refuses what the API would.
const ajv = addFormats(new Ajv({ coerceTypes: false, useDefaults: true, strict: false, allErrors: false }));
const compiled = new Map<object, ReturnType<typeof ajv.compile>>();

/** The first problem of a body against a /v1 body schema, worded like the API's ("Property .x must be ..."). */
export function bodyProblem(schema: object, body: unknown): string | undefined {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = ajv.compile(schema)));
  if (check(body)) return undefined;
  const e = check.errors![0]!;
  const where = e.instancePath ? `Property ${e.instancePath.replace(/\//g, '.')}` : 'Payload';
  return `${where} ${e.message ?? 'is invalid'}`;
}

export function userCause(req: FastifyRequest, projectId: string, session: Session): Cause {
  return { projectId, groupId: req.id, source: { channel: 'USER_PORTAL', user: { id: session.user.id } } };
}
