/**
 * A wrong key is refused in constant time (issue 6, acceptance 1): no early
 * exit on the first differing byte.
 *
 * Structurally, which is what makes the property hold and what cannot be
 * flaky: authentication hashes the whole presented key (SHA-256) before
 * anything is compared, then looks the digest up; the keyring keeps no
 * plaintext key to compare against (it never reads a configured key again
 * after it is built). node:crypto is wrapped to record what is hashed, by
 * either form (createHash's update, or the one-shot crypto.hash).
 * (A timed comparison of near and far misses stood here as a second opinion;
 * no test asserts a timing, issue 13: the structure above is the property.)
 */
import { describe, expect, it, vi } from 'vitest';

const probe = vi.hoisted(() => ({ recording: false, hashed: [] as string[] }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const createHash = ((algorithm: string, options?: unknown) => {
    const hash = real.createHash(algorithm, options as never);
    const update = hash.update.bind(hash);
    hash.update = ((data: string, encoding?: never) => {
      if (probe.recording) probe.hashed.push(`${algorithm}:${data}`);
      return update(data, encoding as never);
    }) as typeof hash.update;
    return hash;
  }) as typeof real.createHash;
  const hash = ((algorithm: string, data: string, outputEncoding?: never) => {
    if (probe.recording) probe.hashed.push(`${algorithm}:${data}`);
    return real.hash(algorithm, data, outputEncoding);
  }) as typeof real.hash;
  return { ...real, default: { ...real, createHash, hash }, createHash, hash };
});

const { createKeyring } = await import('../../src/auth/keyring.js');

const REAL = `cdk_${'a1B2c3D4'.repeat(63)}Zz9x`.slice(0, 512);

describe('constant-time key check', () => {
  it('hashes the whole presented key once, before any comparison, for every kind of wrong key', () => {
    const keyring = createKeyring([{ name: 'ops', role: 'operator', key: REAL }]);
    const presented = [
      `${REAL.slice(0, -1)}#`, // differs in the last byte
      `#${REAL.slice(1)}`, // differs in the first byte
      REAL.slice(0, 256), // a prefix
      'x'.repeat(512), // unrelated, same length
      REAL, // the real one
    ];
    for (const key of presented) {
      probe.hashed = [];
      probe.recording = true;
      const client = keyring.authenticate(key);
      probe.recording = false;
      expect(probe.hashed).toEqual([`sha256:${key}`]);
      expect(client === null).toBe(key !== REAL);
    }
  });

  it('keeps no plaintext key to compare with: configured keys are read only while the keyring is built', () => {
    let reads = 0;
    const entry = { name: 'ops', role: 'operator' as const };
    Object.defineProperty(entry, 'key', {
      enumerable: true,
      get() {
        reads++;
        return REAL;
      },
    });
    const keyring = createKeyring([entry as typeof entry & { key: string }]);
    const afterBuild = reads;
    keyring.authenticate(`${REAL.slice(0, -1)}#`);
    keyring.authenticate(`#${REAL.slice(1)}`);
    keyring.authenticate(REAL);
    expect(reads).toBe(afterBuild);
  });

  it('refuses empty and over-long keys without hashing them', () => {
    const keyring = createKeyring([{ name: 'ops', role: 'operator', key: REAL }]);
    probe.hashed = [];
    probe.recording = true;
    expect(keyring.authenticate(undefined)).toBeNull();
    expect(keyring.authenticate('')).toBeNull();
    expect(keyring.authenticate('k'.repeat(513))).toBeNull();
    probe.recording = false;
    // Length is not secret (every key is 16 to 512 characters); content is.
    expect(probe.hashed).toEqual([]);
  });
});
