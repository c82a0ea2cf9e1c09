/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time per
 * function and per package, from the sample stream (samples + timeDeltas).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled wall time, ms. */
  totalMs: number;
  /** Time the thread was idle (waiting on I/O), ms. */
  idleMs: number;
  /** Busy time (everything but idle), ms. */
  busyMs: number;
  /** Top functions by self time, shares of busy time. */
  functions: SelfTime[];
  /** Self time by package / area, shares of busy time. */
  packages: Array<{ name: string; ms: number; share: number }>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Where a frame's code comes from: an npm package, Node itself, this repository, or V8. */
export function areaOf(frame: CallFrame, repoRoot: string): string {
  if (SPECIAL.has(frame.functionName) && !frame.url) return frame.functionName;
  const url = frame.url;
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(repoRoot)) return `crossdock ${path.slice(repoRoot.length).split('/').slice(0, 2).join('/')}`;
  return path;
}

function shortWhere(frame: CallFrame, repoRoot: string): string {
  if (!frame.url) return '';
  let path = frame.url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) path = path.slice(nm + 'node_modules/'.length);
  else if (path.startsWith(repoRoot)) path = path.slice(repoRoot.length);
  return `${path}:${frame.lineNumber + 1}`;
}

/**
 * `window` (µs on the profile's clock, CLOCK_MONOTONIC on Linux, the same one
 * as `process.hrtime`) keeps only the samples taken inside it, e.g. one load
 * phase; `windowApplied` in the result says whether any sample fell in it.
 */
export function summarizeCpuProfile(
  file: string,
  repoRoot: string,
  options: { top?: number; window?: { startUs: number; endUs: number } } = {},
): ProfileSummary & { windowApplied: boolean } {
  const top = options.top ?? 15;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const w = options.window;
  let windowApplied = false;
  if (w) {
    let t = profile.startTime;
    for (const d of deltas) {
      t += d;
      if (t >= w.startUs && t <= w.endUs) {
        windowApplied = true;
        break;
      }
    }
  }
  if (samples.length > 0 && deltas.length === samples.length) {
    // timeDeltas[i] is the time before sample i; the time sample i stands for is the next delta.
    let t = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0;
      if (windowApplied && w && (t < w.startUs || t > w.endUs)) continue;
      const id = samples[i] as number;
      const us = deltas[i + 1] ?? 0;
      selfUs.set(id, (selfUs.get(id) ?? 0) + us);
    }
  } else {
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0));
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * interval);
  }

  const fn = new Map<string, { name: string; where: string; us: number }>();
  const area = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const where = shortWhere(frame, repoRoot);
    const key = `${name}\u0000${where}`;
    const entry = fn.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    fn.set(key, entry);
    const a = areaOf(frame, repoRoot);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  return {
    windowApplied,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    functions: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: f.us / busyUs })),
    packages: [...area.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs })),
  };
}
