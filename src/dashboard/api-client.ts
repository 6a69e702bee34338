import type { FastifyInstance } from 'fastify';
import type { Session } from './session.js';

/** What an API call answered: the status and the parsed JSON body (Voucherify's error shape on failure). */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  ok: boolean;
  headers: Record<string, unknown>;
}

/** An API refusal shown to the user: the error body's details (or message), as the API wrote them. */
export class ApiRefusal extends Error {
  constructor(readonly status: number, readonly body: any) {
    super(typeof body?.details === 'string' ? body.details : typeof body?.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

/**
 * The dashboard's way into Tessera: the same HTTP management API every client uses, called in-process with the
 * signed-in session's management credentials (or, for a team user, the process's delegation, which the API checks
 * against the user's roles). What the dashboard can do, an API user can do.
 */
export function apiClient(app: FastifyInstance, session: Session) {
  async function call<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown): Promise<ApiAnswer<T>> {
    const res = await app.inject({
      method,
      url: `/management/v1${path}`,
      headers: {
        ...session.headers,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });
    const body = res.body === '' ? undefined : (JSON.parse(res.body) as T);
    return { status: res.statusCode, body: body as T, ok: res.statusCode < 300, headers: res.headers };
  }

  /** The body of a successful call; an ApiRefusal otherwise. */
  async function must<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown): Promise<T> {
    const r = await call<T>(method, path, payload);
    if (!r.ok) throw new ApiRefusal(r.status, r.body);
    return r.body;
  }

  return { call, must };
}

export type ApiClient = ReturnType<typeof apiClient>;
