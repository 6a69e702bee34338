import type { ApiCall } from './types.js';

/** A logged call as the management API answers it. */
export function apiCallObject(c: ApiCall) {
  return {
    id: c.id,
    object: 'api_call' as const,
    request_id: c.request_id,
    created_at: c.created_at.toISOString(),
    method: c.method,
    path: c.path,
    route: c.route,
    status: c.status,
    error_key: c.error_key,
    channel: c.channel,
    app_id: c.app_id,
    ip: c.ip,
    duration_ms: c.duration_ms,
    request_body: c.request_body,
    response_body: c.response_body,
  };
}
