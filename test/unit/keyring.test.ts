/**
 * A wrong key is refused in constant time (issue 6, acceptance 1): no early
 * exit on the first differing byte.
 *
 * Structurally, which is what makes the property hold and what cannot be
 * flaky: authentication hashes the whole presented key (SHA-256) before
 * anything is compared, then looks the digest up; the keyring keeps no
 * plaintext key to compare against (it never reads a configured key again
 * after it is built). node:crypto is wrapped to record what is hashed.
 *
 * And by measurement, as a second opinion: keys sharing a 511-character
 * prefix with a real 512-character key take the same time as keys differing
 * in the first character (the fastest of many interleaved batches).
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
  return { ...real, default: { ...real, createHash }, createHash };
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

  it('a near miss and a first-byte miss take the same time (fastest batches within 30%)', () => {
    const keyring = createKeyring([{ name: 'ops', role: 'operator', key: REAL }]);
    const near = Array.from({ length: 16 }, (_, i) => `${REAL.slice(0, -1)}${String.fromCharCode(33 + i)}`);
    const far = Array.from({ length: 16 }, (_, i) => `${String.fromCharCode(33 + i)}${REAL.slice(1)}`);
    const batch = (keys: string[]) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 1_000; i++) keyring.authenticate(keys[i % keys.length]);
      return Number(process.hrtime.bigint() - start);
    };
    // Interleaved batches, and each class's fastest: a busy machine (other test files run
    // alongside) only ever adds time, so the minimum is the intrinsic cost.
    batch(near);
    batch(far);
    let nearMin = Infinity;
    let farMin = Infinity;
    for (let s = 0; s < 60; s++) {
      if (s % 2 === 0) {
        nearMin = Math.min(nearMin, batch(near));
        farMin = Math.min(farMin, batch(far));
      } else {
        farMin = Math.min(farMin, batch(far));
        nearMin = Math.min(nearMin, batch(near));
      }
    }
    const ratio = nearMin / farMin;
    expect(ratio, `near/far = ${ratio.toFixed(3)}`).toBeGreaterThan(1 / 1.3);
    expect(ratio, `near/far = ${ratio.toFixed(3)}`).toBeLessThan(1.3);
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
