/**
 * The environment, read and validated once at start, into one typed object.
 * Every variable is documented in the README ("Configuration") with its
 * default; an invalid value stops the process with a message naming it
 * (never its value: some are secrets).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONNECTORS } from './connectors.js';
import type { AnyConnector, ConnectorPlan } from './connectors/connector.js';
import { keySetProblems, readKeysFile } from './auth/keysFile.js';
import { parseCidr } from './auth/networks.js';
import type { ErpItemIdentity } from './domain/erpItemRule.js';
import { bool, httpUrl, ms, optionalText } from './env/variables.js';
import { resolveFileTwins } from './env/fileTwins.js';
import { LIMITS_ENV, limitsConfig, type LimitsConfig } from './limits/limitsConfig.js';
import { OPERATIONS_ENV, operationsConfig, type OperationsConfig } from './observability/operationsConfig.js';
import { SECURITY_ENV, securityConfig, type SecurityConfig } from './auth/securityConfig.js';
import { SOCIAL_ENV, socialConfig, type SocialConfig } from './social/socialConfig.js';
import { DATA_DIR_VARIABLE, RECORDS_ENV, recordsConfig, type RecordsConfig } from './records/recordsConfig.js';
import { REDIS_ENV, redisConfig, type RedisConfig } from './strategies/redisConfig.js';
import { CACHE_ENV, cacheConfig, responseCacheConfig, type CacheConfig, type ResponseCacheConfig } from './cache/cacheConfig.js';
import { ORDERS_ENV, ordersConfig, type OrdersConfig } from './orders/ordersConfig.js';
import { SYNC_ENV, syncConfig, type SyncConfig } from './jobs/syncConfig.js';
import { ORDER_MIRROR_ENV, orderMirrorConfig, type OrderMirrorConfig } from './mirror/orderMirrorConfig.js';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface ApiKeyEntry {
  /** The client the key belongs to (budgets, audit and metrics are per client). */
  name: string;
  role: Role;
  key: string;
  /** Networks (CIDRs) the key is accepted from; unset: any. */
  allow?: string[];
  /** ISO 8601 instant after which the key is refused; unset: no expiry. */
  expiresAt?: string;
}

export interface Config {
  mode: 'development' | 'production';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** CROSSDOCK_API_KEYS (no expiry, no allow-list). */
  apiKeys: ApiKeyEntry[];
  /** CROSSDOCK_API_KEYS_FILE and its keys as read at start; re-read on change and on SIGHUP. */
  apiKeysFile?: { path: string; entries: ApiKeyEntry[] };
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES, CIDRs); empty: none. */
  trustedProxies: string[];
  /** In-process HTTPS (TLS_CERT_FILE + TLS_KEY_FILE, PEM), TLS 1.2 at least; unset: plain HTTP behind a terminating proxy. */
  tls?: { cert: Buffer; key: Buffer };
  /**
   * Every connector of the composition list (src/connectors.ts) and how it runs: against its
   * configured upstream, against its sandbox twin (development), or off.
   */
  connectors: ConnectorSetting[];
  /** Share of each upstream's budget that bulk work may never take (kept for interactive reads). */
  interactiveReserve: number;
  upstreamTimeouts: { connectMs: number; headersMs: number; bodyMs: number };
  /** Largest upstream answer body read, in bytes; a larger one fails the call. */
  upstreamMaxBodyBytes: number;
  /** Deadline for one interactive upstream call including retries and pacing waits. */
  interactiveDeadlineMs: number;
  /** Multiplier on the retry table's delays (1 = the documented delays). */
  retryDelayScale: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  /** The entity cache: TTLs, stale windows, size (src/cache/cacheConfig.ts). */
  cache: CacheConfig;
  /** The whole-response cache (src/cache/cacheConfig.ts). */
  responseCache: ResponseCacheConfig;
  /** Serve /graphql as a Federation v2 subgraph (`_service`, `_entities`): README, "Federation". */
  federation: boolean;
  /** Answer queries Apollo Server has run and seen compiled without its pipeline (src/server/directExecution.ts). */
  directExecution: boolean;
  /** SKU rule: store SKU = prefix + supplier part number. */
  skuPrefix: string;
  /** ERP item rule: ERP item number = prefix + the supplier part number (or the store SKU). */
  erpItem: { identity: ErpItemIdentity; prefix: string };
  /** Largest `ids`/`skus` list one field accepts. */
  maxIdsPerField: number;
  shutdownGraceMs: number;
  /** The data directory: the SQLite file `crossdock.db` of the embedded default lives here. */
  dataDir: string;
  /** Social links → product drafts: image sizes, the media store, publication (src/social/socialConfig.ts). */
  social: SocialConfig;
  /** Supplier orders: defaults, timings, idempotency (src/orders/ordersConfig.ts). */
  orders: OrdersConfig;
  /** Bulk CSV imports (README, "Bulk CSV"). */
  bulk: {
    /** Where uploaded import files are kept, content-addressed (a shared volume with several instances). */
    importDir: string;
    /** Largest upload, in bytes. */
    importMaxBytes: number;
  };
  /** Product messages (README "WhatsApp"). */
  messages: {
    /** How long sendProductMessage waits for the first send before answering with the queued message. */
    waitMs: number;
    /** The delay before a retry after refused attempt n is this doubling n - 1 times (at most 10 minutes). */
    retryStepMs: number;
  };
  /** Sync jobs: concurrency, fitments, pricing (src/jobs/syncConfig.ts). */
  sync: SyncConfig;
  /** Per-client budgets, hostile-query limits, web hardening, trusted documents (src/limits/limitsConfig.ts). */
  limits: LimitsConfig;
  /** BigCommerce app install, store-token encryption, audit retention (src/auth/securityConfig.ts). */
  security: SecurityConfig;
  /** Where records live: SQLite in the data dir, or PostgreSQL with DATABASE_URL (src/records/recordsConfig.ts). */
  records: RecordsConfig;
  /** Scale-out on Redis (REDIS_URL); undefined: the embedded strategies (src/strategies/redisConfig.ts). */
  redis?: RedisConfig;
  /** The dashboard's interval and the alert rules' windows (src/observability/operationsConfig.ts). */
  operations: OperationsConfig;
  /** The gateway's public origin (PUBLIC_URL), for the callbacks vendors are given; undefined: the listen URL. */
  publicUrl?: string;
  /** The orders mirror (src/mirror/): its refresh schedule, overlap window and batches (src/mirror/orderMirrorConfig.ts). */
  orderMirror: OrderMirrorConfig;
}

const apiKeys = z
  .string()
  .optional()
  .transform((raw, ctx): ApiKeyEntry[] => {
    if (!raw || raw.trim() === '') return [];
    const entries: ApiKeyEntry[] = [];
    for (const [i, item] of raw.split(',').entries()) {
      const [name, role, ...rest] = item.trim().split(':');
      const key = rest.join(':');
      if (!name || !role || !key) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not name:role:key` });
        continue;
      }
      if (!ROLES.includes(role as Role)) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) has unknown role "${role}"` });
        continue;
      }
      if (key.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) has a key shorter than 16 characters` });
        continue;
      }
      entries.push({ name, role: role as Role, key });
    }
    return entries;
  });


const coreEnv = {
  CROSSDOCK_MODE: z.enum(['development', 'production']).optional(),
  NODE_ENV: z.string().optional(),
  HOST: optionalText,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CROSSDOCK_API_KEYS: apiKeys,
  CROSSDOCK_API_KEYS_FILE: optionalText,
  TRUSTED_PROXIES: optionalText.transform((raw, ctx) => {
    const list = (raw ?? '').split(',').map((c) => c.trim()).filter(Boolean);
    for (const c of list) {
      const parsed = parseCidr(c);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }
    return list;
  }),
  TLS_CERT_FILE: optionalText,
  TLS_KEY_FILE: optionalText,
  INTERACTIVE_RESERVE: z.coerce.number().min(0).max(0.9).default(0.3),
  UPSTREAM_CONNECT_TIMEOUT_MS: ms(5_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: ms(10_000),
  UPSTREAM_BODY_TIMEOUT_MS: ms(10_000),
  // 8 MiB: far above any page the vendors send (upstreams.md: 100 parts or 250 products a page),
  // far below what would hurt the process if a vendor or a proxy answered without end.
  UPSTREAM_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(8 * 1024 * 1024),
  INTERACTIVE_DEADLINE_MS: ms(20_000),
  RETRY_DELAY_SCALE: z.coerce.number().min(0).max(10).default(1),
  BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  BREAKER_COOLDOWN_MS: ms(15_000),
  ...CACHE_ENV,
  FEDERATION: bool(false),
  DIRECT_EXECUTION: bool(true),
  SKU_PREFIX: z.string().max(32).default(''),
  ERP_ITEM_IDENTITY: z.enum(['partNumber', 'sku']).default('partNumber'),
  ERP_ITEM_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,8}$/, 'at most 8 letters, digits, . _ -').default(''),
  MAX_IDS_PER_FIELD: z.coerce.number().int().min(1).max(1000).default(250),
  SHUTDOWN_GRACE_MS: ms(10_000),
  CROSSDOCK_DATA_DIR: DATA_DIR_VARIABLE,
  ...ORDERS_ENV,
  MESSAGE_SEND_WAIT_MS: ms(5_000),
  MESSAGE_RETRY_STEP_MS: ms(5_000),
  ...SYNC_ENV,
  BULK_IMPORT_DIR: optionalText,
  // 50 MiB: a 100,000-row part list with overrides is a few MiB; past 1 GiB is never a CSV a person made.
  BULK_IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(50 * 1024 * 1024),
  PUBLIC_URL: httpUrl,
  ...ORDER_MIRROR_ENV,
  ...LIMITS_ENV,
  ...SECURITY_ENV,
  ...REDIS_ENV,
  ...OPERATIONS_ENV,
  ...RECORDS_ENV,
  ...SOCIAL_ENV,
};

/** A connector of the list, and how it runs (decided once at start). */
export interface ConnectorSetting {
  name: string;
  title: string;
  required: boolean;
  plan: ConnectorPlan;
}

/** The one environment schema: the gateway's own variables and every connector's slice. */
function environmentSchema(connectors: readonly AnyConnector[]) {
  const shape: Record<string, z.ZodType> = { ...coreEnv };
  for (const c of connectors) {
    for (const [name, schema] of Object.entries(c.env)) {
      if (name in shape) throw new Error(`connector ${c.name} declares ${name}, which is already taken`);
      shape[name] = schema;
    }
  }
  return z.object(shape);
}

/** Both PEM files or neither; read once at start. */
function readTls(certFile: string | undefined, keyFile: string | undefined, problems: string[]): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    problems.push('set both TLS_CERT_FILE and TLS_KEY_FILE for in-process HTTPS, or neither');
    return undefined;
  }
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    problems.push(`TLS_CERT_FILE/TLS_KEY_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * `connectors`: the composition list (src/connectors.ts); a test may add one of its own.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, connectors: readonly AnyConnector[] = CONNECTORS): Config {
  const schema = environmentSchema(connectors);
  // Secrets may come from files (NAME_FILE, the Docker and Kubernetes secrets convention).
  const twins = resolveFileTwins(env, Object.keys(schema.shape));
  if (twins.problems.length) throw new ConfigError(`invalid configuration:\n${twins.problems.map((p) => `  ${p}`).join('\n')}`);
  const parsed = schema.safeParse(twins.env);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: some variables are secrets.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const all = parsed.data as Record<string, unknown>;
  const e = parsed.data as unknown as z.output<z.ZodObject<typeof coreEnv>>;
  const mode = e.CROSSDOCK_MODE ?? (e.NODE_ENV === 'production' ? 'production' : 'development');
  const problems: string[] = [];

  const settings: ConnectorSetting[] = connectors.map((c) => ({
    name: c.name,
    title: c.title,
    required: c.required,
    plan: c.plan(Object.fromEntries(Object.keys(c.env).map((k) => [k, all[k]])), { mode, problems, all }),
  }));
  // An optional connector's twin belongs to the embedded sandbox world: beside a real supplier and
  // store it would answer from a catalog they do not have, so it stays off until configured.
  if (settings.some((c) => c.required && c.plan.kind === 'configured')) {
    for (const c of settings) if (!c.required && c.plan.kind === 'sandbox') c.plan = c.plan.fallback ?? { kind: 'off', reason: `${c.title} is not configured (its sandbox twin runs only with the embedded sandbox)` };
  }
  const real = settings.filter((c) => c.plan.kind === 'configured');
  const requiredTwins = settings.filter((c) => c.required && c.plan.kind === 'sandbox');
  if (real.some((c) => c.required) && requiredTwins.length > 0) {
    // The twins of the required connectors share one seeded world (the store sells the supplier's
    // parts); a real supplier beside a simulated store would mix data from two worlds.
    problems.push(
      `configure all of ${settings.filter((c) => c.required).map((c) => c.title).join(', ')} or none of them (embedded sandbox); ` +
        `${requiredTwins.map((c) => c.title).join(', ')} ${requiredTwins.length === 1 ? 'is' : 'are'} not configured`,
    );
  }
  // Keys: the variable's and the keys file's, checked together.
  let apiKeysFile: Config['apiKeysFile'];
  if (e.CROSSDOCK_API_KEYS_FILE) {
    const file = readKeysFile(e.CROSSDOCK_API_KEYS_FILE);
    if ('problems' in file) problems.push(...file.problems.map((p) => `CROSSDOCK_API_KEYS_FILE: ${p}`));
    else apiKeysFile = { path: e.CROSSDOCK_API_KEYS_FILE, entries: file.entries };
  }
  const apiKeys = [...e.CROSSDOCK_API_KEYS, ...(apiKeysFile?.entries ?? [])];
  problems.push(...keySetProblems(apiKeys).map((p) => `API keys: ${p}`));
  const tls = readTls(e.TLS_CERT_FILE, e.TLS_KEY_FILE, problems);
  if (mode === 'development' && real.length > 0 && apiKeys.length === 0 && !e.CROSSDOCK_API_KEYS_FILE) {
    // Without keys, development generates an admin key and fills it in the playground: in front of a real
    // supplier and store that key places real orders, so real upstreams need real keys.
    problems.push(
      `development mode with real upstreams requires CROSSDOCK_API_KEYS (a generated admin key would place real orders; configured: ${real.map((c) => c.title).join(', ')}); configure keys, or leave the upstreams unset for the embedded sandbox`,
    );
  }
  if (mode === 'production' && apiKeys.length === 0 && !e.CROSSDOCK_API_KEYS_FILE) problems.push('production mode requires CROSSDOCK_API_KEYS or CROSSDOCK_API_KEYS_FILE');
  const limits = limitsConfig(e, mode, problems);
  const security = securityConfig(e);
  const operations = operationsConfig(e, problems);
  const records = recordsConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  return {
    mode,
    // The embedded default binds loopback only: it prints a generated admin key.
    host: e.HOST ?? (mode === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    apiKeys: e.CROSSDOCK_API_KEYS,
    ...(apiKeysFile ? { apiKeysFile } : {}),
    trustedProxies: e.TRUSTED_PROXIES,
    ...(tls ? { tls } : {}),
    connectors: settings,
    interactiveReserve: e.INTERACTIVE_RESERVE,
    upstreamTimeouts: { connectMs: e.UPSTREAM_CONNECT_TIMEOUT_MS, headersMs: e.UPSTREAM_HEADERS_TIMEOUT_MS, bodyMs: e.UPSTREAM_BODY_TIMEOUT_MS },
    upstreamMaxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
    interactiveDeadlineMs: e.INTERACTIVE_DEADLINE_MS,
    retryDelayScale: e.RETRY_DELAY_SCALE,
    breaker: { failureThreshold: e.BREAKER_FAILURE_THRESHOLD, cooldownMs: e.BREAKER_COOLDOWN_MS },
    cache: cacheConfig(e),
    responseCache: responseCacheConfig(e),
    federation: e.FEDERATION,
    directExecution: e.DIRECT_EXECUTION,
    skuPrefix: e.SKU_PREFIX,
    erpItem: { identity: e.ERP_ITEM_IDENTITY, prefix: e.ERP_ITEM_PREFIX },
    maxIdsPerField: e.MAX_IDS_PER_FIELD,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    dataDir: e.CROSSDOCK_DATA_DIR,
    social: socialConfig(e, e.CROSSDOCK_DATA_DIR),
    orders: ordersConfig(e),
    bulk: {
      importDir: e.BULK_IMPORT_DIR ?? join(e.CROSSDOCK_DATA_DIR, 'imports'),
      importMaxBytes: e.BULK_IMPORT_MAX_BYTES,
    },
    messages: { waitMs: e.MESSAGE_SEND_WAIT_MS, retryStepMs: e.MESSAGE_RETRY_STEP_MS },
    sync: syncConfig(e),
    limits,
    security,
    records,
    redis: redisConfig(e),
    operations,
    ...(e.PUBLIC_URL ? { publicUrl: new URL(e.PUBLIC_URL).origin } : {}),
    orderMirror: orderMirrorConfig(e),
  };
}
