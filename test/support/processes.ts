/**
 * Runs a gateway as a child process (`node --import tsx src/main.ts`), so a
 * test can kill it for real (SIGKILL: no drain, no close hooks) and start
 * another on the same data directory. The upstreams are a sandbox the TEST
 * process runs (startSandbox), so the store's state outlives the gateway.
 *
 * Everything is bounded: start-up, requests and stops have deadlines, and
 * every child still alive is SIGKILLed by stopAllGatewayProcesses() (call it
 * in afterAll) or, as a last resort, when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { GqlBody } from './gateway.js';

/** The project root (src/main.ts lives under it). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GatewayProcessOptions {
  /** Extra environment for the child (wins over the defaults below). */
  env?: Record<string, string>;
  /** CROSSDOCK_DATA_DIR: where the SQLite job store lives. */
  dataDir: string;
  /** How long to wait for "listening on …". @default 30000 */
  startTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  url: string;
  /** The admin key the child was given (CROSSDOCK_API_KEYS=test:admin:<key>). */
  key: string;
  pid: number;
  /** Sends a signal (default SIGTERM); no-op once the child has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Settles when the child exits: its code, or the signal that ended it. */
  exited: Promise<ProcessExit>;
  /** Everything the child wrote so far. */
  stdout(): string;
  stderr(): string;
  /** POST a GraphQL operation with the key (10 s deadline). */
  gql<T = GqlBody>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

const children = new Set<ChildProcess>();

// Last resort: never leave a gateway running after the test process ends.
process.once('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** Environment pointing a gateway at a sandbox the test process runs. */
export function sandboxUpstreamEnv(sandbox: Sandbox): Record<string, string> {
  const o = sandbox.options;
  return {
    FINDITPARTS_BASE_URL: sandbox.finditparts.apiBase,
    FINDITPARTS_CLIENT_ID: o.finditparts.clientId,
    FINDITPARTS_CLIENT_SECRET: o.finditparts.clientSecret,
    FINDITPARTS_RATE_PER_SECOND: String(o.finditparts.ratePerSecond),
    FINDITPARTS_PER_MINUTE: String(o.finditparts.perMinute),
    BIGCOMMERCE_API_URL: sandbox.bigcommerce.apiBase,
    BIGCOMMERCE_ACCESS_TOKEN: o.bigcommerce.accessToken,
    BIGCOMMERCE_QUOTA: String(o.bigcommerce.quota),
    BIGCOMMERCE_WINDOW_MS: String(o.bigcommerce.windowMs),
  };
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const key = `test-${randomBytes(18).toString('base64url')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CROSSDOCK_API_KEYS: `test:admin:${key}`,
    // A generous budget unless the test sets one (suites make many requests with this key).
    CLIENT_BUDGET_POINTS: '100000000',
    ...options.env,
    CROSSDOCK_DATA_DIR: options.dataDir,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let exitInfo: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      children.delete(child);
      resolve(exitInfo);
    });
    child.once('error', (e) => {
      err += `\nspawn error: ${e.message}`;
      exitInfo ??= { code: null, signal: null };
      children.delete(child);
      resolve(exitInfo);
    });
  });

  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exitInfo === undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const stop = async (graceMs = 5_000): Promise<ProcessExit> => {
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  // Wait for main.ts's banner: "Crossdock gateway (…) listening on http://…".
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const url = await new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearInterval(check);
        resolve(m[1]);
      } else if (exitInfo) {
        clearInterval(check);
        reject(new Error(`gateway exited before listening (${JSON.stringify(exitInfo)}):\n${err.slice(-2000)}\n${out.slice(-2000)}`));
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(check);
        reject(new Error(`gateway did not listen within ${timeoutMs} ms:\n${err.slice(-2000)}\n${out.slice(-2000)}`));
      }
    }, 20);
  }).catch(async (e: unknown) => {
    await stop(1_000);
    throw e;
  });

  if (child.pid === undefined) throw new Error('gateway child has no pid');
  return {
    url,
    key,
    pid: child.pid,
    kill,
    exited,
    stdout: () => out,
    stderr: () => err,
    stop,
    async gql<T = GqlBody>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': key, ...headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

/** SIGTERM every child still running, SIGKILL the ones that linger; for afterAll. */
export async function stopAllGatewayProcesses(graceMs = 3_000): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Polls `read` every `intervalMs` until `done` holds for its value; throws after `timeoutMs`. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: { timeoutMs: number; intervalMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}; last value: ${JSON.stringify(last)?.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
