import { pino, type DestinationStream, type Logger } from 'pino';

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
  'headers',
  // Database errors carry the statement's parameters, which may hold secrets.
  'err.params',
  'params',
];

export interface LoggerOptions {
  /** Readable lines (pino-pretty) instead of JSON; by default when standard output is a terminal. */
  pretty?: boolean;
  /** Where lines go (tests); standard output by default. */
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const base = { level, redact: { paths: redactedPaths, censor: '[redacted]' } };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? (process.stdout.isTTY === true && level !== 'silent');
  if (!pretty) return pino(base);
  return pino({
    ...base,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}
