/**
 * Network ranges and the client address a request comes from.
 *
 * Ranges are CIDRs, IPv4 and IPv6 (`10.0.0.0/8`, `2001:db8::/32`, or a bare
 * address for one host), matched with Node's `net.BlockList`. An IPv4 address
 * seen as IPv6 (`::ffff:10.1.2.3`, as a dual-stack socket reports it) is
 * matched as the IPv4 address it is.
 *
 * The client address: the socket's peer, unless that peer is a trusted proxy
 * (TRUSTED_PROXIES); then X-Forwarded-For is read from the right, hop by hop,
 * while each hop is itself trusted — the first untrusted hop is the client
 * (the rule of RFC 7239 §7.4 and of `proxy-addr`). From anyone else the header
 * is ignored, so a client cannot name its own address past an allow-list.
 */
import { BlockList, isIP } from 'node:net';

export interface Networks {
  /** Whether `address` is in one of the ranges. */
  has(address: string): boolean;
  readonly size: number;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; brackets and zone ids dropped. */
export function normalizeAddress(raw: string): string {
  let a = raw.trim();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

/** Parses one CIDR; returns a message when it is not one. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | string {
  const [rawAddress, rawPrefix, ...rest] = text.trim().split('/');
  if (!rawAddress || rest.length) return `"${text}" is not a CIDR`;
  const address = normalizeAddress(rawAddress);
  const version = isIP(address);
  if (version === 0) return `"${text}" is not an IPv4 or IPv6 address or range`;
  const max = version === 4 ? 32 : 128;
  const prefix = rawPrefix === undefined ? max : Number(rawPrefix);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (rawPrefix !== undefined && !/^\d+$/.test(rawPrefix))) return `"${text}" has a prefix outside 0–${max}`;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The ranges; throws with the first bad entry (callers validate with parseCidr first). */
export function createNetworks(cidrs: readonly string[]): Networks {
  const list = new BlockList();
  for (const c of cidrs) {
    const parsed = parseCidr(c);
    if (typeof parsed === 'string') throw new Error(parsed);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return {
    size: cidrs.length,
    has(raw) {
      const address = normalizeAddress(raw);
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The client's address for a request whose socket peer is `peer`, reading
 * `forwardedFor` (the X-Forwarded-For header, all its values) only through
 * trusted proxies.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: Networks): string {
  let current = normalizeAddress(peer ?? '');
  if (!current || trusted.size === 0 || !trusted.has(current)) return current;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((h) => normalizeAddress(h))
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return current; // a malformed hop: stop at the last address we can vouch for
    current = hop;
    if (!trusted.has(hop)) return hop;
  }
  return current;
}
