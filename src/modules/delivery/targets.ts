/** What every outgoing webhook (project endpoint or distribution channel) may target and which headers it may set. */
import { invalidPayload } from '../../core/errors.js';
import { checkHost } from '../../core/net-guard.js';

/**
 * Header names callers may not set: HTTP framing (hop-by-hop headers and Expect, which the HTTP client refuses to
 * send, so every delivery would fail) and the signature headers Tessera writes.
 */
export const reservedHeaders = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'x-voucherify-signature',
  'x-voucherify-signature-previous',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

export const headersSchema = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
  // A field value (RFC 9110 5.5): visible ASCII, space, tab and obs-text; no control characters, nothing the HTTP
  // client would refuse at send time.
  additionalProperties: { type: 'string', maxLength: 2000, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
} as const;

/**
 * Where a webhook (project endpoint or distribution channel) may send: http(s) only, no credentials in the URL,
 * and, unless private targets are allowed, no host that resolves to a blocked address. Returns the normalized URL.
 */
export async function checkTargetUrl(raw: string, allowPrivateTargets: boolean, field = '.target_url'): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidPayload(`Property ${field} must be an absolute http or https URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidPayload(`Property ${field} must use http or https`);
  if (url.username || url.password) throw invalidPayload(`Property ${field} must not carry credentials: send them as custom headers`);
  try {
    await checkHost(url.hostname, allowPrivateTargets);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ETESSERA_BLOCKED_TARGET') {
      throw invalidPayload(`Property ${field} is not allowed: ${e.message} (loopback, private, link-local and metadata addresses are refused unless private targets are allowed: for local development set TESSERA_ALLOW_PRIVATE_TARGETS=true or start Tessera with --allow-private-targets)`);
    }
    throw invalidPayload(`Property ${field} cannot be resolved: ${e.message ?? 'unknown host'}`);
  }
  return url.toString();
}

/** Custom headers may not set HTTP framing or Tessera's own headers. */
export function checkCustomHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (reservedHeaders.includes(name.toLowerCase())) {
      throw invalidPayload(`Property .headers must not set ${name}: it is reserved for HTTP framing or for Tessera's own headers`);
    }
    out[name] = value;
  }
  return out;
}
