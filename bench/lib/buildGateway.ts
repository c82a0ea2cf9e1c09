/**
 * The gateway as the production image runs it: `npm run build` (tsc -p
 * tsconfig.build.json) compiles src/ to dist/, and the image's CMD is
 * `node dist/main.js` (Dockerfile). Scenarios that measure what users get
 * (throughput, bulkCsv) build once per run and start `dist/main.js` under
 * plain node, without tsx's loader (some 40 MiB of idle RSS and CPU at start).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { REPO_ROOT } from './proc.js';

/** Compiles the gateway to dist/; throws with tsc's output when it fails. */
export function buildGateway(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  if (out.status !== 0) throw new Error(`npm run build failed (${out.status ?? out.signal}):\n${(out.stdout ?? '') + (out.stderr ?? '')}`.slice(0, 4000));
}

/** What `spawnNode` runs for the built gateway: the image's entry, no tsx. */
export const BUILT_GATEWAY = { script: 'dist/main.js', tsx: false } as const;
