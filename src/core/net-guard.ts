import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks must not go unless the instance allows private targets: loopback, private, shared, link-local
 * (cloud metadata at 169.254.169.254), multicast, reserved and unspecified ranges, in IPv4 and IPv6, and IPv6
 * addresses that carry a blocked IPv4 address (embeddedIPv4).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form (::a.b.c.d).
  ['::', 96],
  // NAT64, well-known prefix (RFC 6052) and local-use prefix (RFC 8215). The local-use one is not globally
  // reachable, and where in it the IPv4 address sits depends on a prefix length only its operator knows.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an address isIP accepted as IPv6 (without a zone id): `::` expanded, a dotted tail split. */
function ipv6Groups(address: string): number[] {
  let head = address;
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(head);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    head = head.slice(0, dotted.index);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [left, right] = head.split('::') as [string, string | undefined];
  const l = hex(left);
  const r = right === undefined ? [] : hex(right);
  const zeros = right === undefined ? 0 : 8 - l.length - r.length - tail.length;
  return [...l, ...new Array<number>(zeros).fill(0), ...r, ...tail];
}

const ipv4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/**
 * The IPv4 addresses an IPv6 address carries, and that a connection to it may end up reaching: IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96, and
 * 64:ff9b:1::/48 in its /96 layout), 6to4 (2002::/16, bits 16..47) and Teredo (2001::/32: the server in bits
 * 32..63, the client in the last 32 bits, inverted).
 */
function embeddedIPv4(g: number[]): string[] {
  const [a, b, c, d, e, f, hi, lo] = g as [number, number, number, number, number, number, number, number];
  const found: string[] = [];
  if (a === 0 && b === 0 && c === 0 && d === 0 && ((e === 0 && (f === 0 || f === 0xffff)) || (e === 0xffff && f === 0))) {
    found.push(ipv4(hi, lo));
  }
  if (a === 0x64 && b === 0xff9b && (c === 1 || (c === 0 && d === 0 && e === 0 && f === 0))) found.push(ipv4(hi, lo));
  if (a === 0x2002) found.push(ipv4(b, c));
  if (a === 0x2001 && b === 0) found.push(ipv4(c, d), ipv4(hi ^ 0xffff, lo ^ 0xffff));
  return found;
}

/** Why address is blocked ('' for a blocked range, or the blocked IPv4 address it carries), or undefined if it is not. */
function blockedBecause(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4') ? '' : undefined;
  // A zone id (fe80::1%eth0) only scopes link-local and multicast addresses, which are blocked anyway.
  if (family !== 6 || address.includes('%')) return '';
  const groups = ipv6Groups(address.toLowerCase());
  if (groups.length !== 8) return '';
  if (blocked.check(groups.map((x) => x.toString(16)).join(':'), 'ipv6')) return '';
  return embeddedIPv4(groups).find((v4) => blocked.check(v4, 'ipv4'));
}

export function isBlockedAddress(address: string): boolean {
  return blockedBecause(address) !== undefined;
}

/** " (it carries 127.0.0.1)" for an IPv6 address blocked for the IPv4 address inside it, so the refusal says why. */
function carried(address: string): string {
  const v4 = blockedBecause(address);
  return v4 ? ` (it carries ${v4})` : '';
}

export class BlockedTargetError extends Error {
  readonly code = 'ETESSERA_BLOCKED_TARGET';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A dns.lookup for outgoing connections that refuses blocked addresses: checked again at connect time, so a name
 * that resolved to a public address when the endpoint was saved cannot be pointed at an internal one later.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isBlockedAddress(a.address));
      if (bad) return callback(new BlockedTargetError(`${hostname} resolves to ${bad.address}, a blocked address${carried(bad.address)}`), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Resolves a host the way connections will; refuses blocked addresses unless allowed. */
export async function checkHost(hostname: string, allowPrivate: boolean): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (!allowPrivate && isBlockedAddress(host)) throw new BlockedTargetError(`${host} is a blocked address${carried(host)}`);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    guardedLookup(allowPrivate)(host, { all: true }, (err) => (err ? reject(err) : resolve()));
  });
}
