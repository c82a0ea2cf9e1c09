/**
 * "Where the time goes": a server under `node --cpu-prof` for one load phase,
 * the profile summarized over that phase only (bench/lib/cpuProfile.ts), and
 * its Markdown.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeCpuProfile, type ProfileSummary } from '../lib/cpuProfile.js';
import { formatNumber, pct, table } from '../lib/format.js';
import { load, type LoadResult } from '../lib/load.js';
import { REPO_ROOT } from '../lib/proc.js';
import type { Target } from './targets.js';

export interface ProfiledRun {
  label: string;
  load: LoadResult;
  windowMs: number;
  summary: ProfileSummary & { windowApplied: boolean };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface ProfileOptions {
  label: string;
  /** Starts the server with these node flags and makes it ready (warm caches). */
  start: (nodeFlags: string[]) => Promise<Target>;
  dir: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export async function profileRun(o: ProfileOptions): Promise<ProfiledRun> {
  const profDir = mkdtempSync(join(o.dir, 'prof-'));
  const server = await o.start(['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  let result: LoadResult;
  let window: { startUs: number; endUs: number };
  try {
    await load(server.load, { connections: o.connections, seconds: o.warmupSeconds });
    const startUs = monotonicUs();
    result = await load(server.load, { connections: o.connections, seconds: o.seconds });
    window = { startUs, endUs: monotonicUs() };
    if (result.non2xx > 0 || result.errors > 0 || result.requests === 0) {
      throw new Error(`${o.label} (profiled): ${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
  } finally {
    // A graceful exit writes the profile; give the drain time before SIGKILL.
    await server.child.stop(30_000);
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${o.label}: no .cpuprofile written in ${profDir} (exit code ${server.child.child.exitCode})`);
  const summary = summarizeCpuProfile(join(profDir, file), REPO_ROOT, { top: 60, window });
  return { label: o.label, load: result, windowMs: (window.endUs - window.startUs) / 1000, summary };
}

export function usPerRequest(run: ProfiledRun): number {
  return Math.round((run.summary.busyMs * 1000) / Math.max(1, run.load.requests));
}

/** Share of busy main-thread time in areas whose name is, or starts with, one of `names`. */
export function shareOf(run: ProfiledRun, names: string[]): number {
  return run.summary.packages.filter((p) => names.some((n) => p.name === n || p.name.startsWith(n))).reduce((a, p) => a + p.share, 0);
}

export function profileMarkdown(run: ProfiledRun): string {
  const s = run.summary;
  return [
    `**${run.label}** — ${formatNumber(Math.round(run.load.rps))} req/s with the profiler attached; main thread busy ${formatNumber(Math.round(s.busyMs))} ms`,
    `of the ${formatNumber(Math.round(run.windowMs))} ms phase (${pct(s.busyMs / run.windowMs)}), ${usPerRequest(run)} µs of main-thread CPU per request${s.windowApplied ? '' : ' (whole process: the load phase could not be matched to the profile clock)'}.`,
    '',
    table(
      ['area (self time)', 'ms', 'share of busy'],
      s.packages.slice(0, 10).map((p) => [p.name, Math.round(p.ms), pct(p.share)]),
    ),
    '',
    table(
      ['top functions (self time)', 'where', 'ms', 'share of busy'],
      s.functions.slice(0, 12).map((f) => [`\`${f.name}\``, f.where ? `\`${f.where}\`` : '', Math.round(f.ms), pct(f.share)]),
    ),
  ].join('\n');
}
