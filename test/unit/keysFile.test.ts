/** The keys file: records of their own, validated entry by entry, never echoing a key. */
import { describe, expect, it } from 'vitest';
import { keySetProblems, parseKeysFile } from '../../src/auth/keysFile.js';
import { createKeyring, keyIdOf } from '../../src/auth/keyring.js';

const KEY = 'web-key-0123456789abcdef';

describe('parseKeysFile', () => {
  it('reads clients, roles, keys, allow-lists and expiry', () => {
    const r = parseKeysFile(JSON.stringify([{ client: 'web', role: 'viewer', key: KEY, allow: ['10.0.0.0/8', '::1'], expiresAt: '2027-01-31T00:00:00Z' }]));
    expect(r).toEqual({ entries: [{ name: 'web', role: 'viewer', key: KEY, allow: ['10.0.0.0/8', '::1'], expiresAt: '2027-01-31T00:00:00Z' }] });
  });

  it('names each bad entry and field, never the key', () => {
    const secret = 'short-secret-x';
    const r = parseKeysFile(
      JSON.stringify([
        { client: 'web', role: 'root', key: KEY },
        { client: 'ops', role: 'admin', key: secret },
        { client: 'x', role: 'viewer', key: KEY, allow: ['10.0.0.0/40'] },
        { client: 'y', role: 'viewer', key: KEY, expiresAt: 'next tuesday' },
        { client: 'z', role: 'viewer', key: KEY, extra: 1 },
      ]),
    );
    expect('problems' in r).toBe(true);
    const text = 'problems' in r ? r.problems.join('\n') : '';
    expect(text).toMatch(/entry 0\.role/);
    expect(text).toMatch(/entry 1\.key: key must be at least 16 characters/);
    expect(text).toMatch(/entry 2\.allow\.0: .*prefix outside 0–32/);
    expect(text).toMatch(/entry 3\.expiresAt/);
    expect(text).toMatch(/entry 4/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(KEY);
    expect(parseKeysFile('{ not json')).toMatchObject({ problems: [expect.stringMatching(/not JSON/)] });
  });

  it('a key belongs to one client, and a client has one role', () => {
    expect(keySetProblems([{ name: 'a', role: 'viewer', key: KEY }, { name: 'b', role: 'viewer', key: KEY }])).toEqual([expect.stringMatching(/listed twice/)]);
    expect(keySetProblems([{ name: 'a', role: 'viewer', key: KEY }, { name: 'a', role: 'admin', key: `${KEY}2` }])).toEqual([expect.stringMatching(/different roles/)]);
    expect(keySetProblems([{ name: 'a', role: 'viewer', key: KEY }, { name: 'a', role: 'viewer', key: `${KEY}2` }])).toEqual([]);
  });
});

describe('keyring', () => {
  it('refuses an expired key, saying it expired, and a key from outside its allow-list; names clients by key id', () => {
    let now = Date.parse('2027-01-30T23:59:59Z');
    const ring = createKeyring(
      [
        { name: 'web', role: 'viewer', key: KEY, expiresAt: '2027-01-31T00:00:00Z' },
        { name: 'web', role: 'viewer', key: `${KEY}-new` },
        { name: 'lan', role: 'operator', key: `${KEY}-lan`, allow: ['10.0.0.0/8'] },
      ],
      { now: () => now },
    );
    expect(ring.check(KEY, '127.0.0.1')).toEqual({ ok: true, client: { name: 'web', role: 'viewer', keyId: keyIdOf(KEY) } });
    expect(keyIdOf(KEY)).toMatch(/^[0-9a-f]{12}$/);
    now += 1_000;
    expect(ring.check(KEY, '127.0.0.1')).toMatchObject({ ok: false, reason: 'expired', message: expect.stringMatching(/expired at 2027-01-31T00:00:00.000Z/) });
    expect(ring.check(`${KEY}-new`, '127.0.0.1')).toMatchObject({ ok: true, client: { name: 'web' } });
    expect(ring.check(`${KEY}-lan`, '127.0.0.1')).toMatchObject({ ok: false, reason: 'network' });
    expect(ring.check(`${KEY}-lan`, undefined)).toMatchObject({ ok: false, reason: 'network' });
    expect(ring.check(`${KEY}-lan`, '10.1.2.3')).toMatchObject({ ok: true, client: { name: 'lan' } });
    expect(ring.check('nope-nope-nope-nope', '10.1.2.3')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(ring.check(undefined, '10.1.2.3')).toMatchObject({ ok: false, reason: 'missing' });
  });
});
