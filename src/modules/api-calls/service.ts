import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { metrics } from '../../core/metrics.js';
import type { Db } from '../../store/db.js';
import * as sql from './sql.js';
import type { ApiCall, ApiCallFilter, ApiLogMode } from './types.js';

/** What the API layer hands over of one answered call. */
export interface CallInput {
  projectId: string;
  requestId: string;
  method: string;
  path: string;
  route: string | null;
  status: number;
  channel: 'API' | 'CLIENT_API';
  appId: string | null;
  ip: string | null;
  durationMs: number;
  /** The parsed request body (undefined: none). */
  requestBody: unknown;
  /** The answer's bytes, when they are text. */
  responseBody: string | undefined;
}

/** Largest body kept, in characters; a longer one is cut and says so. */
export const bodyLimit = 16 * 1024;
/** Calls waiting to be written at most; beyond it the oldest waiting are dropped (and counted). */
const bufferLimit = 20_000;
const flushEveryMs = 250;
const flushAt = 500;

/** Keys whose values never reach the log, at any depth. */
const secretKeys = /^(client_secret|secret|password|token|access_token|app_token|refresh_token)$/i;

/** Keys of URLs whose query string (and fragment) may carry a receiver's token: kept without it. */
const targetKeys = /^(target_url|url)$/i;

/** A URL without its query string and fragment, which say that they were there. */
function withoutQuery(url: string): string {
  const at = url.search(/[?#]/);
  return at < 0 ? url : `${url.slice(0, at)}?[redacted]`;
}

function redactedEntry(key: string, value: unknown, depth: number): unknown {
  if (secretKeys.test(key)) return '[redacted]';
  if (targetKeys.test(key) && typeof value === 'string') return withoutQuery(value);
  // Custom headers (a webhook's, a distribution channel's) hold receivers' credentials: their names are kept.
  if (key === 'headers' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).map((name) => [name, '[redacted]']));
  }
  return redacted(value, depth + 1);
}

function redacted(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redacted(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactedEntry(k, v, depth)]));
}

function cut(text: string): string {
  return text.length <= bodyLimit ? text : `${text.slice(0, bodyLimit)}… [cut: ${text.length} characters in all]`;
}

function bodyText(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return cut(body);
  try {
    return cut(JSON.stringify(redacted(body)));
  } catch {
    return null;
  }
}

function errorKeyOf(status: number, response: string | undefined): string | null {
  if (status < 400 || response === undefined) return null;
  const m = /"key"\s*:\s*"([^"]{1,100})"/.exec(response.slice(0, 2000));
  return m ? m[1]! : null;
}

export interface ApiCallsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mode: ApiLogMode;
  retentionDays: number;
}

export function createApiCalls(deps: ApiCallsDeps) {
  const { db, clock, logger, mode } = deps;
  let buffer: ApiCall[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  /** Whether a call with this status is kept. */
  const keeps = (status: number) => mode === 'all' || (mode === 'errors' && status >= 400);

  function record(c: CallInput): void {
    if (!keeps(c.status)) return;
    const failed = c.status >= 400;
    const now = clock.now();
    buffer.push({
      id: newSortableId('call', now),
      project_id: c.projectId,
      request_id: c.requestId,
      method: c.method,
      path: cut(c.path),
      route: c.route,
      status: c.status,
      error_key: errorKeyOf(c.status, c.responseBody),
      channel: c.channel,
      app_id: c.appId,
      ip: c.ip,
      duration_ms: Math.max(0, Math.round(c.durationMs)),
      request_body: failed ? bodyText(c.requestBody) : null,
      response_body: failed && c.responseBody !== undefined ? cut(c.responseBody) : null,
      created_at: now,
    });
    if (buffer.length > bufferLimit) {
      metrics.apiCallsDropped.inc(buffer.length - bufferLimit);
      buffer = buffer.slice(buffer.length - bufferLimit);
    }
    if (buffer.length >= flushAt) void flush();
    else timer ??= setTimeout(() => void flush(), flushEveryMs);
  }

  /** Writes what waits (one statement per batch, one batch at a time); a failed batch is logged and dropped. */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(async () => {
      while (buffer.length > 0) {
        const batch = buffer.splice(0, 1000);
        try {
          await sql.insertCalls(db, batch);
        } catch (err) {
          metrics.apiCallsDropped.inc(batch.length);
          logger.warn({ err, calls: batch.length }, 'API call log: a batch could not be written and was dropped');
        }
      }
    });
    return writing;
  }

  async function list(f: ApiCallFilter): Promise<{ calls: ApiCall[]; hasMore: boolean }> {
    await flush();
    const rows = await sql.selectCalls(db, { ...f, limit: f.limit + 1 });
    return { calls: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
  }

  async function get(projectId: string, id: string): Promise<ApiCall> {
    await flush();
    const row = await sql.selectCall(db, projectId, id);
    if (!row) throw notFound('api_call', id);
    return row;
  }

  /** Deletes calls older than the retention, oldest first. */
  async function prune(batchSize: number): Promise<number> {
    return sql.deleteCallsBefore(db, new Date(clock.now().getTime() - deps.retentionDays * 86_400_000), batchSize);
  }

  return { mode, record, flush, list, get, prune };
}

export type ApiCalls = ReturnType<typeof createApiCalls>;
