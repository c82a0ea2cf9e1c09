/**
 * The benches run the gateway with the image's node flags, read from the
 * Dockerfile's runtime stage (bench/lib/buildGateway.ts), so a figure is
 * taken with what production runs rather than a copy that can drift.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCheckout, heapLabel, imageNodeFlags } from '../../bench/lib/buildGateway.js';

describe('imageNodeFlags', () => {
  it("reads NODE_OPTIONS from the last stage's ENV, quoted or not", () => {
    const dockerfile = [
      'FROM node:20 AS build',
      'ENV NODE_OPTIONS=--max-old-space-size=4096',
      'FROM node:20 AS runtime',
      'ENV NODE_ENV=production PORT=4000',
      'ENV NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=16"',
      'CMD ["node", "dist/main.js"]',
    ].join('\n');
    expect(imageNodeFlags(dockerfile)).toEqual(['--max-old-space-size=192', '--max-semi-space-size=16']);
  });

  it('is empty when the runtime stage sets no NODE_OPTIONS, even if a build stage does', () => {
    expect(imageNodeFlags('FROM a AS build\nENV NODE_OPTIONS=--max-old-space-size=4096\nFROM b\nCMD ["node"]\n')).toEqual([]);
    expect(heapLabel([])).toMatch(/no heap cap/);
  });

  it("the repository's Dockerfile caps the old space, with the flags the README's Memory section gives", () => {
    const flags = imageNodeFlags();
    expect(flags.some((f) => /^--max-old-space-size=\d+$/.test(f))).toBe(true);
    const cap = flags.find((f) => f.startsWith('--max-old-space-size='))!.split('=')[1];
    expect(Number(cap)).toBeGreaterThan(0);
    // The README gives the value exactly as the Dockerfile sets it (quoted when it has several flags).
    const value = flags.length > 1 ? `"${flags.join(' ')}"` : flags.join(' ');
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(`NODE_OPTIONS=${value}`);
  });
});

describe('buildCheckout', () => {
  it('refuses a BENCH_BASELINE_DIR that is not a checkout of the gateway, before running any build there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-not-a-checkout-'));
    try {
      expect(() => buildCheckout(dir)).toThrow(`BENCH_BASELINE_DIR=${dir} holds no src/main.ts`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
