import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values are secrets: they never reach a log line. */
export const redactedPaths = [
  'req.headers["x-app-token"]',
  'req.headers["x-client-token"]',
  'req.headers["x-management-token"]',
  'req.headers.authorization',
  'app_token',
  'token',
  'secret',
  'webhook_token',
  // Database errors carry the statement's parameters, which may hold secrets.
  'err.params',
  'params',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } });
}
