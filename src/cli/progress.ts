/**
 * What the CLI shows about a sync job, as pure functions of job snapshots:
 * the live progress bar (TTY), the one-line-per-update log form (pipes, CI),
 * the throttle deciding which updates get a log line, the end-of-job summary
 * and the `status` listing. Nothing here touches a stream, a clock or the
 * network, so every format is unit-tested (test/unit/cliProgress.test.ts)
 * and main.ts only decides where the strings go.
 */

export type SyncStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
export type SyncPhase = 'QUEUED' | 'READING_SUPPLIER' | 'READING_STORE' | 'WRITING' | 'DONE';

export interface ProgressSnapshot {
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  percent: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  phase: SyncPhase;
}

/** A job as the subscription and the poll both deliver it. */
export interface JobSnapshot {
  id: string;
  status: SyncStatus;
  error?: string | null;
  progress: ProgressSnapshot;
}

export interface JobScope {
  manufacturer?: string | null;
  partNumbers?: string[] | null;
  query?: string | null;
  limit?: number | null;
  skus?: string[] | null;
}

export interface FailureSample {
  sku: string;
  partNumber?: string | null;
  code: string;
  message: string;
}

/** A job with the details fetched once (for `status`, and after a watch ends). */
export interface JobDetails extends JobSnapshot {
  kind: string;
  dryRun: boolean;
  scope: JobScope;
  startedBy: string;
  retryOf?: string | null;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  failures?: { totalCount: number; nodes: FailureSample[] } | null;
  plannedChanges?: { totalCount: number } | null;
}

export const FINAL_STATUSES: readonly SyncStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function isFinalStatus(status: SyncStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** SUCCEEDED (even with failed items) is 0; FAILED and CANCELLED are 1. */
export function exitCodeForStatus(status: SyncStatus): number {
  return status === 'SUCCEEDED' ? 0 : 1;
}

/** "42s", "1m05s", "2h03m"; "--" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 10 && !Number.isInteger(seconds)) return `${(Math.round(seconds * 10) / 10).toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

/** "0.4/s", "85.3/s", "1,234/s". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s';
  return perSecond >= 100 ? `${formatCount(Math.round(perSecond))}/s` : `${perSecond.toFixed(1)}/s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPercent(percent: number): string {
  const p = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  return `${p.toFixed(1)}%`;
}

/** "150/300"; the total is "?" while the supplier read has not counted it yet. */
export function formatProcessed(p: ProgressSnapshot): string {
  const total = p.total > 0 || p.phase === 'DONE' ? formatCount(p.total) : '?';
  return `${formatCount(p.processed)}/${total}`;
}

const PHASE_LABEL: Record<SyncPhase, string> = {
  QUEUED: 'queued',
  READING_SUPPLIER: 'reading supplier',
  READING_STORE: 'reading store',
  WRITING: 'writing',
  DONE: 'done',
};

/** The phase, or the status when it says more (queued, interrupted, ended). */
export function stageLabel(job: Pick<JobSnapshot, 'status' | 'progress'>): string {
  if (job.status === 'INTERRUPTED') return 'interrupted (resumes when the gateway restarts)';
  if (job.status === 'RUNNING') return PHASE_LABEL[job.progress.phase] ?? job.progress.phase.toLowerCase();
  return job.status.toLowerCase();
}

/** A bar of `width` cells, filled to `percent`. */
export function renderBar(percent: number, width: number): string {
  if (width <= 0) return '';
  const p = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  const filled = Math.round((p / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * The live line for a terminal `columns` wide: the most detailed variant
 * that fits in columns - 1 (so the cursor never wraps), cut as a last resort.
 */
export function renderTtyLine(job: JobSnapshot, columns = 80): string {
  const p = job.progress;
  // Padded to the longest phase label, so the bar does not jump as phases change.
  const stage = stageLabel(job).padEnd(16);
  const head = `${formatPercent(p.percent)} ${formatProcessed(p)}`;
  const eta = `eta ${formatDuration(p.etaSeconds)}`;
  const rate = formatRate(p.ratePerSecond);
  const full = `created ${formatCount(p.created)} updated ${formatCount(p.updated)} unchanged ${formatCount(p.unchanged)} failed ${formatCount(p.failed)}`;
  const short = `+${formatCount(p.created)} ~${formatCount(p.updated)} =${formatCount(p.unchanged)} !${formatCount(p.failed)}`;
  const max = Math.max(10, columns - 1);
  const variants = [
    [stage, renderBar(p.percent, 24), head, full, rate, eta],
    [stage, renderBar(p.percent, 12), head, full, rate, eta],
    [stage, renderBar(p.percent, 12), head, short, rate, eta],
    [stage, head, short, rate, eta],
    [stage, head, short],
    [head, short],
    [head],
  ];
  for (const parts of variants) {
    const line = parts.join('  ').trimEnd();
    if (line.length <= max) return line;
  }
  return head.slice(0, max);
}

/** The log form: one self-contained, grep-friendly line per update. */
export function renderPlainLine(job: JobSnapshot): string {
  const p = job.progress;
  return [
    'progress',
    formatPercent(p.percent),
    formatProcessed(p),
    `created=${p.created}`,
    `updated=${p.updated}`,
    `unchanged=${p.unchanged}`,
    `failed=${p.failed}`,
    `rate=${formatRate(p.ratePerSecond)}`,
    `eta=${formatDuration(p.etaSeconds)}`,
    `phase=${p.phase}`,
    `status=${job.status}`,
  ].join(' ');
}

/** What the throttle remembers between updates. */
export interface ThrottleState {
  lastAt: number | null;
  lastKey: string | null;
}

export const INITIAL_THROTTLE: ThrottleState = { lastAt: null, lastKey: null };

function progressKey(job: JobSnapshot): string {
  const p = job.progress;
  return [job.status, p.phase, p.total, p.processed, p.created, p.updated, p.unchanged, p.failed].join(',');
}

/**
 * Whether an update gets a log line: the first one and the final one always;
 * the rest only when something counted changed and at least `minIntervalMs`
 * passed since the last line printed.
 */
export function throttle(state: ThrottleState, job: JobSnapshot, now: number, minIntervalMs = 1000): { print: boolean; state: ThrottleState } {
  const key = progressKey(job);
  const first = state.lastAt === null;
  const final = isFinalStatus(job.status);
  const changed = key !== state.lastKey;
  const due = state.lastAt !== null && now - state.lastAt >= minIntervalMs;
  const print = first || (final && changed) || (changed && due);
  return { print, state: print ? { lastAt: now, lastKey: key } : state };
}

function secondsBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

function countsSentence(p: ProgressSnapshot): string {
  return `processed ${formatCount(p.processed)}, created ${formatCount(p.created)}, updated ${formatCount(p.updated)}, unchanged ${formatCount(p.unchanged)}, failed ${formatCount(p.failed)}`;
}

/** The lines printed (to stdout) once a watched job ends. */
export function renderSummary(job: JobSnapshot & Partial<JobDetails>): string[] {
  const p = job.progress;
  const took = secondsBetween(job.startedAt, job.finishedAt);
  const when = took === null ? '' : job.status === 'SUCCEEDED' ? ` in ${formatDuration(took)}` : ` after ${formatDuration(took)}`;
  const lines = [`Sync job ${job.id} ${job.status}${when}: ${countsSentence(p)}`];
  if (job.error) lines.push(`  error: ${job.error}`);
  if (p.failed > 0) {
    lines.push(`  ${formatCount(p.failed)} item${p.failed === 1 ? '' : 's'} failed${job.status === 'SUCCEEDED' ? ' (the job still succeeded)' : ''}.`);
    for (const f of job.failures?.nodes ?? []) {
      lines.push(`    ${f.sku}${f.partNumber ? ` (part ${f.partNumber})` : ''}: ${f.code} ${f.message}`);
    }
    const shown = job.failures?.nodes.length ?? 0;
    const total = job.failures?.totalCount ?? p.failed;
    if (shown > 0 && total > shown) lines.push(`    … and ${formatCount(total - shown)} more (syncJob(id) { failures })`);
    lines.push(`  Retry just those: mutation { retrySyncFailures(id: "${job.id}") { job { id } alreadyRunning } }`);
  }
  if (job.dryRun && job.status === 'SUCCEEDED') {
    const planned = job.plannedChanges?.totalCount;
    lines.push(`  Dry run: nothing was written${planned === undefined ? '' : `; ${formatCount(planned)} change${planned === 1 ? '' : 's'} planned`} (syncJob(id) { plannedChanges }).`);
  }
  if (job.status === 'CANCELLED') lines.push('  The job was cancelled; items written before that stay written.');
  return lines;
}

export function describeScope(scope: JobScope): string {
  const parts: string[] = [];
  if (scope.manufacturer) parts.push(`manufacturer "${scope.manufacturer}"`);
  if (scope.query) parts.push(`query "${scope.query}"`);
  if (scope.partNumbers?.length) {
    const shown = scope.partNumbers.slice(0, 5).join(', ');
    parts.push(`part numbers ${shown}${scope.partNumbers.length > 5 ? ` (+${scope.partNumbers.length - 5} more)` : ''}`);
  }
  if (scope.skus?.length) parts.push(`${formatCount(scope.skus.length)} SKU${scope.skus.length === 1 ? '' : 's'} (retry)`);
  if (scope.limit !== undefined && scope.limit !== null) parts.push(`limit ${formatCount(scope.limit)}`);
  return parts.length ? parts.join(', ') : 'whole catalog';
}

/** The `status` listing. */
export function renderJobDetails(job: JobDetails): string[] {
  const p = job.progress;
  const rows: Array<[string, string]> = [
    ['kind', `${job.kind}${job.dryRun ? ' (dry run)' : ''}`],
    ['scope', describeScope(job.scope)],
    ['status', job.status === 'RUNNING' ? `RUNNING (${stageLabel(job)})` : job.status],
    ['progress', `${formatPercent(p.percent)} ${formatProcessed(p)}: created ${formatCount(p.created)}, updated ${formatCount(p.updated)}, unchanged ${formatCount(p.unchanged)}, failed ${formatCount(p.failed)}`],
  ];
  if (job.status === 'RUNNING') rows.push(['rate', `${formatRate(p.ratePerSecond)}, eta ${formatDuration(p.etaSeconds)}`]);
  rows.push(['started by', job.startedBy]);
  if (job.retryOf) rows.push(['retry of', job.retryOf]);
  rows.push(['created', job.createdAt]);
  if (job.startedAt) rows.push(['started', job.startedAt]);
  if (job.finishedAt) {
    const took = secondsBetween(job.startedAt, job.finishedAt);
    rows.push(['finished', `${job.finishedAt}${took === null ? '' : ` (${formatDuration(took)})`}`]);
  }
  if (job.error) rows.push(['error', job.error]);
  if (job.failures && job.failures.totalCount > 0) rows.push(['failures', `${formatCount(job.failures.totalCount)} (retry them with retrySyncFailures)`]);
  if (job.dryRun && job.plannedChanges) rows.push(['planned', `${formatCount(job.plannedChanges.totalCount)} changes`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`Sync job ${job.id}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
}
