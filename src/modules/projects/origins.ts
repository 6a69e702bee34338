/**
 * Client keys work only from the project's trusted domains. An entry is a host (`shop.example.com`), a wildcard
 * host (`*.example.com`, which matches subdomains only), a full origin (`https://shop.example.com:8443`, which
 * must match scheme, host and port), or `*` (any origin).
 */
function parseOrigin(origin: string): { host: string; origin?: string } | undefined {
  const o = origin.trim().toLowerCase();
  if (o === '' || o === 'null') return undefined;
  if (o.includes('://')) {
    try {
      const u = new URL(o);
      return { host: u.hostname, origin: u.origin };
    } catch {
      return undefined;
    }
  }
  return { host: o.split(':')[0]!.split('/')[0]! };
}

export function originAllowed(origin: string | undefined, trusted: readonly string[]): boolean {
  if (origin === undefined) return false;
  const parsed = parseOrigin(origin);
  if (!parsed) return false;
  return trusted.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\/+$/, '');
    if (entry === '*') return true;
    if (entry.includes('://')) return parsed.origin !== undefined && parsed.origin === entry;
    if (entry.startsWith('*.')) return parsed.host.endsWith(entry.slice(1));
    return parsed.host === entry;
  });
}
