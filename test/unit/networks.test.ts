/** Allow-lists and the client address: CIDR matching and X-Forwarded-For through trusted proxies only. */
import { describe, expect, it } from 'vitest';
import { clientAddress, createNetworks, normalizeAddress, parseCidr } from '../../src/auth/networks.js';

describe('networks', () => {
  it('matches IPv4 and IPv6 ranges, single hosts, and IPv4 seen as IPv6', () => {
    const n = createNetworks(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(n.has('10.200.3.4')).toBe(true);
    expect(n.has('11.0.0.1')).toBe(false);
    expect(n.has('192.168.1.7')).toBe(true);
    expect(n.has('192.168.1.8')).toBe(false);
    expect(n.has('2001:db8:1::5')).toBe(true);
    expect(n.has('2001:db9::1')).toBe(false);
    expect(n.has('::ffff:10.1.2.3')).toBe(true);
    expect(n.has('not an address')).toBe(false);
  });

  it('refuses what is not a CIDR, saying why', () => {
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix outside 0–32/);
    expect(parseCidr('10.0.0/8')).toMatch(/not an IPv4 or IPv6/);
    expect(parseCidr('2001:db8::/129')).toMatch(/prefix outside 0–128/);
    expect(parseCidr('10.0.0.0/8/1')).toMatch(/not a CIDR/);
    expect(parseCidr('10.0.0.0/x')).toMatch(/prefix/);
    expect(parseCidr('fe80::1%eth0')).toMatchObject({ address: 'fe80::1', prefix: 128 });
  });

  it('normalizes mapped and bracketed addresses', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('[::1]')).toBe('::1');
  });
});

describe('clientAddress', () => {
  const proxies = createNetworks(['127.0.0.1/32', '10.9.0.0/16']);
  const none = createNetworks([]);

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('127.0.0.1', '10.1.2.3', none)).toBe('127.0.0.1');
    expect(clientAddress('203.0.113.5', '10.1.2.3', proxies)).toBe('203.0.113.5');
  });

  it('through trusted proxies, is the first hop from the right they did not add', () => {
    expect(clientAddress('127.0.0.1', '10.1.2.3', proxies)).toBe('10.1.2.3');
    // A client that writes its own X-Forwarded-For gets it prepended to: the trusted chain ends at its real address.
    expect(clientAddress('127.0.0.1', '10.0.0.1, 198.51.100.7, 10.9.0.4', proxies)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:127.0.0.1', ['198.51.100.7', '10.9.0.4'], proxies)).toBe('198.51.100.7');
    // Every hop trusted: the leftmost is the best we know.
    expect(clientAddress('127.0.0.1', '10.9.1.1', proxies)).toBe('10.9.1.1');
    // A malformed hop stops at the last address vouched for.
    expect(clientAddress('127.0.0.1', 'garbage, 10.9.0.4', proxies)).toBe('10.9.0.4');
    expect(clientAddress('127.0.0.1', undefined, proxies)).toBe('127.0.0.1');
  });
});
