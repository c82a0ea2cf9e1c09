/**
 * The CLI's progress rendering (src/cli/progress.ts): pure functions of job
 * snapshots, so every format is pinned here without a terminal or a gateway.
 */
import { describe, expect, it } from 'vitest';
import {
  describeScope,
  exitCodeForStatus,
  formatDuration,
  formatPercent,
  formatProcessed,
  formatRate,
  INITIAL_THROTTLE,
  renderBar,
  renderJobDetails,
  renderPlainLine,
  renderSummary,
  renderTtyLine,
  stageLabel,
  throttle,
  type JobDetails,
  type JobSnapshot,
  type ProgressSnapshot,
} from '../../src/cli/progress.js';

const ID = '0b0e4c6e-9d7b-4d83-9a55-3f1f2f7c1a01';

function progress(over: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return { total: 300, processed: 150, created: 53, updated: 12, unchanged: 85, failed: 0, percent: 50, ratePerSecond: 85.25, etaSeconds: 2, phase: 'WRITING', ...over };
}

function job(over: Partial<JobSnapshot> = {}, p: Partial<ProgressSnapshot> = {}): JobSnapshot {
  return { id: ID, status: 'RUNNING', error: null, progress: progress(p), ...over };
}

function details(over: Partial<JobDetails> = {}, p: Partial<ProgressSnapshot> = {}): JobDetails {
  return {
    ...job({}, p),
    kind: 'CATALOG',
    dryRun: false,
    scope: {},
    startedBy: 'ops',
    retryOf: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    startedAt: '2025-01-01T10:00:00.500Z',
    finishedAt: null,
    failures: { totalCount: 0, nodes: [] },
    plannedChanges: { totalCount: 0 },
    ...over,
  };
}

describe('formats', () => {
  it('durations', () => {
    expect(formatDuration(null)).toBe('--');
    expect(formatDuration(undefined)).toBe('--');
    expect(formatDuration(-1)).toBe('--');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(2.14)).toBe('2.1s');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(59.6)).toBe('1m00s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3599)).toBe('59m59s');
    expect(formatDuration(3600)).toBe('1h00m');
    expect(formatDuration(7380)).toBe('2h03m');
  });

  it('rates, percents and counts', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(Number.NaN)).toBe('0/s');
    expect(formatRate(0.44)).toBe('0.4/s');
    expect(formatRate(85.25)).toBe('85.3/s');
    expect(formatRate(1234.4)).toBe('1,234/s');
    expect(formatPercent(50)).toBe('50.0%');
    expect(formatPercent(83.333)).toBe('83.3%');
    expect(formatPercent(140)).toBe('100.0%');
    expect(formatPercent(-3)).toBe('0.0%');
    expect(formatProcessed(progress({ processed: 1500, total: 12000 }))).toBe('1,500/12,000');
  });

  it('an uncounted total is "?" until the job is done', () => {
    expect(formatProcessed(progress({ total: 0, processed: 0, phase: 'READING_SUPPLIER' }))).toBe('0/?');
    expect(formatProcessed(progress({ total: 0, processed: 0, phase: 'DONE' }))).toBe('0/0');
  });

  it('bars fill in proportion and keep their width', () => {
    expect(renderBar(0, 10)).toBe('░'.repeat(10));
    expect(renderBar(50, 10)).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(renderBar(100, 10)).toBe('█'.repeat(10));
    expect(renderBar(250, 4)).toBe('████');
    expect(renderBar(33, 0)).toBe('');
    for (const p of [0, 12.5, 49.9, 99.9]) expect(renderBar(p, 24)).toHaveLength(24);
  });

  it('stage labels: the phase while running, else the status', () => {
    expect(stageLabel(job())).toBe('writing');
    expect(stageLabel(job({}, { phase: 'READING_SUPPLIER' }))).toBe('reading supplier');
    expect(stageLabel(job({ status: 'QUEUED' }, { phase: 'QUEUED' }))).toBe('queued');
    expect(stageLabel(job({ status: 'INTERRUPTED' }))).toMatch(/^interrupted/);
    expect(stageLabel(job({ status: 'SUCCEEDED' }, { phase: 'DONE' }))).toBe('succeeded');
  });
});

describe('the TTY line', () => {
  it('shows stage, bar, percent, processed/total, counts, rate and eta on a wide terminal', () => {
    const line = renderTtyLine(job(), 160);
    expect(line).toBe(`writing           ${'█'.repeat(12)}${'░'.repeat(12)}  50.0% 150/300  created 53 updated 12 unchanged 85 failed 0  85.3/s  eta 2s`);
  });

  it('never reaches the last column, dropping detail as the terminal narrows', () => {
    for (const columns of [200, 120, 100, 80, 60, 50, 40, 30, 20, 12, 5]) {
      const line = renderTtyLine(job({}, { processed: 123456, total: 999999, created: 100000, updated: 20000, unchanged: 3456, failed: 0 }), columns);
      expect(line.length, `columns ${columns}`).toBeLessThanOrEqual(Math.max(10, columns - 1));
      expect(line).toContain('12');
    }
    expect(renderTtyLine(job(), 80)).toContain('+53 ~12 =85 !0');
    expect(renderTtyLine(job(), 80)).toContain('eta 2s');
  });

  it('keeps the bar in place as the phase changes', () => {
    const at = (phase: ProgressSnapshot['phase']) => renderTtyLine(job({}, { phase }), 120).indexOf('█');
    expect(at('READING_SUPPLIER')).toBe(at('WRITING'));
    expect(at('READING_STORE')).toBe(at('WRITING'));
  });

  it('has no eta before there is a rate', () => {
    expect(renderTtyLine(job({}, { processed: 0, ratePerSecond: 0, etaSeconds: null, percent: 0 }), 160)).toMatch(/0\/s {2}eta --$/);
  });
});

describe('the log line', () => {
  it('is one grep-friendly line with every figure', () => {
    expect(renderPlainLine(job())).toBe('progress 50.0% 150/300 created=53 updated=12 unchanged=85 failed=0 rate=85.3/s eta=2s phase=WRITING status=RUNNING');
    expect(renderPlainLine(job({ status: 'SUCCEEDED' }, { processed: 300, percent: 100, etaSeconds: null, phase: 'DONE' }))).toBe(
      'progress 100.0% 300/300 created=53 updated=12 unchanged=85 failed=0 rate=85.3/s eta=-- phase=DONE status=SUCCEEDED',
    );
  });
});

describe('throttle', () => {
  it('prints the first update, then at most one per interval, and only on change', () => {
    let state = INITIAL_THROTTLE;
    const step = (j: JobSnapshot, now: number) => {
      const r = throttle(state, j, now, 1000);
      state = r.state;
      return r.print;
    };
    expect(step(job({}, { processed: 0 }), 0)).toBe(true);
    expect(step(job({}, { processed: 50 }), 400)).toBe(false); // too soon
    expect(step(job({}, { processed: 100 }), 999)).toBe(false);
    expect(step(job({}, { processed: 100 }), 1000)).toBe(true);
    expect(step(job({}, { processed: 100 }), 2500)).toBe(false); // nothing changed
    expect(step(job({}, { processed: 150 }), 2600)).toBe(true);
  });

  it('always prints the final snapshot, once', () => {
    let state = throttle(INITIAL_THROTTLE, job(), 0).state;
    const final = job({ status: 'SUCCEEDED' }, { processed: 300, phase: 'DONE' });
    const r = throttle(state, final, 10);
    expect(r.print).toBe(true);
    state = r.state;
    expect(throttle(state, final, 5000).print).toBe(false);
  });

  it('rate and eta alone are not a change', () => {
    const state = throttle(INITIAL_THROTTLE, job(), 0).state;
    expect(throttle(state, job({}, { ratePerSecond: 12, etaSeconds: 99 }), 5000).print).toBe(false);
  });
});

describe('summary', () => {
  const ended = { finishedAt: '2025-01-01T10:00:02.600Z' };

  it('a clean success', () => {
    const lines = renderSummary(details({ status: 'SUCCEEDED', ...ended }, { processed: 300, created: 109, updated: 23, unchanged: 168, phase: 'DONE', percent: 100 }));
    expect(lines).toEqual([`Sync job ${ID} SUCCEEDED in 2.1s: processed 300, created 109, updated 23, unchanged 168, failed 0`]);
  });

  it('a success with failed items names some and suggests retrySyncFailures', () => {
    const lines = renderSummary(
      details(
        {
          status: 'SUCCEEDED',
          ...ended,
          failures: { totalCount: 7, nodes: [{ sku: 'FIP-A1', partNumber: 'A1', code: 'UPSTREAM_REJECTED', message: 'name too long' }] },
        },
        { failed: 7, phase: 'DONE' },
      ),
    );
    expect(lines[0]).toMatch(/SUCCEEDED in 2\.1s: .*failed 7$/);
    expect(lines).toContain('  7 items failed (the job still succeeded).');
    expect(lines).toContain('    FIP-A1 (part A1): UPSTREAM_REJECTED name too long');
    expect(lines.some((l) => l.includes('and 6 more'))).toBe(true);
    expect(lines[lines.length - 1]).toBe(`  Retry just those: mutation { retrySyncFailures(id: "${ID}") { job { id } alreadyRunning } }`);
  });

  it('works from a bare snapshot too (no details fetched)', () => {
    const lines = renderSummary(job({ status: 'SUCCEEDED' }, { failed: 1, phase: 'DONE' }));
    expect(lines[0]).toBe(`Sync job ${ID} SUCCEEDED: processed 150, created 53, updated 12, unchanged 85, failed 1`);
    expect(lines).toContain('  1 item failed (the job still succeeded).');
    expect(lines.some((l) => l.includes('retrySyncFailures'))).toBe(true);
  });

  it('a failure shows the error; a cancellation says what stays', () => {
    const failed = renderSummary(details({ status: 'FAILED', error: 'BigCommerce refused the token', ...ended }));
    expect(failed[0]).toMatch(/FAILED after 2\.1s/);
    expect(failed).toContain('  error: BigCommerce refused the token');
    const cancelled = renderSummary(details({ status: 'CANCELLED', ...ended }));
    expect(cancelled[cancelled.length - 1]).toMatch(/cancelled; items written before that stay written/);
  });

  it('a dry run says nothing was written and how much is planned', () => {
    const lines = renderSummary(details({ status: 'SUCCEEDED', dryRun: true, plannedChanges: { totalCount: 12 }, ...ended }));
    expect(lines).toContain('  Dry run: nothing was written; 12 changes planned (syncJob(id) { plannedChanges }).');
  });

  it('exit codes: SUCCEEDED 0, FAILED and CANCELLED 1', () => {
    expect(exitCodeForStatus('SUCCEEDED')).toBe(0);
    expect(exitCodeForStatus('FAILED')).toBe(1);
    expect(exitCodeForStatus('CANCELLED')).toBe(1);
  });
});

describe('status listing', () => {
  it('lists a running job with its scope, rate and eta', () => {
    const lines = renderJobDetails(details({ scope: { manufacturer: 'Bendix', limit: 500 } }));
    expect(lines[0]).toBe(`Sync job ${ID}`);
    expect(lines).toContain('  kind        CATALOG');
    expect(lines).toContain('  scope       manufacturer "Bendix", limit 500');
    expect(lines).toContain('  status      RUNNING (writing)');
    expect(lines).toContain('  progress    50.0% 150/300: created 53, updated 12, unchanged 85, failed 0');
    expect(lines).toContain('  rate        85.3/s, eta 2s');
    expect(lines).toContain('  started by  ops');
  });

  it('lists an ended job with its duration, failures and dry-run plan', () => {
    const lines = renderJobDetails(
      details({ status: 'SUCCEEDED', dryRun: true, finishedAt: '2025-01-01T10:01:05.500Z', failures: { totalCount: 2, nodes: [] }, plannedChanges: { totalCount: 40 }, retryOf: 'abc' }, { phase: 'DONE' }),
    );
    expect(lines).toContain('  kind        CATALOG (dry run)');
    expect(lines).toContain('  finished    2025-01-01T10:01:05.500Z (1m05s)');
    expect(lines).toContain('  failures    2 (retry them with retrySyncFailures)');
    expect(lines).toContain('  planned     40 changes');
    expect(lines).toContain('  retry of    abc');
    expect(lines.some((l) => l.startsWith('  rate'))).toBe(false);
  });

  it('describes scopes', () => {
    expect(describeScope({})).toBe('whole catalog');
    expect(describeScope({ query: 'brake pad' })).toBe('query "brake pad"');
    expect(describeScope({ partNumbers: ['A', 'B', 'C', 'D', 'E', 'F', 'G'] })).toBe('part numbers A, B, C, D, E (+2 more)');
    expect(describeScope({ skus: ['x'] })).toBe('1 SKU (retry)');
  });
});
