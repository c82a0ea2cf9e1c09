/**
 * The `engines` field is a promise: every runtime dependency in the lock must
 * support every Node version it claims (npm only warns, EBADENGINE, and then
 * the gateway may crash on the older Node). Dev-only packages are allowed to
 * differ when README's "Install warnings" names them and says why they are harmless.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
interface LockEntry { dev?: boolean; optional?: boolean; engines?: { node?: string } | string[] }
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

function nodeRange(e: LockEntry): string | undefined {
  return e.engines && !Array.isArray(e.engines) ? e.engines.node : undefined;
}
function unsupported(dev: boolean): string[] {
  return Object.entries(lock.packages)
    .filter(([path, e]) => path !== '' && Boolean(e.dev) === dev && nodeRange(e))
    .filter(([, e]) => !semver.subset(pkg.engines.node, nodeRange(e)!, { includePrerelease: false }))
    .map(([path, e]) => `${path.replace(/^.*node_modules\//, '')} (node ${nodeRange(e)})`);
}

describe('engines', () => {
  it(`every runtime dependency supports node ${pkg.engines.node}`, () => {
    expect(unsupported(false)).toEqual([]);
  });

  it('dev-only packages that ask for a newer Node are the ones README lists as harmless', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const missing = unsupported(true).filter((entry) => !readme.includes(entry.split(' (')[0]!));
    expect(missing).toEqual([]);
  });
});
