/** Who the playground fills the generated development key in for (src/server/playground.ts, issue 10 finding 15). */
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost, mayShowDevKey } from '../../src/server/playground.js';

describe('the development key goes to loopback callers only', () => {
  it('knows loopback Host headers from look-alikes', () => {
    for (const h of ['localhost', 'localhost:4000', 'LOCALHOST:4000', '127.0.0.1', '127.0.0.1:4000', '127.1.2.3:80', '[::1]', '[::1]:4000']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [undefined, '', 'evil.example', 'evil.example:4000', '127.0.0.1.evil.example', 'localhost.evil.example', 'localhost.', '10.0.0.5:4000', '[::2]:4000', '0.0.0.0:4000', '[::ffff:7f00:1]:4000'])
      expect(isLoopbackHost(h), String(h)).toBe(false);
  });

  it('knows loopback peers', () => {
    for (const a of ['127.0.0.1', '127.0.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of [undefined, '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1']) expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it('needs both: a stranger on the network sending Host: 127.0.0.1 gets no key', () => {
    expect(mayShowDevKey({ headers: { host: '127.0.0.1:4000' }, socket: { remoteAddress: '127.0.0.1' } })).toBe(true);
    expect(mayShowDevKey({ headers: { host: '127.0.0.1:4000' }, socket: { remoteAddress: '192.168.1.20' } })).toBe(false);
    expect(mayShowDevKey({ headers: { host: 'evil.example' }, socket: { remoteAddress: '127.0.0.1' } })).toBe(false);
  });
});
