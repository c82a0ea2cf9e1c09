/**
 * Reproducible installs: the committed lock is what `npm ci` installs, so it
 * must match package.json (a stale lock makes `npm ci` refuse and `npm install`
 * rewrite it). scripts/checkLockfile.mjs asks npm to recompute the lock and
 * compares; here it is run on the repo, and on a copy made stale on purpose.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'checkLockfile.mjs');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('package-lock.json', () => {
  it('matches package.json, so `npm ci` installs exactly the committed lock', () => {
    const out = execFileSync(process.execPath, [script, root], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('matches package.json');
  });

  it("the benchmark peer's own lock (bench/peer) matches its package.json too", () => {
    const out = execFileSync(process.execPath, [script, join(root, 'bench', 'peer')], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('matches package.json');
  });

  it('a dependency added to package.json only fails the check with a message that says what to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-stale-'));
    temps.push(dir);
    copyFileSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // tslib is already in the lock as a transitive dependency, so the check needs no download.
    pkg.dependencies.tslib = '^2.4.0';
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const res = spawnSync(process.execPath, [script, dir], { encoding: 'utf8', timeout: 120_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('package-lock.json is out of date with package.json');
    expect(res.stderr).toContain('run `npm install` and commit');
    expect(res.stderr).toContain('(root dependencies)');
  });
});
