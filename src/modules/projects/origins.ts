/**
 * Client keys work only from the project's trusted domains. An entry is a host (`shop.example.com`), a wildcard
 * host (`*.example.com`, which matches subdomains only), a full origin (`https://shop.example.com:8443`, which
 * must match scheme, host and port), or `*` (any origin). The Origin header may be a full origin (what browsers
 * send) or a bare host name (what Voucherify's spec defines and its Node SDK passes on): either way the host must
 * be a well-formed name, so `http://.example.com` matches nothing.
 */
const hostName = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
const ipv6Host = /^\[[0-9a-f:.]+\]$/;

function parseOrigin(origin: string): { host: string; origin?: string } | undefined {
  const o = origin.trim().toLowerCase();
  if (o === '' || o === 'null') return undefined;
  if (o.includes('://')) {
    try {
      const u = new URL(o);
      if (!hostName.test(u.hostname) && !ipv6Host.test(u.hostname)) return undefined;
      return { host: u.hostname, origin: u.origin };
    } catch {
      return undefined;
    }
  }
  const host = o.split(':')[0]!.split('/')[0]!;
  return hostName.test(host) ? { host } : undefined;
}

export function originAllowed(origin: string | undefined, trusted: readonly string[]): boolean {
  if (origin === undefined) return false;
  const parsed = parseOrigin(origin);
  if (!parsed) return false;
  return trusted.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\/+$/, '');
    if (entry === '*') return true;
    if (entry.includes('://')) return parsed.origin !== undefined && parsed.origin === entry;
    // A subdomain: at least one whole label before the entry's domain.
    if (entry.startsWith('*.')) return parsed.host.length > entry.length - 1 && parsed.host.endsWith(entry.slice(1));
    return parsed.host === entry;
  });
}
