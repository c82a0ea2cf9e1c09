/**
 * The servers the throughput scenario loads, each a child process on
 * 127.0.0.1, behind one shape (Target): what to send it and how to read what
 * it did. Crossdock runs as production runs it — the built `dist/main.js`
 * under plain node, as the image's CMD does (`buildGateway` in bench/lib/buildGateway.ts
 * compiles it once per run, `npm run build`), `NODE_ENV=production`, `CROSSDOCK_MODE=production`
 * against the standalone sandbox as its real upstreams, the default log
 * level, its output captured to a file — unless the development defaults are
 * asked for (the secondary table): then as `npm start` runs it, the sources
 * through tsx.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_GATEWAY } from '../lib/buildGateway.js';
import { startSandbox, SANDBOX_CREDENTIALS, upstreamEnv, type SandboxProcess } from '../lib/crossdock.js';
import { postJson, waitForOk } from '../lib/http.js';
import type { LoadTarget } from '../lib/load.js';
import { freePort, spawnNode, type NodeChild } from '../lib/proc.js';
import { startPeer, type PeerProcess } from '../peer/startPeer.js';
import type { PeerLink } from '../peer/peerLink.js';
import { crossdockBody, peerBody, type IdSets } from './workload.js';

export const API_KEY = 'bench-throughput-key-0123456789abcdef';

/** The headers a browser-based frontend sends: JSON in and out, and the encodings browsers accept. */
export const CLIENT_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  accept: 'application/json',
  'accept-encoding': 'gzip, br',
  'x-api-key': API_KEY,
};

/** The development-defaults comparison: no compression asked for, as the earlier figures were taken. */
export const PLAIN_HEADERS: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': API_KEY };

export type TargetKind = 'bare' | 'crossdock' | 'peer';

export interface Target {
  label: string;
  kind: TargetKind;
  child: NodeChild;
  load: LoadTarget;
  /** This server's request body for a set of part ids (its own query). */
  bodyFor: (ids: readonly string[]) => string;
  /** Crossdock only: GET this with the key for its Prometheus counters. */
  metricsUrl?: string;
  /** Crossdock only: whether its whole-response cache is on. */
  responseCache?: boolean;
  /** Where the server's stdout and stderr go, when captured to a file. */
  logFile?: string;
  /** Set once measured: RSS right after warm-up, before any load (bytes). */
  idleRssBytes?: number;
  /** Set once measured: RSS after warm-up and IDLE_SETTLE_SECONDS of quiet, before any load (bytes). */
  settledRssBytes?: number;
  /** Content-Encoding of a warm answer to CLIENT_HEADERS ('' = none). */
  encoding?: string;
}

export interface SandboxFigures {
  parts: number;
}

/**
 * The standalone sandbox (`npm run sandbox`'s entry) with limits far above any
 * load here: the throughput figures are about the gateways, not the vendors' quotas.
 */
export function startThroughputSandbox(f: SandboxFigures): Promise<SandboxProcess> {
  return startSandbox('sandbox (throughput)', {
    SANDBOX_PARTS: String(f.parts),
    SANDBOX_FINDITPARTS_RATE_PER_SECOND: '100000',
    SANDBOX_FINDITPARTS_BURST: '1000000',
    SANDBOX_FINDITPARTS_PER_MINUTE: '10000000',
    SANDBOX_BIGCOMMERCE_QUOTA: '10000000',
  });
}

export type Defaults = 'production' | 'development';

export interface CrossdockOptions {
  label: string;
  sandbox: SandboxProcess;
  dir: string;
  responseCache: boolean;
  defaults: Defaults;
  /** What the load sends. */
  body: string;
  nextBody?: () => string;
  headers: Record<string, string>;
  nodeFlags?: string[];
  /** Another checkout's built gateway (BENCH_BASELINE_DIR) instead of this one's. */
  cwd?: string;
  /** Variables set on top of the benchmark's own (a setting measured beside the default). */
  env?: Record<string, string>;
}

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

export async function startCrossdock(o: CrossdockOptions): Promise<Target> {
  const port = await freePort();
  const dataDir = join(o.dir, `data-${slug(o.label)}`);
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(o.dir, `${slug(o.label)}.log`);
  const modeEnv: Record<string, string | undefined> =
    o.defaults === 'production'
      ? // What a production deployment runs with: the mode from NODE_ENV, the default log level (info), compression on.
        { NODE_ENV: 'production', CROSSDOCK_MODE: 'production', LOG_LEVEL: undefined, COMPRESSION: undefined }
      : // The figures the issue calls development defaults.
        { NODE_ENV: undefined, CROSSDOCK_MODE: 'development', LOG_LEVEL: 'warn', COMPRESSION: undefined };
  const child = spawnNode({
    // Production: the image's `node dist/main.js` (buildGateway first); development: `npm start`'s tsx.
    ...(o.defaults === 'production' ? BUILT_GATEWAY : { script: 'src/main.ts' }),
    label: o.label,
    nodeFlags: o.nodeFlags,
    ...(o.cwd ? { cwd: o.cwd } : {}),
    logFile,
    env: {
      ...modeEnv,
      // Production listens on 0.0.0.0 by default; this benchmark stays on loopback.
      HOST: '127.0.0.1',
      PORT: String(port),
      CROSSDOCK_API_KEYS: `bench:admin:${API_KEY}`,
      CROSSDOCK_DATA_DIR: dataDir,
      RESPONSE_CACHE: String(o.responseCache),
      ...upstreamEnv(o.sandbox, { fipRatePerSecond: 10_000, fipPerMinute: 1_000_000, bcQuota: 1_000_000, bcWindowMs: 30_000 }),
      // Throughput, not budgets: the bench key may spend as much as it likes.
      CLIENT_BUDGET_POINTS: '1000000000',
      // "Every entity already in the cache" for the whole run (the default price and product TTLs are 5 minutes).
      CACHE_TTL_PART_SECONDS: '3600',
      CACHE_TTL_PRICE_SECONDS: '3600',
      CACHE_TTL_PRODUCT_SECONDS: '3600',
      CACHE_TTL_STOCK_SECONDS: '3600',
      // Nothing from the caller's shell that would change what is measured.
      REDIS_URL: undefined,
      TRUSTED_DOCUMENTS: undefined,
      CORS_ORIGINS: undefined,
      RESPONSE_CACHE_MAX_ENTRIES: undefined,
      CACHE_MAX_ENTRIES: undefined,
      SKU_PREFIX: undefined,
      APQ: undefined,
      DIRECT_EXECUTION: undefined,
      ...o.env,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${base}/health`, 60_000, () => child.child.exitCode === null);
  } catch (err) {
    throw new Error(`${o.label}: ${err instanceof Error ? err.message : String(err)}\n${child.output().split('\n').slice(-25).join('\n')}`);
  }
  return {
    label: o.label,
    kind: 'crossdock',
    child,
    bodyFor: crossdockBody,
    load: { url: `${base}/graphql`, body: o.body, headers: o.headers, ...(o.nextBody ? { nextBody: o.nextBody } : {}) },
    metricsUrl: `${base}/metrics`,
    responseCache: o.responseCache,
    logFile,
  };
}

/** Fills Crossdock's entity cache with parts 1..range (and their prices and store products), `chunk` ids a request. */
export async function warmEntityCache(t: Target, range: number, chunk = 50): Promise<void> {
  for (let from = 1; from <= range; from += chunk) {
    const ids = Array.from({ length: Math.min(chunk, range - from + 1) }, (_, i) => String(from + i));
    const res = await postJson<{ data?: { parts?: unknown[] }; errors?: unknown[] }>(t.load.url, crossdockBody(ids), PLAIN_HEADERS, 60_000);
    if (res.status !== 200 || res.body?.errors || res.body?.data?.parts?.length !== ids.length) {
      throw new Error(`${t.label}: warming parts ${from}–${from + ids.length - 1} failed: HTTP ${res.status} ${res.text.slice(0, 400)}`);
    }
  }
}

export interface BareOptions {
  dir: string;
  /** The exact body to answer (a warm Crossdock answer, uncompressed). */
  body: string;
  contentType: string;
  compress: boolean;
  headers: Record<string, string>;
  requestBody: string;
  label?: string;
  nodeFlags?: string[];
}

export async function startBare(o: BareOptions): Promise<Target> {
  const port = await freePort();
  const label = o.label ?? 'bare Fastify';
  const bodyFile = join(o.dir, `bare-${slug(label)}.json`);
  writeFileSync(bodyFile, o.body);
  const child = spawnNode({
    script: 'bench/bareServer.ts',
    label,
    nodeFlags: o.nodeFlags,
    env: { BARE_PORT: String(port), BARE_BODY_FILE: bodyFile, BARE_CONTENT_TYPE: o.contentType, BARE_COMPRESS: o.compress ? '1' : '0' },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health`, 30_000, () => child.child.exitCode === null);
  const res = await postJson(`${base}/graphql`, o.requestBody, PLAIN_HEADERS);
  if (res.text !== o.body) throw new Error(`${label} does not answer the captured body`);
  return { label, kind: 'bare', child, bodyFor: crossdockBody, load: { url: `${base}/graphql`, body: o.requestBody, headers: o.headers } };
}

export interface PeerTargetOptions {
  link: PeerLink;
  sandbox: SandboxProcess;
  dir: string;
  sets: IdSets;
  headers: Record<string, string>;
  firstIds: string[];
}

export async function startPeerTarget(o: PeerTargetOptions): Promise<{ target: Target; peer: PeerProcess }> {
  const peerDir = join(o.dir, `peer-${o.link}`);
  mkdirSync(peerDir, { recursive: true });
  const storeHash = new URL(o.sandbox.bcBase).pathname.split('/').filter(Boolean).pop() ?? 'sandbox';
  const peer = await startPeer({
    link: o.link,
    fipOrigin: o.sandbox.fipOrigin,
    bcOrigin: o.sandbox.bcOrigin,
    storeHash,
    fipApiKey: SANDBOX_CREDENTIALS.fipApiKey,
    bcToken: SANDBOX_CREDENTIALS.bcToken,
    dir: peerDir,
  });
  const label = `Hive Gateway over Mesh, ${o.link === 'batched' ? 'batched link (sku:in)' : 'per-item link (sku=)'}`;
  const sets = o.sets;
  return {
    peer,
    target: {
      label,
      kind: 'peer',
      child: peer.child,
      bodyFor: peerBody,
      load: { url: peer.url, body: peerBody(o.firstIds), headers: o.headers, nextBody: () => peerBody(sets.next()) },
      logFile: peer.logFile,
    },
  };
}
