/**
 * One measured phase against one target: a discarded warm-up, then the load,
 * with what the server and its upstreams did over exactly that phase —
 * server CPU (all threads, /proc/<pid>/stat), the sandbox's request counters
 * and CPU, VmRSS sampled throughout, and for Crossdock its own counters
 * (whole-response cache hits, entity cache misses) and log bytes.
 */
import { statSync } from 'node:fs';
import { fullStats, type SandboxProcess } from '../lib/crossdock.js';
import { load, type LoadResult } from '../lib/load.js';
import { cpuTimeMs, sleep } from '../lib/proc.js';
import { sampleRss } from '../lib/rssSampler.js';
import { parseSamples, sumOf } from './promCounters.js';
import { API_KEY, type Target } from './targets.js';

export interface PhaseResult {
  load: LoadResult;
  /** Server process CPU (user + system, all threads) per request, µs. */
  cpuUsPerRequest: number;
  /** The sandbox process's CPU per request, µs: the upstream work a query caused. */
  sandboxCpuUsPerRequest: number;
  /**
   * Upstream requests the sandbox counted over the phase, per request sent: the
   * requests still in flight when the window closed made their calls too.
   */
  upstreamPerQuery: number;
  /** Upstream requests by "origin endpoint" over the phase. */
  upstreamByEndpoint: Record<string, number>;
  /** Largest VmRSS during warm-up and load, bytes. */
  rssPeakBytes: number;
  /** VmRSS when the load ended, bytes. */
  rssEndBytes: number;
  /** Crossdock: share of requests answered from the whole-response cache. */
  responseCacheHitShare?: number;
  /** Crossdock: entity cache misses per request (0 when warm). */
  entityMissesPerQuery?: number;
  /** Bytes the server wrote to its log per request. */
  logBytesPerRequest?: number;
}

export interface PhaseOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

interface Snapshot {
  cpuMs: number;
  sandboxCpuMs: number;
  upstream: Record<string, number>;
  upstreamTotal: number;
  rcHit?: number;
  rcMiss?: number;
  entityMiss?: number;
  logBytes?: number;
}

async function crossdockCounters(t: Target): Promise<Pick<Snapshot, 'rcHit' | 'rcMiss' | 'entityMiss'>> {
  if (!t.metricsUrl) return {};
  const res = await fetch(t.metricsUrl, { headers: { 'x-api-key': API_KEY }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) return {};
  const text = await res.text();
  const samples = parseSamples(text);
  // prom-client declares every metric (# TYPE) but writes a labelled sample only after its first increment: declared means 0 until then.
  const declared = (name: string) => text.includes(`# TYPE ${name} `);
  const count = (name: string, where: Record<string, string>) => (declared(name) ? (sumOf(samples, name, where) ?? 0) : undefined);
  const hit = count('crossdock_response_cache_total', { result: 'hit' });
  const store = count('crossdock_response_cache_total', { result: 'store' });
  const skip = count('crossdock_response_cache_total', { result: 'skip' });
  // Executed and not kept: the key's first ask (the cache's doorkeeper, src/cache/responseCache.ts).
  const firstAsk = count('crossdock_response_cache_total', { result: 'first_ask' });
  return {
    rcHit: hit,
    rcMiss: store === undefined || skip === undefined || firstAsk === undefined ? undefined : store + skip + firstAsk,
    entityMiss: count('crossdock_cache_requests_total', { result: 'miss' }),
  };
}

async function snapshot(t: Target, sandbox: SandboxProcess): Promise<Snapshot> {
  const [cpuMs, sandboxCpuMs, fip, bc, counters] = await Promise.all([
    cpuTimeMs(t.child.pid),
    cpuTimeMs(sandbox.child.pid),
    fullStats(sandbox.fipOrigin),
    fullStats(sandbox.bcOrigin),
    crossdockCounters(t),
  ]);
  const upstream: Record<string, number> = {};
  for (const [name, s] of [['FinditParts', fip], ['BigCommerce', bc]] as const) {
    for (const [endpoint, n] of Object.entries(s.endpoints)) upstream[`${name} ${endpoint}`] = n;
  }
  let logBytes: number | undefined;
  if (t.logFile) {
    try {
      logBytes = statSync(t.logFile).size;
    } catch {
      logBytes = 0;
    }
  }
  return { cpuMs, sandboxCpuMs, upstream, upstreamTotal: fip.requests + bc.requests, ...counters, logBytes };
}

/** Long enough for the slowest server here (the per-item peer's p99 is a few hundred ms) to finish what it was sent. */
const SETTLE_MS = 500;

const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : b - a);

export async function measurePhase(t: Target, sandbox: SandboxProcess, o: PhaseOptions): Promise<PhaseResult> {
  const rss = sampleRss(t.child.pid);
  try {
    if (o.warmupSeconds > 0) await load(t.load, { connections: o.connections, seconds: o.warmupSeconds });
    // Requests in flight when a window closes still finish on the server (and call upstreams): let them, before counting.
    await sleep(SETTLE_MS);
    const before = await snapshot(t, sandbox);
    const r = await load(t.load, { connections: o.connections, seconds: o.seconds });
    await sleep(SETTLE_MS);
    const after = await snapshot(t, sandbox);
    const seen = await rss.stop();
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${t.label}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
    if (r.requests === 0) throw new Error(`${t.label}: no request completed`);
    const per = (n: number) => n / r.requests;
    const byEndpoint: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.upstream)) {
      const d = v - (before.upstream[k] ?? 0);
      if (d > 0) byEndpoint[k] = d;
    }
    const hit = diff(before.rcHit, after.rcHit);
    const miss = diff(before.rcMiss, after.rcMiss);
    const entityMiss = diff(before.entityMiss, after.entityMiss);
    const logBytes = diff(before.logBytes, after.logBytes);
    return {
      load: r,
      cpuUsPerRequest: per((after.cpuMs - before.cpuMs) * 1000),
      sandboxCpuUsPerRequest: per((after.sandboxCpuMs - before.sandboxCpuMs) * 1000),
      upstreamPerQuery: (after.upstreamTotal - before.upstreamTotal) / Math.max(1, r.sent),
      upstreamByEndpoint: byEndpoint,
      rssPeakBytes: seen.maxBytes,
      rssEndBytes: seen.lastBytes,
      ...(hit !== undefined && miss !== undefined ? { responseCacheHitShare: hit / Math.max(1, hit + miss) } : {}),
      ...(t.kind === 'crossdock' && entityMiss !== undefined ? { entityMissesPerQuery: per(entityMiss) } : {}),
      ...(logBytes !== undefined ? { logBytesPerRequest: per(logBytes) } : {}),
    };
  } finally {
    await rss.stop();
  }
}
