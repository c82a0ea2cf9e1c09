/**
 * The throughput section's tables: per round, the summary beside bare
 * Fastify, memory, and Crossdock's own counters.
 */
import { formatNumber, mib, pct, table } from '../lib/format.js';
import type { PhaseResult } from './measurePhase.js';
import type { Target } from './targets.js';

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
/** autocannon records whole milliseconds; 0 means under 1 ms. */
export const latency = (n: number) => (n === 0 ? '<1 ms' : `${formatNumber(Math.round(n * 10) / 10)} ms`);
export const us = (n: number) => `${formatNumber(Math.round(n))} µs`;
const calls = (n: number) => (n === 0 ? '0' : n < 0.01 ? '<0.01' : formatNumber(Math.round(n * 100) / 100));

export interface Measured {
  target: Target;
  rounds: PhaseResult[];
  /** VmRSS after the last round, bytes. */
  afterRssBytes?: number;
}

export const meanRps = (m: Measured) => mean(m.rounds.map((r) => r.load.rps));
export const meanCpu = (m: Measured) => mean(m.rounds.map((r) => r.cpuUsPerRequest));
export const meanP99 = (m: Measured) => mean(m.rounds.map((r) => r.load.p99));

/** Mean of the per-round ratios of req/s to bare's in the same round. */
export function ratioToBare(m: Measured, bare: Measured): number {
  return mean(m.rounds.map((r, i) => r.load.rps / (bare.rounds[i]?.load.rps ?? Number.NaN)));
}

export function roundsTable(all: Measured[]): string {
  const rounds = Math.max(...all.map((m) => m.rounds.length));
  const rows: Array<Array<string | number>> = [];
  for (let i = 0; i < rounds; i++) {
    for (const m of all) {
      const r = m.rounds[i];
      if (!r) continue;
      rows.push([i + 1, m.target.label, Math.round(r.load.rps), latency(r.load.p50), latency(r.load.p99), r.load.requests, us(r.cpuUsPerRequest), us(r.sandboxCpuUsPerRequest), calls(r.upstreamPerQuery)]);
    }
  }
  return table(['round', 'target', 'req/s', 'p50', 'p99', 'requests', 'server CPU/req', 'sandbox CPU/req', 'upstream calls/query'], rows);
}

export function summaryTable(all: Measured[], bare: Measured): string {
  const bareCpu = meanCpu(bare);
  return table(
    ['target', 'mean req/s', 'vs bare (req/s)', 'mean p50', 'mean p99', 'server CPU/req', 'vs bare (CPU)', 'upstream calls/query', 'answer bytes (wire, headers included)', 'encoding'],
    all.map((m) => [
      m.target.label,
      Math.round(meanRps(m)),
      m === bare ? '100%' : pct(ratioToBare(m, bare)),
      latency(mean(m.rounds.map((r) => r.load.p50))),
      latency(meanP99(m)),
      us(meanCpu(m)),
      m === bare ? '100%' : pct(bareCpu / meanCpu(m)),
      calls(mean(m.rounds.map((r) => r.upstreamPerQuery))),
      Math.round(mean(m.rounds.map((r) => r.load.bytesPerAnswer))),
      m.target.encoding || 'none',
    ]),
  );
}

export function memoryTable(all: Measured[]): string {
  return table(
    ['target', 'RSS just after warm-up', 'RSS idle (warm, settled)', 'RSS peak under load', 'RSS after load'],
    all.map((m) => [
      m.target.label,
      m.target.idleRssBytes !== undefined ? mib(m.target.idleRssBytes) : 'n/a',
      m.target.settledRssBytes !== undefined ? mib(m.target.settledRssBytes) : 'n/a',
      mib(Math.max(...m.rounds.map((r) => r.rssPeakBytes))),
      m.afterRssBytes !== undefined ? mib(m.afterRssBytes) : 'n/a',
    ]),
  );
}

/** Upstream calls over every measured phase, by endpoint, and the requests sent in them. */
export function upstreamOverRun(m: Measured): { total: number; requests: number; byEndpoint: Record<string, number> } {
  const byEndpoint: Record<string, number> = {};
  let total = 0;
  for (const r of m.rounds) {
    for (const [k, v] of Object.entries(r.upstreamByEndpoint)) {
      byEndpoint[k] = (byEndpoint[k] ?? 0) + v;
      total += v;
    }
  }
  // Requests sent: the few still in flight when a window closed made their upstream calls too.
  return { total, requests: m.rounds.reduce((a, r) => a + r.load.sent, 0), byEndpoint };
}

export function upstreamTable(all: Measured[]): string {
  return table(
    ['target', 'requests sent', 'upstream calls over the run', 'by endpoint'],
    all
      .filter((m) => m.target.kind !== 'bare')
      .map((m) => {
        const u = upstreamOverRun(m);
        const by = Object.entries(u.byEndpoint)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ×${formatNumber(v)}`)
          .join('; ');
        return [m.target.label, u.requests, u.total, by || '—'];
      }),
  );
}

export function crossdockTable(all: Measured[]): string {
  const rows = all
    .filter((m) => m.target.kind === 'crossdock')
    .map((m) => {
      const hit = m.rounds.map((r) => r.responseCacheHitShare).filter((x): x is number => x !== undefined);
      const miss = m.rounds.map((r) => r.entityMissesPerQuery).filter((x): x is number => x !== undefined);
      const log = m.rounds.map((r) => r.logBytesPerRequest).filter((x): x is number => x !== undefined);
      return [
        m.target.label,
        m.target.responseCache === false ? 'off' : hit.length ? pct(mean(hit)) : 'n/a',
        miss.length ? calls(mean(miss)) : 'n/a',
        log.length ? formatNumber(Math.round(mean(log))) : 'n/a',
      ];
    });
  return table(['Crossdock target', 'answered from the response cache', 'entity cache misses/query', 'log bytes/request'], rows);
}
