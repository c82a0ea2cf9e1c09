#!/usr/bin/env node
/**
 * Fails when package-lock.json no longer matches package.json — the state in
 * which `npm ci` refuses to install ("can only install packages when your
 * package.json and package-lock.json are in sync") and `npm install` rewrites
 * the lock. It lets npm itself recompute the lock from a copy of the two files
 * (`--package-lock-only --ignore-scripts`: no node_modules, no scripts) and
 * compares the result with the committed lock, so the rule is npm's own, not
 * a re-implementation of it.
 *
 * Usage: node scripts/checkLockfile.mjs [projectDir]   (default: the repo root)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..'));
const lockPath = join(dir, 'package-lock.json');
if (!existsSync(lockPath)) {
  console.error(`checkLockfile: ${lockPath} is missing. Run \`npm install\` and commit package-lock.json.`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'crossdock-lock-'));
try {
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) {
    if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(work, f));
  }
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
  });
  const committed = JSON.parse(readFileSync(lockPath, 'utf8'));
  const recomputed = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8'));
  const a = JSON.stringify(committed);
  const b = JSON.stringify(recomputed);
  if (a !== b) {
    const changed = diffPackages(committed.packages ?? {}, recomputed.packages ?? {});
    console.error(
      'checkLockfile: package-lock.json is out of date with package.json, so `npm ci` would refuse to install.\n' +
        `  differs in: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ` and ${changed.length - 10} more` : ''}\n` +
        '  fix: run `npm install` and commit the updated package-lock.json.',
    );
    process.exit(1);
  }
  console.log('checkLockfile: package-lock.json matches package.json.');
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Lock entries ("" is the root's own dependency lists) that were added, removed or changed. */
function diffPackages(before, after) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => (k === '' ? '(root dependencies)' : k.replace(/^node_modules\//, '')));
}
