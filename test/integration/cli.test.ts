/**
 * The `crossdock` CLI as a user runs it: `node bin/crossdock.js …` as a child
 * process (from another working directory) against a real gateway with its
 * embedded sandbox. Exit codes, what goes to stdout and stderr, the progress
 * lines, Ctrl-C detaching, and that the API key never shows in any output.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../src/cli/args.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses } from '../support/processes.js';
import { setFaults, startSandbox } from '../support/sandbox.js';

// 200 ms per supplier call keeps a sync running long enough to watch and interrupt.
const SANDBOX = { parts: 300, bigcommerce: { quota: 3000, windowMs: 30000 }, finditparts: { ratePerSecond: 100, burst: 100, perMinute: 6000, faults: { latencyMs: 200 } } };
const BIN = fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url));
const ADMIN_KEY = `cdk_test_admin_${randomBytes(18).toString('base64url')}`;
const VIEWER_KEY = `cdk_test_viewer_${randomBytes(18).toString('base64url')}`;
const JOB_ID = /job ([0-9a-f-]{36})/;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Called with each stderr chunk; may signal the child. */
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
}

/** Runs the CLI to its end (killed after timeoutMs), from a cwd outside the project. */
function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, CROSSDOCK_CLI_SOURCE: '1', CROSSDOCK_API_KEY: undefined, CROSSDOCK_URL: undefined, CROSSDOCK_TRANSPORT: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The non-TTY progress lines: `progress 50.0% 150/300 created=… status=RUNNING`. */
function progressLines(stderr: string) {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('progress '))
    .map((l) => {
      const m = /^progress ([\d.]+)% (\d+)\/(\S+) created=(\d+) updated=(\d+) unchanged=(\d+) failed=(\d+) .*status=(\w+)$/.exec(l);
      if (!m) throw new Error(`unexpected progress line: ${l}`);
      return { percent: Number(m[1]), processed: Number(m[2]), total: m[3], created: Number(m[4]), status: m[8] };
    });
}

function summary(stdout: string) {
  const m = /Sync job ([0-9a-f-]{36}) (\w+)[^:]*: processed (\d+), created (\d+), updated (\d+), unchanged (\d+), failed (\d+)/.exec(stdout);
  if (!m) throw new Error(`no summary in:\n${stdout}`);
  return { id: m[1]!, status: m[2]!, processed: Number(m[3]), created: Number(m[4]), updated: Number(m[5]), unchanged: Number(m[6]), failed: Number(m[7]) };
}

function expectNoKey(run: CliRun, ...keys: string[]) {
  for (const key of keys) {
    expect(run.stdout).not.toContain(key);
    expect(run.stderr).not.toContain(key);
  }
}

let gw: TestGateway;
let sseAvailable = false;
const conn = () => ['--url', gw.url, '--key', ADMIN_KEY];

beforeAll(async () => {
  gw = await startGateway(
    { SYNC_PAGE_SIZE: '50', CROSSDOCK_API_KEYS: `ops:admin:${ADMIN_KEY},reader:viewer:${VIEWER_KEY}` },
    SANDBOX,
  );
  // Whether this in-process gateway streams GraphQL over SSE (the route may be missing or failing).
  const probe = await fetch(`${gw.url}/graphql/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': ADMIN_KEY },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(5000),
  }).catch(() => null);
  sseAvailable = probe !== null && probe.status === 200 && (probe.headers.get('content-type') ?? '').includes('text/event-stream');
  await probe?.body?.cancel().catch(() => undefined);
});
afterAll(async () => {
  await stopAllGatewayProcesses();
  await gw?.close();
});

describe('crossdock sync --watch', () => {
  let firstJobId = '';

  it('follows a catalog sync to SUCCEEDED with increasing progress lines, and exits 0', async () => {
    const run = await runCli(['sync', 'catalog', '--watch', ...conn()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Started CATALOG sync job [0-9a-f-]{36} \(/m);
    firstJobId = JOB_ID.exec(run.stdout)?.[1] ?? '';

    const lines = progressLines(run.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i]!.processed).toBeGreaterThanOrEqual(lines[i - 1]!.processed);
      expect(lines[i]!.percent).toBeGreaterThanOrEqual(lines[i - 1]!.percent);
    }
    expect(lines[lines.length - 1]).toMatchObject({ status: 'SUCCEEDED', percent: 100, processed: 300, total: '300' });
    expect(lines[0]!.processed).toBeLessThan(300);

    const s = summary(run.stdout);
    expect(s).toMatchObject({ id: firstJobId, status: 'SUCCEEDED', processed: 300, failed: 0 });
    expect(s.created).toBeGreaterThan(0);
    expect(s.created + s.updated + s.unchanged).toBe(300);
    // Without the SSE route the CLI says it polls instead; with it, it streams.
    if (sseAvailable) expect(run.stderr).not.toMatch(/polling/);
    else expect(run.stderr).toMatch(/live progress stream unavailable \(HTTP \d+\); polling .* every 500 ms/);
    expectNoKey(run, ADMIN_KEY);
  });

  it('a second run finds everything unchanged and exits 0', async () => {
    const run = await runCli(['sync', 'catalog', '--watch', ...conn()]);
    expect(run.code, run.stderr).toBe(0);
    const s = summary(run.stdout);
    expect(s.id).not.toBe(firstJobId);
    expect(s).toMatchObject({ status: 'SUCCEEDED', processed: 300, created: 0, updated: 0, unchanged: 300, failed: 0 });
    expectNoKey(run, ADMIN_KEY);
  });

  it('status <id> prints the finished job', async () => {
    const run = await runCli(['status', firstJobId, ...conn()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Sync job ${firstJobId}`);
    expect(run.stdout).toMatch(/kind\s+CATALOG/);
    expect(run.stdout).toMatch(/scope\s+whole catalog/);
    expect(run.stdout).toMatch(/status\s+SUCCEEDED/);
    expect(run.stdout).toMatch(/progress\s+100\.0% 300\/300: created [1-9]/);
    expect(run.stdout).toMatch(/started by\s+ops/);
    expectNoKey(run, ADMIN_KEY);
  });

  it('status --watch on an ended job exits with its outcome at once', async () => {
    const run = await runCli(['status', firstJobId, '--watch', ...conn()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/status\s+SUCCEEDED/);
  });

  it('a dry run writes nothing and says so', async () => {
    const run = await runCli(['sync', 'catalog', '--dry-run', '--limit', '20', '--watch', ...conn()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Started CATALOG sync \(dry run\) job/);
    expect(summary(run.stdout)).toMatchObject({ status: 'SUCCEEDED', processed: 20 });
    expect(run.stdout).toMatch(/Dry run: nothing was written; \d+ changes? planned/);
  });

  it('without --watch it exits 0 after starting, and a second start reports the running job', async () => {
    const first = await runCli(['sync', 'catalog', '--limit', '250', ...conn()]);
    expect(first.code, first.stderr).toBe(0);
    const id = JOB_ID.exec(first.stdout)?.[1];
    expect(first.stdout).toContain(`Follow it: crossdock status ${id} --watch`);
    const second = await runCli(['sync', 'catalog', '--limit', '250', ...conn()]);
    expect(second.code, second.stderr).toBe(0);
    const secondId = JOB_ID.exec(second.stdout)?.[1];
    if (secondId === id) {
      expect(second.stdout).toMatch(new RegExp(`^Already running: CATALOG sync job ${id} \\((QUEUED|RUNNING)\\) has the same scope`, 'm'));
    } else {
      // The first had already ended (the CLI's start-up can outlast a small job): a new one started.
      expect(second.stdout).toMatch(/^Started CATALOG sync job/m);
    }
    // Let them end before the next test starts more work.
    for (const jobId of new Set([id, secondId])) {
      const watch = await runCli(['status', jobId!, '--watch', ...conn()]);
      expect(watch.code, watch.stderr).toBe(0);
    }
  });

  it('Ctrl-C detaches (exit 130) without cancelling, and says how to resume', async () => {
    let sent = false;
    const run = await runCli(['sync', 'catalog', '--limit', '290', '--watch', ...conn()], {
      onStderr: (text, child) => {
        if (!sent && /^progress /m.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    const id = JOB_ID.exec(run.stdout)?.[1];
    expect(run.stderr).toContain(`Detached from sync job ${id}; it keeps running`);
    expect(run.stderr).toContain(`crossdock status ${id} --watch`);
    // The job was not cancelled: watching it again sees it succeed.
    const resumed = await runCli(['status', id!, '--watch', ...conn()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(summary(resumed.stdout)).toMatchObject({ id, status: 'SUCCEEDED', processed: 290 });
  });

  it('falls back to polling, and says so, when the gateway has no stream route', async () => {
    // A front that passes POST /graphql through and answers 404 for everything else.
    const front = createServer(async (req, res) => {
      if (req.method !== 'POST' || req.url !== '/graphql') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Route not found"}');
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'accept', 'x-api-key']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      const upstream = await fetch(`${gw.url}/graphql`, { method: 'POST', headers, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const run = await runCli(['sync', 'catalog', '--limit', '100', '--watch', '--url', url, '--key', ADMIN_KEY]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`crossdock: live progress stream unavailable (HTTP 404); polling ${url}/graphql every 500 ms instead`);
      expect(summary(run.stdout)).toMatchObject({ status: 'SUCCEEDED', processed: 100 });
      expectNoKey(run, ADMIN_KEY);
      // CROSSDOCK_TRANSPORT=sse will not poll: no stream is a connection error (the job runs on).
      const refused = await runCli(['sync', 'catalog', '--limit', '101', '--watch', '--url', url, '--key', ADMIN_KEY], { env: { CROSSDOCK_TRANSPORT: 'sse' } });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/crossdock: STREAM_FAILED: live stream at .*\/graphql\/stream unavailable \(HTTP 404\)/);
      const id = JOB_ID.exec(refused.stdout)?.[1];
      expect(id).toBeDefined();
      await runCli(['status', id!, '--watch', ...conn()]);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it('CROSSDOCK_TRANSPORT=poll polls without trying the stream', async () => {
    const run = await runCli(['sync', 'catalog', '--limit', '60', '--watch', ...conn()], { env: { CROSSDOCK_TRANSPORT: 'poll' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/stream/);
    expect(summary(run.stdout)).toMatchObject({ status: 'SUCCEEDED', processed: 60 });
  });
});

describe('crossdock sync --watch over GraphQL-over-SSE', () => {
  // The gateway as its own process (tsx), as `npm start` runs it, on a sandbox this process runs.
  it('streams progress from /graphql/stream (CROSSDOCK_TRANSPORT=sse: no polling allowed)', async () => {
    const sandbox = await startSandbox(SANDBOX);
    try {
      const child = await startGatewayProcess({ dataDir: mkdtempSync(join(tmpdir(), 'crossdock-cli-')), env: { ...sandboxUpstreamEnv(sandbox), SYNC_PAGE_SIZE: '50' } });
      const run = await runCli(['sync', 'catalog', '--watch', '--url', child.url], { env: { CROSSDOCK_API_KEY: child.key, CROSSDOCK_TRANSPORT: 'sse' } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/polling|stream/);
      const lines = progressLines(run.stderr);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[lines.length - 1]).toMatchObject({ status: 'SUCCEEDED', processed: 300 });
      const s = summary(run.stdout);
      expect(s).toMatchObject({ status: 'SUCCEEDED', processed: 300, failed: 0 });
      expect(s.created).toBeGreaterThan(0);
      expectNoKey(run, child.key);
      await child.stop();
    } finally {
      await sandbox.close();
    }
  }, 90_000);
});

describe('failed items', () => {
  it('a job that SUCCEEDED with failed items exits 0, names them and suggests retrySyncFailures', async () => {
    const own = await startGateway({ SYNC_PAGE_SIZE: '50' }, { ...SANDBOX, parts: 120 });
    try {
      // BigCommerce rejects the next three writes: three items fail, the job goes on.
      await setFaults(own.bcUrl, { failNext: { status: 422, count: 3 }, match: { methods: ['POST', 'PUT'] } });
      const run = await runCli(['sync', 'catalog', '--watch', '--url', own.url, '--key', own.key]);
      expect(run.code, run.stderr).toBe(0);
      const s = summary(run.stdout);
      expect(s).toMatchObject({ status: 'SUCCEEDED', processed: 120, failed: 3 });
      expect(run.stdout).toContain('3 items failed (the job still succeeded).');
      expect(run.stdout).toMatch(/^ {4}\S+ \(part \S+\): UPSTREAM_REJECTED /m);
      expect(run.stdout).toContain(`Retry just those: mutation { retrySyncFailures(id: "${s.id}")`);
      expect(progressLines(run.stderr).at(-1)).toMatchObject({ status: 'SUCCEEDED' });
      expectNoKey(run, own.key);
    } finally {
      await own.close();
    }
  });
});

describe('crossdock cancel', () => {
  it('cancels a job, and a second cancel is BAD_USER_INPUT (exit 1)', async () => {
    const started = await gw.gql(`mutation { startSync(input: { kind: CATALOG, scope: { limit: 280 } }) { job { id } } }`);
    const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
    const run = await runCli(['cancel', id, ...conn()]);
    // The job may have ended during the CLI's start-up; then cancel is refused.
    if (run.code === 0) {
      expect(run.stdout).toMatch(new RegExp(`^(Cancelled sync job ${id}\\.|Cancelling sync job ${id}: )`, 'm'));
      const watch = await runCli(['status', id, '--watch', ...conn()]);
      expect(watch.code).toBe(1);
      expect(watch.stdout).toMatch(/CANCELLED/);
    }
    const again = await runCli(['cancel', id, ...conn()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/crossdock: BAD_USER_INPUT: sync job .* already ended/);
  });

  it('an unknown job is NOT_FOUND (exit 1)', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const status = await runCli(['status', id, ...conn()]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`crossdock: NOT_FOUND: no sync job with id "${id}"`);
    const cancel = await runCli(['cancel', id, ...conn()]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/crossdock: NOT_FOUND: /);
  });
});

describe('errors and exit codes', () => {
  it('--limit -1 is the gateway\'s BAD_USER_INPUT: exit 1', async () => {
    const run = await runCli(['sync', 'catalog', '--limit', '-1', '--watch', ...conn()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/crossdock: BAD_USER_INPUT: scope\.limit must be a whole number/);
    expect(run.stdout).toBe('');
    expectNoKey(run, ADMIN_KEY);
  });

  it('a viewer key cannot start a sync: FORBIDDEN, exit 1', async () => {
    const run = await runCli(['sync', 'price', '--url', gw.url], { env: { CROSSDOCK_API_KEY: VIEWER_KEY } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/crossdock: FORBIDDEN: startSync needs role operator/);
    expectNoKey(run, VIEWER_KEY);
  });

  it('a wrong key is UNAUTHENTICATED: exit 3, and the key is not echoed', async () => {
    const wrong = `cdk_wrong_${randomBytes(12).toString('base64url')}`;
    for (const args of [['sync', 'catalog', '--watch', '--url', gw.url, '--key', wrong], ['status', '00000000-0000-4000-8000-000000000000', '--url', gw.url, '--key', wrong]]) {
      const run = await runCli(args);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/crossdock: UNAUTHENTICATED: /);
      expect(run.stderr).toMatch(/check --key or CROSSDOCK_API_KEY/);
      expectNoKey(run, wrong);
    }
  });

  it('a missing key is a usage error (exit 2) that names CROSSDOCK_API_KEY', async () => {
    const run = await runCli(['sync', 'catalog', '--url', gw.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no API key: set CROSSDOCK_API_KEY \(or pass --key\)/);
  });

  it('the URL and key come from CROSSDOCK_URL and CROSSDOCK_API_KEY', async () => {
    const run = await runCli(['status', '00000000-0000-4000-8000-000000000000'], { env: { CROSSDOCK_URL: `${gw.url}/graphql`, CROSSDOCK_API_KEY: ADMIN_KEY } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/NOT_FOUND/);
    expectNoKey(run, ADMIN_KEY);
  });

  it('an unreachable gateway is exit 3 with the connection error code', async () => {
    const run = await runCli(['sync', 'catalog', '--url', 'http://127.0.0.1:59999'], { env: { CROSSDOCK_API_KEY: ADMIN_KEY } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/crossdock: ECONNREFUSED: cannot reach the gateway at http:\/\/127\.0\.0\.1:59999/);
    expectNoKey(run, ADMIN_KEY);
  });

  it('bad arguments are exit 2 with the usage; --help is exit 0', async () => {
    for (const args of [[], ['sync'], ['sync', 'orders'], ['sync', 'catalog', '--limit', 'ten'], ['status'], ['frobnicate'], ['sync', 'catalog', '--bogus'], ['cancel', 'x', '--watch']]) {
      const run = await runCli(args, { env: { CROSSDOCK_API_KEY: ADMIN_KEY } });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('crossdock sync <catalog|price|inventory>');
    }
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain('--part-number PN');
  });
});

describe('argument parsing', () => {
  const env = { CROSSDOCK_API_KEY: 'k-from-env' };

  it('builds the scope from the flags', () => {
    expect(parseCli(['sync', 'Price', '--part-number', 'A1,B2', '--part-number', 'C3', '--limit', '5', '--dry-run', '-w'], env)).toEqual({
      name: 'sync',
      kind: 'PRICE',
      watch: true,
      dryRun: true,
      scope: { partNumbers: ['A1', 'B2', 'C3'], limit: 5 },
      connection: { url: 'http://127.0.0.1:4000', key: 'k-from-env' },
    });
    expect(parseCli(['sync', 'inventory', '--manufacturer', 'Bendix', '--url', 'https://gw.example/graphql/'], env)).toMatchObject({ scope: { manufacturer: 'Bendix' }, connection: { url: 'https://gw.example' } });
    expect(parseCli(['sync', 'catalog'], env)).toMatchObject({ scope: null, dryRun: false, watch: false });
  });

  it('passes --limit -1 through for the gateway to refuse, but not a non-number', () => {
    expect(parseCli(['sync', 'catalog', '--limit', '-1'], env)).toMatchObject({ scope: { limit: -1 } });
    expect(() => parseCli(['sync', 'catalog', '--limit', '1.5'], env)).toThrow(UsageError);
  });

  it('--key wins over the environment; a URL with credentials is refused', () => {
    expect(parseCli(['status', 'abc', '--key', 'k-flag'], env)).toMatchObject({ connection: { key: 'k-flag' } });
    expect(() => parseCli(['status', 'abc', '--url', 'http://u:p@host'], env)).toThrow(/not in the URL/);
    expect(() => parseCli(['status', 'abc', '--query', 'x'], env)).toThrow(/option of sync/);
  });

  it('schema [--federation] needs no key or URL; --federation belongs to schema only', () => {
    expect(parseCli(['schema', '--federation'], {})).toEqual({ name: 'schema', federation: true });
    expect(parseCli(['schema'], {})).toEqual({ name: 'schema', federation: false });
    expect(() => parseCli(['schema', 'extra'], {})).toThrow(/unexpected argument/);
    expect(() => parseCli(['sync', 'catalog', '--federation'], env)).toThrow(/option of schema/);
  });
});
