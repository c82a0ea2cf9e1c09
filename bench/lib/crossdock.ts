/**
 * Child processes the sync, SSE and order scenarios share: the standalone
 * sandbox (`src/sandbox/main.ts`) and a gateway (`src/main.ts`) pointed at it
 * or at its embedded sandbox, each on 127.0.0.1 with free ports, plus a small
 * GraphQL client. Everything is started through spawnNode, so run.ts stops it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BUILT_GATEWAY } from './buildGateway.js';
import { getJson, waitForOk } from './http.js';
import { freePort, spawnNode, type NodeChild } from './proc.js';

/** The standalone sandbox's fixed credentials (src/sandbox/options.ts defaults). */
export const SANDBOX_CREDENTIALS = {
  fipClientId: 'sandbox-client',
  fipClientSecret: 'sandbox-secret',
  fipApiKey: 'sandbox-api-key',
  bcToken: 'sandbox-token',
} as const;

export interface SandboxProcess {
  child: NodeChild;
  /** e.g. http://127.0.0.1:P/api/v1 */
  fipBase: string;
  /** e.g. http://127.0.0.1:Q/stores/sandbox */
  bcBase: string;
  /** Origins, where /__sandbox/* lives. */
  fipOrigin: string;
  bcOrigin: string;
}

/** `npm run sandbox` as a child process with `env` (SANDBOX_*), ports 0, loopback. */
export async function startSandbox(label: string, env: Record<string, string>): Promise<SandboxProcess> {
  const child = spawnNode({
    script: 'src/sandbox/main.ts',
    label,
    env: { SANDBOX_HOST: '127.0.0.1', SANDBOX_FINDITPARTS_PORT: '0', SANDBOX_BIGCOMMERCE_PORT: '0', SANDBOX_ION_PORT: '0', SANDBOX_SHOPIFY_PORT: '0', SANDBOX_TIKTOK_PORT: '0', SANDBOX_WHATSAPP_PORT: '0', ...env },
  });
  const m = await child.waitFor(/FinditParts Reseller API\s+(\S+)[\s\S]*BigCommerce Management API\s+(\S+)/, 60_000);
  const fipBase = m[1] as string;
  const bcBase = m[2] as string;
  return { child, fipBase, bcBase, fipOrigin: new URL(fipBase).origin, bcOrigin: new URL(bcBase).origin };
}

export interface UpstreamFigures {
  fipRatePerSecond: number;
  fipPerMinute: number;
  bcQuota: number;
  bcWindowMs: number;
}

/** Gateway environment for a standalone sandbox (test/support/processes.ts, sandboxUpstreamEnv). */
export function upstreamEnv(sb: SandboxProcess, f: UpstreamFigures): Record<string, string> {
  return {
    FINDITPARTS_BASE_URL: sb.fipBase,
    FINDITPARTS_CLIENT_ID: SANDBOX_CREDENTIALS.fipClientId,
    FINDITPARTS_CLIENT_SECRET: SANDBOX_CREDENTIALS.fipClientSecret,
    FINDITPARTS_RATE_PER_SECOND: String(f.fipRatePerSecond),
    FINDITPARTS_PER_MINUTE: String(f.fipPerMinute),
    BIGCOMMERCE_API_URL: sb.bcBase,
    BIGCOMMERCE_ACCESS_TOKEN: SANDBOX_CREDENTIALS.bcToken,
    BIGCOMMERCE_QUOTA: String(f.bcQuota),
    BIGCOMMERCE_WINDOW_MS: String(f.bcWindowMs),
  };
}

export interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface GatewayProcess {
  child: NodeChild;
  url: string;
  key: string;
  /** POST /graphql with the admin key; `timeoutMs` bounds the whole request. */
  gql<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<GqlResult<T>>;
  /** Like gql, but throws on a non-200 answer or any error. */
  gqlData<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
}

/**
 * How a gateway child runs: `source` as `npm start` does (`node --import tsx
 * src/main.ts`, development mode, `LOG_LEVEL=warn`); `image` as the
 * production image's CMD does (`node dist/main.js` after buildGateway(),
 * `NODE_ENV=production`, `CROSSDOCK_MODE=production`, the default log level
 * with its output appended to `gateway.log` in the data directory, as a
 * production process's output is captured). `image` needs real upstreams
 * in `env` (a production start refuses the embedded sandbox).
 */
export type GatewayRun = 'source' | 'image';

/**
 * A gateway child with an admin key, its SQLite file in `dataDir` and `env`
 * on top. With no upstream variables it runs the embedded sandbox (SANDBOX_*
 * in `env`; `source` only). `cwd`: run another checkout's gateway (a
 * baseline), not this one.
 */
export async function startGateway(label: string, dataDir: string, env: Record<string, string>, nodeFlags: string[] = [], cwd?: string, run: GatewayRun = 'source'): Promise<GatewayProcess> {
  const port = await freePort();
  const key = `bench-${randomBytes(18).toString('base64url')}`;
  const modeEnv: Record<string, string | undefined> =
    run === 'image' ? { NODE_ENV: 'production', CROSSDOCK_MODE: 'production', LOG_LEVEL: undefined } : { LOG_LEVEL: 'warn', CROSSDOCK_MODE: 'development' };
  const child = spawnNode({
    ...(run === 'image' ? { ...BUILT_GATEWAY, logFile: join(dataDir, 'gateway.log') } : { script: 'src/main.ts' }),
    label,
    nodeFlags,
    cwd,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...modeEnv,
      CROSSDOCK_API_KEYS: `bench:admin:${key}`,
      CROSSDOCK_DATA_DIR: dataDir,
      // Whatever the caller's shell says: upstreams only when `env` names them.
      FINDITPARTS_BASE_URL: '',
      BIGCOMMERCE_API_URL: '',
      SANDBOX_FINDITPARTS_PORT: '0',
      SANDBOX_BIGCOMMERCE_PORT: '0',
      SANDBOX_ION_PORT: '0',
      SANDBOX_SHOPIFY_PORT: '0',
      SANDBOX_TIKTOK_PORT: '0',
      SANDBOX_WHATSAPP_PORT: '0',
      ION_API_FILE: '',
      WHATSAPP_PHONE_NUMBER_ID: '',
      WHATSAPP_ACCESS_TOKEN: '',
      // The per-client cost budget (default 1,000 points per 900 s) would stop a benchmark's client long before the work it measures.
      CLIENT_BUDGET_POINTS: '1000000000',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/health`, 60_000, () => child.child.exitCode === null);
  } catch (err) {
    throw new Error(`${label}: ${err instanceof Error ? err.message : String(err)}\n${child.output().split('\n').slice(-25).join('\n')}`);
  }
  const gql = async <T>(query: string, variables?: Record<string, unknown>, timeoutMs = 30_000): Promise<GqlResult<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: { data?: T; errors?: GqlResult<T>['errors'] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 300)}` }] };
    }
    return { status: res.status, data: body.data ?? undefined, errors: body.errors };
  };
  return {
    child,
    url,
    key,
    gql,
    async gqlData<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number) {
      const r = await gql<T>(query, variables, timeoutMs);
      if (r.status !== 200 || r.errors?.length || r.data === undefined) {
        throw new Error(`${label}: GraphQL HTTP ${r.status}: ${JSON.stringify(r.errors ?? r.data).slice(0, 500)}`);
      }
      return r.data;
    },
  };
}

export interface FullSandboxStats {
  requests: number;
  endpoints: Record<string, number>;
  statuses: Record<string, number>;
  throttled: number;
  writes: number;
}

export async function fullStats(origin: string): Promise<FullSandboxStats> {
  const { status, body } = await getJson<FullSandboxStats>(`${origin}/__sandbox/stats`);
  if (status !== 200) throw new Error(`${origin}/__sandbox/stats answered ${status}`);
  return body;
}

/** Nearest-rank percentile of unsorted values (p in 0..100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] as number;
}

export const fmtMs = (n: number, digits = 1) => (Number.isFinite(n) ? `${n.toFixed(digits)} ms` : 'n/a');
