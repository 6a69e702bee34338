import { TesseraError } from '../../core/errors.js';
import { checkHost } from '../../core/net-guard.js';
import { reservedHeaders } from './schemas.js';

function invalid(details: string): TesseraError {
  return new TesseraError('invalid_payload', details);
}

/**
 * Where a webhook (project endpoint or distribution channel) may send: http(s) only, no credentials in the URL,
 * and, unless private targets are allowed, no host that resolves to a blocked address. Returns the normalized URL.
 */
export async function checkTargetUrl(raw: string, allowPrivateTargets: boolean, field = '.target_url'): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`Property ${field} must be an absolute http or https URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`Property ${field} must use http or https`);
  if (url.username || url.password) throw invalid(`Property ${field} must not carry credentials: send them as custom headers`);
  try {
    await checkHost(url.hostname, allowPrivateTargets);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ETESSERA_BLOCKED_TARGET') {
      throw invalid(`Property ${field} is not allowed: ${e.message} (loopback, private, link-local and metadata addresses are refused unless private targets are allowed: for local development set TESSERA_ALLOW_PRIVATE_TARGETS=true or start Tessera with --allow-private-targets)`);
    }
    throw invalid(`Property ${field} cannot be resolved: ${e.message ?? 'unknown host'}`);
  }
  return url.toString();
}

/** Custom headers may not set HTTP framing or Tessera's own headers. */
export function checkCustomHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (reservedHeaders.includes(name.toLowerCase())) {
      throw invalid(`Property .headers must not set ${name}: it is reserved for HTTP framing or for Tessera's own headers`);
    }
    out[name] = value;
  }
  return out;
}
