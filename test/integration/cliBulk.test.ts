/**
 * `crossdock import FILE --kind … --watch` and `crossdock export KIND > file`
 * as a user runs them: the CLI as a child process against a real gateway
 * with its embedded sandbox. The import is followed to its end; the export
 * goes to stdout byte for byte (nothing else is printed there); refusals
 * exit 1 with the gateway's code; usage mistakes exit 2; the key never shows.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../src/cli/args.js';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import { getExport } from '../support/bulk.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const BIN = fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url));
const KEY = `cdk_test_ops_${randomBytes(18).toString('base64url')}`;
const PARTS = 120;
let gw: TestGateway;
const dir = mkdtempSync(join(tmpdir(), 'crossdock-cli-bulk-'));

function runCli(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: tmpdir(),
      env: { ...process.env, CROSSDOCK_CLI_SOURCE: '1', CROSSDOCK_URL: gw.url, CROSSDOCK_API_KEY: KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

beforeAll(async () => {
  gw = await startGateway({ CROSSDOCK_API_KEYS: `ops:operator:${KEY}` }, { parts: PARTS, finditparts: { ratePerSecond: 2000, burst: 2000, perMinute: 1_000_000 }, bigcommerce: { quota: 1_000_000 } });
});
afterAll(async () => gw?.close());

describe('crossdock import and export', () => {
  it('imports a file with --watch to SUCCEEDED, and the export on stdout is the gateway export byte for byte', async () => {
    const catalog = createCatalog({ size: PARTS, seed: 42 });
    const file = join(dir, 'parts.csv');
    writeFileSync(file, `Part Number;Price\n${Array.from({ length: 30 }, (_, i) => `${catalog.get(i + 1)!.partNumber};${i === 3 ? 'bad' : ''}`).join('\n')}\n`);
    const run = await runCli(['import', file, '--kind', 'part-list', '--watch']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.toString()).toMatch(/^Started PART_LIST import of 30 rows: job [0-9a-f-]{36} \(/m);
    expect(run.stdout.toString()).toMatch(/SUCCEEDED/);
    expect(run.stdout.toString()).toMatch(/failed 1/);
    expect(run.stdout.toString() + run.stderr).not.toContain(KEY);

    const exported = await runCli(['export', 'catalog', '--limit', '40']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported catalog \(\d+ bytes\)/);
    const direct = await getExport(gw, 'catalog.csv?limit=40');
    // fetch's text() drops the byte order mark; the CLI keeps every byte.
    expect(exported.stdout.toString('utf8').replace(/^\uFEFF/, '')).toBe(direct.text);
    expect(exported.stdout.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('a refused import exits 1 with the code; a missing file and a bad kind are usage errors', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const refused = await runCli(['import', empty, '--kind', 'part-list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/BAD_USER_INPUT: the file is empty/);
    expect((await runCli(['import', join(dir, 'nope.csv'), '--kind', 'part-list'])).code).toBe(2);
    expect((await runCli(['export', 'everything'])).code).toBe(2);
    const noJob = await runCli(['export', 'sync-failures', '--job', '00000000-0000-4000-8000-000000000000']);
    expect(noJob.code).toBe(1);
    expect(noJob.stdout.length).toBe(0);
    expect(noJob.stderr).toMatch(/NOT_FOUND/);
  });

  it('parses the commands', () => {
    expect(parseCli(['import', 'a.csv', '--kind', 'STOCK_OVERRIDES', '--dry-run'], { CROSSDOCK_API_KEY: 'k'.repeat(20) })).toMatchObject({ name: 'import', file: 'a.csv', kind: 'STOCK_OVERRIDES', dryRun: true, watch: false });
    expect(parseCli(['export', 'catalog.csv', '--in-store', '--manufacturer', 'Bendix'], { CROSSDOCK_API_KEY: 'k'.repeat(20) })).toMatchObject({ name: 'export', kind: 'catalog', params: { inStore: 'true', manufacturer: 'Bendix' } });
    expect(() => parseCli(['import', 'a.csv'], { CROSSDOCK_API_KEY: 'k'.repeat(20) })).toThrow(UsageError);
    expect(() => parseCli(['export', 'sync-failures'], { CROSSDOCK_API_KEY: 'k'.repeat(20) })).toThrow(/--job/);
    expect(() => parseCli(['status', 'x', '--kind', 'part-list'], { CROSSDOCK_API_KEY: 'k'.repeat(20) })).toThrow(/--kind is an option of import/);
  });
});
