import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { newRequestId } from '../core/ids.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalog, TesseraError, type ErrorKey } from '../core/errors.js';
import { describeValidation } from './validation.js';

export function errorBody(err: TesseraError, requestId: string) {
  return {
    code: err.code,
    key: err.key,
    message: err.publicMessage,
    details: err.details ?? err.publicMessage,
    request_id: requestId,
    ...(err.resourceId !== undefined ? { resource_id: err.resourceId } : {}),
    ...(err.resourceType !== undefined ? { resource_type: err.resourceType } : {}),
    ...(err.ruleMessage !== undefined ? { error: { message: err.ruleMessage } } : {}),
  };
}

/** Fastify's own client errors (body parsing, limits, content types) in our catalog. */
const fastifyCodes: Record<string, { key: ErrorKey; details?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { key: 'invalid_payload', details: 'Invalid request payload JSON format' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { key: 'invalid_payload', details: 'Request payload must not be empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { key: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { key: 'unsupported_media_type', details: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { key: 'invalid_payload', details: 'Request body size did not match Content-Length' },
  FST_ERR_CTP_INVALID_TYPE: { key: 'unsupported_media_type' },
  FST_ERR_BAD_URL: { key: 'invalid_query_params', details: 'The URL is not validly percent-encoded' },
  FST_ERR_MAX_PARAM_LENGTH: { key: 'invalid_query_params', details: 'A path parameter is longer than 500 characters' },
};

export function toTesseraError(err: FastifyError | Error, bodyLimit: number): TesseraError | undefined {
  if (err instanceof TesseraError) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation) {
    const part = fe.validationContext ?? 'body';
    return new TesseraError(part === 'body' ? 'invalid_payload' : 'invalid_query_params', describeValidation(fe.validation as never, part));
  }
  const known = fe.code ? fastifyCodes[fe.code] : undefined;
  if (known) {
    const details = known.key === 'payload_too_large' ? `Request body is larger than ${bodyLimit} bytes` : known.details;
    return new TesseraError(known.key, details);
  }
  // A write into a project deleted meanwhile (a management call racing the project's deletion): the project is gone.
  const db = err as { code?: unknown; constraint?: unknown };
  if (db.code === '23503' && typeof db.constraint === 'string' && db.constraint.endsWith('_project_id_fkey')) {
    return new TesseraError('not_found', 'Cannot find the project: it was deleted while the request ran', { resourceType: 'project' });
  }
  // Any other write naming a row deleted meanwhile (a code published from a campaign being deleted): not found.
  const named = typeof db.constraint === 'string' ? /_([a-z]+)_id_fkey$/.exec(db.constraint) : null;
  if (db.code === '23503' && named && String((err as Error).message).startsWith('insert or update')) {
    return new TesseraError('not_found', `Cannot find the ${named[1]} this request names: it was deleted while the request ran`, { resourceType: named[1] });
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const entry = Object.entries(errorCatalog).find(([, v]) => v.code === fe.statusCode);
    return new TesseraError((entry?.[0] as ErrorKey) ?? 'invalid_payload', fe.message);
  }
  return undefined;
}

/** Fastify's frameworkErrors option: errors the router meets before hooks run, answered in the same shape. */
export function frameworkErrorHandler(bodyLimit: number) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const known = toTesseraError(err, bodyLimit) ?? new TesseraError('invalid_query_params', err.message);
    void reply.code(known.code).header('x-request-id', req.id).send(errorBody(known, req.id));
  };
}

/** How much of a refused body is read (and dropped) at most, and for how long, before the 413 is sent. */
const drainBytes = 16 * 1024 * 1024;
const drainMs = 5_000;

/**
 * Reads and drops what is left of a request body, up to a bound: a client still sending when the answer comes and
 * the connection closes sees a broken pipe instead of the answer. Past the bound the connection is closed anyway.
 */
function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData).off('end', done).off('close', done).off('error', done);
      req.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > drainBytes) done();
    };
    const timer = setTimeout(done, drainMs);
    req.on('data', onData).on('end', done).on('close', done).on('error', done);
    req.resume();
  });
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler(async (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = toTesseraError(err, bodyLimit);
    if (known) {
      if (known.code >= 500) req.log.error({ err }, 'request failed');
      if (known.key === 'payload_too_large') await drain(req.raw);
      return reply.code(known.code).send(errorBody(known, req.id));
    }
    req.log.error({ err }, 'unexpected error');
    return reply.code(500).send(errorBody(new TesseraError('internal_error', 'Something went wrong on our side; the request id helps to find out what'), req.id));
  });
  app.setNotFoundHandler(routeNotFound);
}

/** 404 for a route that does not exist; set in a scope too, so that the scope's hooks (keys, the API call log) run. */
export function routeNotFound(req: FastifyRequest, reply: FastifyReply) {
  const err = new TesseraError('not_found', `Route ${req.method} ${req.url.split('?')[0]} does not exist`);
  return reply.code(404).send(errorBody(err, req.id));
}

/**
 * What Node's HTTP parser refuses before any route (headers over its limit, a malformed request, a request too slow
 * to arrive), answered in Voucherify's error shape like every other error (Fastify's default has a shape of its own).
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new TesseraError('headers_too_large', 'The request line and headers are larger than the server accepts (16 KB by default): send long filters in a body or shorten the URL')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new TesseraError('request_timeout', 'The request did not arrive in time')
        : new TesseraError('invalid_payload', 'The request is not valid HTTP');
  const requestId = newRequestId();
  const body = JSON.stringify(errorBody(e, requestId));
  const status = { 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[e.code as number] ?? 'Bad Request';
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${e.code} ${status}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nx-request-id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}
