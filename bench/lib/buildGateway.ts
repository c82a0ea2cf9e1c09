/**
 * The gateway as the production image runs it: `npm run build` (tsc -p
 * tsconfig.build.json) compiles src/ to dist/, and the image's CMD is
 * `node dist/main.js` (Dockerfile). Scenarios that measure what users get
 * (throughput, bulkCsv) build once per run and start `dist/main.js` under
 * plain node, without tsx's loader (some 40 MiB of idle RSS and CPU at start).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from './proc.js';

/** Compiles the gateway to dist/; throws with tsc's output when it fails. */
export function buildGateway(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  if (out.status !== 0) throw new Error(`npm run build failed (${out.status ?? out.signal}):\n${(out.stdout ?? '') + (out.stderr ?? '')}`.slice(0, 4000));
}

/**
 * Another checkout's gateway (a BENCH_BASELINE_DIR, e.g. a `git worktree` of
 * an earlier commit with its own `npm ci`), built the way that checkout's
 * image builds it: its own `npm run build`, so its dist/ is its own code.
 */
export function buildCheckout(dir: string): void {
  if (!existsSync(join(dir, 'src/main.ts'))) throw new Error(`BENCH_BASELINE_DIR=${dir} holds no src/main.ts`);
  const out = spawnSync('npm', ['run', 'build'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (out.status !== 0) throw new Error(`npm run build in ${dir} failed (${out.status ?? out.signal}):\n${(out.stdout ?? '') + (out.stderr ?? '')}`.slice(0, 4000));
  if (!existsSync(join(dir, 'dist/main.js'))) throw new Error(`npm run build in ${dir} wrote no dist/main.js (the image's CMD)`);
}

/** BENCH_BASELINE_NODE_FLAGS=this: a baseline runs with this build's image flags, so a change of flags is not counted as one of code. */
export const baselineTakesTheseFlags = (): boolean => process.env.BENCH_BASELINE_NODE_FLAGS === 'this';

/** The node flags a baseline checkout runs with: its own image's (what its users ran), or this build's (baselineTakesTheseFlags). */
export function baselineNodeFlags(dir: string): string[] {
  return baselineTakesTheseFlags() ? imageNodeFlags() : imageNodeFlags(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
}

/** What `spawnNode` runs for the built gateway: the image's entry, no tsx. */
export const BUILT_GATEWAY = { script: 'dist/main.js', tsx: false } as const;

/**
 * The node flags the image gives its CMD: the runtime stage's (the last
 * FROM's) `ENV NODE_OPTIONS=…`, split into flags, so a bench runs the gateway
 * with what the Dockerfile says rather than a copy of it. [] when it sets none.
 */
export function imageNodeFlags(dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')): string[] {
  const runtime = dockerfile.split(/^FROM\s/m).pop() ?? '';
  let options = '';
  for (const line of runtime.split('\n')) {
    const m = /^ENV\s.*\bNODE_OPTIONS=("[^"]*"|\S+)/.exec(line);
    if (m?.[1]) options = m[1].replace(/^"|"$/g, '');
  }
  return options.split(/\s+/).filter(Boolean);
}

/** How a run's gateway heap reads in a table: the image's flags, or none. */
export function heapLabel(flags: readonly string[]): string {
  return flags.length > 0 ? flags.join(' ') : 'no heap cap (V8 sizes it)';
}
