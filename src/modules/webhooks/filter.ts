/**
 * Payload filters of webhook endpoints (our extension, like Convoy's subscription filters): conditions on the
 * message an event would send, all of which must hold for the endpoint to get it. Pure.
 *
 * A filter is an object of `path: condition`; a path names a field of the envelope by dots (`type`,
 * `data.customer.metadata.tier`, `event.event_source.channel`); a condition is a value (equal to it) or an object
 * of operators: `$eq`, `$ne`, `$in`, `$nin`, `$exists`, `$gt`, `$gte`, `$lt`, `$lte`. `$or` takes a list of
 * filters, one of which must hold. Where a path meets a list, `$eq` and `$in` hold when one of its items is equal.
 */
import { invalidPayload } from '../../core/errors.js';
import type { SendoutEvent } from '../delivery/index.js';

export type WebhookFilter = Record<string, unknown>;

const operators = new Set(['$eq', '$ne', '$in', '$nin', '$exists', '$gt', '$gte', '$lt', '$lte']);
const pathPattern = /^(type|data|event)(\.[A-Za-z0-9_\-$@:]{1,100}){0,10}$/;
const limits = { keys: 50, list: 100, orBranches: 10, bytes: 10_000, depth: 3 };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Refuses a filter Tessera could not apply as written (400 naming the part), so that none is silently ignored. */
export function checkFilter(filter: unknown, where = '.filter', depth = 0, counted = { keys: 0 }): void {
  if (depth === 0 && JSON.stringify(filter).length > limits.bytes) throw invalidPayload(`Property ${where} is larger than ${limits.bytes} bytes`);
  if (!isPlainObject(filter)) throw invalidPayload(`Property ${where} must be an object of field paths and conditions`);
  for (const [path, condition] of Object.entries(filter)) {
    if (++counted.keys > limits.keys) throw invalidPayload(`Property ${where} has more than ${limits.keys} conditions`);
    const at = `${where}.${path}`;
    if (path === '$or') {
      if (depth >= limits.depth) throw invalidPayload(`Property ${at} is nested more than ${limits.depth} deep`);
      if (!Array.isArray(condition) || condition.length === 0 || condition.length > limits.orBranches) throw invalidPayload(`Property ${at} must be a list of 1 to ${limits.orBranches} filters`);
      condition.forEach((branch, i) => checkFilter(branch, `${at}.${i}`, depth + 1, counted));
      continue;
    }
    if (!pathPattern.test(path)) throw invalidPayload(`Property ${where}: '${path}' is not a field path (type, data.… or event.…, keys joined by dots)`);
    if (!isPlainObject(condition)) {
      if (!isScalar(condition)) throw invalidPayload(`Property ${at} must be a string, number, boolean, null or an object of operators`);
      continue;
    }
    const ops = Object.entries(condition);
    if (ops.length === 0) throw invalidPayload(`Property ${at} has no operator`);
    for (const [op, operand] of ops) {
      if (!operators.has(op)) throw invalidPayload(`Property ${at}: ${op} is not an operator; use ${[...operators].join(', ')}`);
      if (op === '$in' || op === '$nin') {
        if (!Array.isArray(operand) || operand.length === 0 || operand.length > limits.list || !operand.every(isScalar)) {
          throw invalidPayload(`Property ${at}.${op} must be a list of 1 to ${limits.list} strings, numbers, booleans or nulls`);
        }
      } else if (op === '$exists') {
        if (typeof operand !== 'boolean') throw invalidPayload(`Property ${at}.$exists must be true or false`);
      } else if (op === '$eq' || op === '$ne') {
        if (!isScalar(operand)) throw invalidPayload(`Property ${at}.${op} must be a string, number, boolean or null`);
      } else if (typeof operand !== 'number' && typeof operand !== 'string') {
        throw invalidPayload(`Property ${at}.${op} must be a number or a string (dates as ISO 8601 text compare in order)`);
      }
    }
  }
}

function resolve(subject: unknown, path: string): unknown {
  let at: unknown = subject;
  for (const key of path.split('.')) {
    if (!isPlainObject(at) || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

const equal = (value: unknown, operand: unknown) => value === operand || (Array.isArray(value) && value.some((x) => x === operand));

function compare(value: unknown, operand: unknown, holds: (a: number) => boolean): boolean {
  if (typeof value === 'number' && typeof operand === 'number') return holds(value - operand);
  if (typeof value === 'string' && typeof operand === 'string') return holds(value < operand ? -1 : value > operand ? 1 : 0);
  return false;
}

function conditionHolds(value: unknown, condition: unknown): boolean {
  if (!isPlainObject(condition)) return equal(value, condition);
  return Object.entries(condition).every(([op, operand]) => {
    switch (op) {
      case '$eq':
        return equal(value, operand);
      case '$ne':
        return !equal(value, operand);
      case '$in':
        return (operand as unknown[]).some((o) => equal(value, o));
      case '$nin':
        return !(operand as unknown[]).some((o) => equal(value, o));
      case '$exists':
        return (value !== undefined) === operand;
      case '$gt':
        return compare(value, operand, (d) => d > 0);
      case '$gte':
        return compare(value, operand, (d) => d >= 0);
      case '$lt':
        return compare(value, operand, (d) => d < 0);
      case '$lte':
        return compare(value, operand, (d) => d <= 0);
      default:
        return false;
    }
  });
}

/** Whether a message (its envelope's type, data and event) passes the filter; no filter passes everything. */
export function passes(filter: WebhookFilter | null, subject: { type: string; data: unknown; event: Record<string, unknown> }): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, condition]) =>
    path === '$or' ? (condition as WebhookFilter[]).some((branch) => passes(branch, subject)) : conditionHolds(resolve(subject, path), condition),
  );
}

/** What a filter reads of a message: its envelope's type, data and event. */
export const filterSubject = (r: SendoutEvent) => ({
  type: r.type,
  data: r.data,
  event: { id: r.id, type: r.type, created_at: r.createdAt.toISOString(), entity_id: r.entityId, group_id: r.groupId, event_source: r.eventSource },
});
