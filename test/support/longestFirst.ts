/**
 * The suite's file order: the long files first, so the last minutes are not
 * one fork finishing a long file while the others sit idle.
 *
 * Vitest's own order runs the longest first once it has timed a run (its
 * results cache under node_modules/.vite), but a clean clone has none and
 * falls back to file size: the image replay (about a third of the suite's
 * fork time, in a 10 KB file) then started 44th of 159 and ended the run
 * with one fork busy. The files named here start first, in this order; every
 * other file keeps vitest's order. A stale entry only costs ordering; the list
 * is the files over ~15 s in a quiet run.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONG_FILES = [
  'test/repo/dockerfile.test.ts',
  'test/e2e/scaleOut.test.ts',
  'test/integration/shopifyBackfill.test.ts',
  'test/integration/ionTokens.test.ts',
  'test/integration/cli.test.ts',
  'test/e2e/syncCrash.test.ts',
  'test/e2e/erpExportCrash.test.ts',
  'test/integration/subscriptions.test.ts',
  'test/e2e/dashboard.test.ts',
  'test/integration/whatsapp.test.ts',
  'test/integration/fuzz.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FILES.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i < 0 ? LONG_FILES.length : i;
    };
    // Array.prototype.sort is stable: the unlisted files keep vitest's order.
    return ordered.sort((a, b) => rank(a) - rank(b));
  }
}
