/** The suite's order list (test/support/longestFirst.ts) names files that exist: a renamed file would silently lose its place. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LONG_FILES } from '../support/longestFirst.js';

it('every long file the sequencer starts first exists', () => {
  const root = join(import.meta.dirname, '..', '..');
  expect(LONG_FILES.filter((f) => !existsSync(join(root, f)))).toEqual([]);
  expect(new Set(LONG_FILES).size).toBe(LONG_FILES.length);
});
