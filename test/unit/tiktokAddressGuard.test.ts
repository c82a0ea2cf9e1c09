/**
 * The TikTok connector's connect-time SSRF checks (src/connectors/tiktok/
 * addressGuard.ts, mediaClient.ts): a TikTok name that resolves to a
 * loopback, private, link-local (the metadata service), mapped or reserved
 * address is refused before any request — and the socket's own lookup
 * refuses it again — while public addresses pass.
 */
import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicOnlyLookup } from '../../src/connectors/tiktok/addressGuard.js';
import { createMediaClient } from '../../src/connectors/tiktok/mediaClient.js';
import type { UpstreamClient } from '../../src/upstreams/http.js';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '198.18.0.1', '::1', '::', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'fd00::1', 'fe80::1', 'ff02::1', '64:ff9b::7f00:1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(['23.45.67.89', '8.8.8.8', '172.32.0.1', '2606:4700::6810:84e5'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('connecting to a TikTok host', () => {
  const never: UpstreamClient = {
    name: 'tiktok-media',
    baseUrl: 'https://www.tiktok.com',
    request: () => Promise.reject(new Error('no request may be sent')),
    stats: () => ({ requests: 0, errors: 0, recentLatenciesMs: [] }),
    close: async () => undefined,
  };

  it('refuses a share link whose host resolves inside (a rebinding or a poisoned resolver), sending nothing', async () => {
    for (const addresses of [['127.0.0.1'], ['23.45.67.89', '169.254.169.254'], ['::ffff:192.168.1.1']]) {
      const client = createMediaClient({ http: never, maxRedirects: 5, resolveTimeoutMs: 1_000, thumbnailMaxBytes: 1024, resolveHost: async () => addresses });
      await expect(client.resolveLink('https://vm.tiktok.com/ZS00001/')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'ADDRESS_NOT_ALLOWED' } });
      await expect(client.copyThumbnail('https://p16-sign-va.tiktokcdn.com/obj/x.jpeg')).rejects.toMatchObject({ extensions: { reason: 'ADDRESS_NOT_ALLOWED' } });
    }
  });

  it("refuses at the socket too: the lookup handed to net.connect answers no special-purpose address", async () => {
    const err = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/not public/);
  });
});
