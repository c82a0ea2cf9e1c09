/**
 * What a production gateway wrote to its log (`startGateway(…, 'image')`
 * appends its output to `gateway.log` in the data directory): the warnings
 * and errors of a run, so a section says whether production showed any.
 * The logger writes one JSON object a line with the level as its label
 * (src/observability/logger.ts); of anything else (the start-up banner
 * main.ts prints, a crash's stack) a line naming an error or a stack frame
 * counts as an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GatewayLogSummary {
  lines: number;
  warn: number;
  error: number;
  /** Up to five distinct messages of warnings and errors. */
  samples: string[];
}

export function gatewayLogSummary(dataDir: string): GatewayLogSummary {
  const file = join(dataDir, 'gateway.log');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const summary: GatewayLogSummary = { lines: 0, warn: 0, error: 0, samples: [] };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    summary.lines++;
    let level = /error|exception|^\s+at .+:\d+:\d+\)?$/i.test(line) ? 'error' : 'info';
    let msg = line.slice(0, 200);
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; alert?: unknown };
      level = typeof entry.level === 'string' ? entry.level : 'info';
      if (typeof entry.msg === 'string') msg = entry.msg;
      // Which alert rule (src/observability/operationsMonitor.ts logs `alert firing` with its name).
      if (typeof entry.alert === 'string') msg += ` (${entry.alert})`;
    } catch {
      // not the logger's JSON: the banner, or a runtime's own output
    }
    if (level === 'warn') summary.warn++;
    else if (level === 'error' || level === 'fatal') summary.error++;
    else continue;
    const sample = `${level}: ${msg}`;
    if (summary.samples.length < 5 && !summary.samples.includes(sample)) summary.samples.push(sample);
  }
  return summary;
}

/** One line for a section: counts, and the distinct messages when there are any. */
export function gatewayLogLine(s: GatewayLogSummary, who = 'The gateway'): string {
  const seen = s.samples.length ? `: ${s.samples.map((m) => `\`${m.replace(/`/g, "'")}\``).join(', ')}` : '';
  return `${who} logged ${s.lines.toLocaleString('en-US')} lines at the default level, ${s.warn} warnings and ${s.error} errors${seen}.`;
}

/**
 * The gateway's own timing of its POST /graphql requests, in the order it logged them: each request
 * line's `durationMs` (fastify's reply.elapsedTime when the answer was sent, compression included),
 * what the server took without the load generator's share of a busy machine.
 */
export function graphqlRequestDurations(dataDir: string): number[] {
  const out: number[] = [];
  const file = join(dataDir, 'gateway.log');
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"msg":"request"')) continue;
    try {
      const r = JSON.parse(line) as { route?: string; method?: string; durationMs?: number };
      if (r.route === '/graphql' && r.method === 'POST' && typeof r.durationMs === 'number') out.push(r.durationMs);
    } catch {
      // a line cut by the stop: not a request line
    }
  }
  return out;
}
