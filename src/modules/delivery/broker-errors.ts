/**
 * What an attempt at a broker records when it fails. A broker's address and credentials stay in Tessera's
 * environment (README, Brokers), but client libraries put them in their errors (`connect ECONNREFUSED
 * 127.0.0.1:5672`), so network failures are told in neutral words, and anything else is cleaned of the address.
 */

/** Network error codes, in the words an attempt records for them. */
const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'its host name does not resolve',
  EAI_AGAIN: 'its host name does not resolve',
  EAI_NONAME: 'its host name does not resolve',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host unreachable',
  EADDRNOTAVAIL: 'address not available',
  // nats.js's own codes.
  CONNECTION_REFUSED: 'connection refused',
  CONNECTION_TIMEOUT: 'connection timed out',
};

/** The first network code among an error, its causes and an AggregateError's errors. */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && networkReasons[e.code]) return e.code;
  for (const inner of Array.isArray(e.errors) ? e.errors : []) {
    const code = networkCode(inner, depth + 1);
    if (code) return code;
  }
  return networkCode(e.cause, depth + 1);
}

/** The parts of a broker's URL that must not be shown: host, port, user, password, and the URL itself. */
function secretsOf(brokerUrl: string | undefined): string[] {
  if (!brokerUrl) return [];
  const parts = [brokerUrl];
  try {
    const u = new URL(brokerUrl);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    parts.push(u.host, host, u.port, u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password));
  } catch {
    // Not a URL: the whole string is all there is to hide.
  }
  return [...new Set(parts.filter((p) => p.length > 0))].sort((a, b) => b.length - a.length);
}

/** A failed attempt at broker `name` in words that name the broker and never its address or credentials. */
export function describeBrokerError(err: unknown, name: string, brokerUrl: string | undefined): string {
  const code = networkCode(err);
  if (code) return `broker '${name}' unreachable (${networkReasons[code]})`;
  const e = err as { name?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `broker '${name}' did not answer in time`;
  let text = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  for (const secret of secretsOf(brokerUrl)) text = text.split(secret).join(`<broker ${name}>`);
  // Any address the library found on its own (a DNS answer, a cluster member) goes too.
  return text
    .replace(/\[[0-9a-f:.]+\](:\d+)?/gi, '<address>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<address>')
    .replace(/\b[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}:\d+\b/gi, '<address>');
}
