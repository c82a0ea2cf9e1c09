/**
 * The last SSRF check, at connect time: a TikTok host name must resolve to
 * public addresses only. The allow-list (linkPolicy.ts) decides which names
 * may be fetched; this decides where a connection may go, so a name that
 * resolves (or is rebound) to a loopback, private, link-local or other
 * special-purpose address — the cloud metadata service at 169.254.169.254
 * among them — is never connected to. The answer checked is the one the
 * socket connects to (a lookup handed to net.connect), so there is no window
 * between checking and connecting (OWASP SSRF cheat sheet, "DNS pinning").
 *
 * Special-purpose ranges: RFC 6890 and the IANA IPv4/IPv6 special-purpose
 * address registries.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const special = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) special.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  // No ::ffff:0:0/96 here: BlockList checks an IPv4-mapped address against the IPv4 rules above, and
  // that range would match every IPv4 address too (Node's BlockList treats IPv4 as mapped).
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) special.addSubnet(net, prefix, 'ipv6');

/** Is this address one a public host name may resolve to (no loopback, private, link-local, mapped or reserved range)? */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !special.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError';
  readonly code = 'EADDRNOTALLOWED';
}

/** A lookup for net.connect that answers only public addresses, and fails the connection otherwise. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4);
    const list = addresses as LookupAddress[];
    const refused = list.filter((a) => !isPublicAddress(a.address));
    // One special-purpose answer among public ones is enough to refuse: a rebinding attacker mixes them.
    if (list.length === 0 || refused.length > 0) return callback(new AddressNotAllowedError(`${hostname} resolves to an address that is not public`), '', 4);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};
