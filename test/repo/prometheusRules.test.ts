/**
 * deploy/prometheus/alerts.yml, the alert rules for people who run
 * Prometheus: `promtool check rules` accepts them, `promtool test rules`
 * (alerts.test.yml) proves each fires just above its threshold and not at
 * it, and they are the gateway's own rules (src/observability/alertRules.ts)
 * with the same names and thresholds. A copy with a threshold moved fails
 * the unit tests, so they are seen to bite.
 *
 * promtool comes from Debian's `prometheus` package (.ci/run installs it;
 * test/support/preflight.mjs does as root).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_RULES } from '../../src/observability/alertRules.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'deploy', 'prometheus');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const hasPromtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const promtool = (args: string[], cwd: string) => {
  if (!hasPromtool) throw new Error('promtool is not installed: apt-get install -y prometheus (test/support/preflight.mjs does it as root)');
  return spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
};

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string; labels?: Record<string, string> }> }>;
}

/** The number a rule's expression compares with: its first `> N` (the threshold). */
const thresholdOf = (expr: string) => Number(/\)\s*>\s*([0-9.]+)|\s>\s*([0-9.]+)/.exec(expr)?.slice(1).find(Boolean));

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', () => {
    const r = promtool(['check', 'rules', 'alerts.yml'], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 8 rules found');
  });

  it('passes promtool test rules: every alert fires just above its threshold and not at it', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml'], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('has the gateway’s rules, each at warning and critical with the gateway’s thresholds', () => {
    const file = parse(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as RuleFile;
    const found = file.groups.flatMap((g) => g.rules).map((r) => ({ name: r.alert, severity: r.labels?.severity, threshold: thresholdOf(r.expr) }));
    const expected = ALERT_RULES.flatMap((rule) => (['warning', 'critical'] as const).map((severity) => ({ name: rule.name, severity, threshold: rule.thresholds[severity] })));
    expect(found).toEqual(expected);
  });

  it('a copy with one threshold moved below the specified one fails the unit tests', () => {
    const temp = mkdtempSync(join(tmpdir(), 'crossdock-rules-'));
    temps.push(temp);
    const rules = readFileSync(join(dir, 'alerts.yml'), 'utf8');
    // The warning error-rate threshold from above 5 % to above 4 %: the test "error rate at 5 % fires nothing" must see it fire.
    const moved = rules.replace(/\) > 0\.05\n/, ') > 0.04\n');
    expect(moved).not.toBe(rules);
    writeFileSync(join(temp, 'alerts.yml'), moved);
    copyFileSync(join(dir, 'alerts.test.yml'), join(temp, 'alerts.test.yml'));
    const r = promtool(['test', 'rules', 'alerts.test.yml'], temp);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/FAILED[\s\S]*error rate at 5 % fires nothing/);
  });
});
