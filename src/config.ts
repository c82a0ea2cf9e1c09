/**
 * The environment, read and validated once at start, into one typed object.
 * Every variable is documented in the README ("Configuration") with its
 * default; an invalid value stops the process with a message naming it
 * (never its value: some are secrets).
 */
import { z } from 'zod';
import { urlVariable } from './configVariables.js';
import { LIMITS_ENV, limitsConfig, type LimitsConfig } from './limits/limitsConfig.js';
import { SECURITY_ENV, securityConfig, type SecurityConfig } from './auth/securityConfig.js';
import { DATA_DIR_VARIABLE, RECORDS_ENV, recordsConfig, type RecordsConfig } from './records/recordsConfig.js';
import { REDIS_ENV, redisConfig, type RedisConfig } from './strategies/redisConfig.js';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface ApiKeyEntry {
  name: string;
  role: Role;
  key: string;
}

export interface FinditPartsConfig {
  baseUrl: string;
  /** Reseller client id (JWT `iss`) and secret (HS256 key); used when both are set. */
  clientId?: string;
  clientSecret?: string;
  /** Static `api-…` key, sent as X-API-Key, used when no client secret is set. */
  apiKey?: string;
  /** Pacing budget: the seed's production figures. */
  ratePerSecond: number;
  perMinute: number;
}

export interface BigCommerceConfig {
  /** Base including `/stores/{hash}`. */
  apiUrl: string;
  accessToken: string;
  /** Requests per window (Standard/Plus plan: 150 per 30 s). */
  quota: number;
  windowMs: number;
}

export interface CacheTtls {
  partMs: number;
  priceMs: number;
  stockMs: number;
  productMs: number;
  orderMs: number;
}

export interface Config {
  mode: 'development' | 'production';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  apiKeys: ApiKeyEntry[];
  /** Upstreams; undefined means the embedded sandbox provides them. */
  finditparts?: FinditPartsConfig;
  bigcommerce?: BigCommerceConfig;
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
  cache: {
    ttl: CacheTtls;
    /** How long past its TTL an entry is served while it refreshes in the background. */
    swrMs: number;
    /** How long past its TTL an entry is kept to serve when the upstream fails. */
    staleIfErrorMs: number;
    maxEntries: number;
  };
  responseCache: { enabled: boolean; maxEntries: number };
  /** SKU rule: store SKU = prefix + supplier part number. */
  skuPrefix: string;
  /** Largest `ids`/`skus` list one field accepts. */
  maxIdsPerField: number;
  shutdownGraceMs: number;
  /** The data directory: the SQLite file `crossdock.db` of the embedded default lives here. */
  dataDir: string;
  orders: {
    defaultShippingMethod: string;
    defaultAddress: { name: string; street1: string; street2?: string; city: string; state: string; zip: string; country: string };
    placeWaitMs: number;
    /** Delay before an order's first send (an operator's window to catch mistakes). */
    dispatchDelayMs: number;
    retryStepMs: number;
    pollMs: number;
    keyTtlMs: number;
  };
  sync: {
    concurrency: number;
    pageSize: number;
    createConcurrency: number;
    locationId: number;
    markupPercent: number;
    rounding: 'cent' | 'x99';
    categoryMap: Record<string, number>;
  };
  /** Per-client budgets, hostile-query limits, web hardening, trusted documents (src/limits/limitsConfig.ts). */
  limits: LimitsConfig;
  /** BigCommerce app install, store-token encryption, audit retention (src/auth/securityConfig.ts). */
  security: SecurityConfig;
  /** Where records live: SQLite in the data dir, or PostgreSQL with DATABASE_URL (src/records/recordsConfig.ts). */
  records: RecordsConfig;
  /** Scale-out on Redis (REDIS_URL); undefined: the embedded strategies (src/strategies/redisConfig.ts). */
  redis?: RedisConfig;
}

const ms = (def: number) => z.coerce.number().int().min(0).max(86_400_000).default(def);
const seconds = (def: number) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(def)
    .transform((s) => s * 1000);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

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

const url = urlVariable(['http:', 'https:'], 'must be an http(s) URL', (u) => u.toString().replace(/\/+$/, ''));

const envSchema = z.object({
  CROSSDOCK_MODE: z.enum(['development', 'production']).optional(),
  NODE_ENV: z.string().optional(),
  HOST: optionalText,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CROSSDOCK_API_KEYS: apiKeys,
  FINDITPARTS_BASE_URL: url,
  FINDITPARTS_CLIENT_ID: optionalText,
  FINDITPARTS_CLIENT_SECRET: optionalText,
  FINDITPARTS_API_KEY: optionalText,
  FINDITPARTS_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(5),
  FINDITPARTS_PER_MINUTE: z.coerce.number().int().positive().max(1_000_000).default(250),
  BIGCOMMERCE_API_URL: url,
  BIGCOMMERCE_ACCESS_TOKEN: optionalText,
  BIGCOMMERCE_QUOTA: z.coerce.number().int().positive().max(1_000_000).default(150),
  BIGCOMMERCE_WINDOW_MS: ms(30_000),
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
  CACHE_TTL_PART_SECONDS: seconds(600),
  CACHE_TTL_PRICE_SECONDS: seconds(300),
  CACHE_TTL_STOCK_SECONDS: seconds(60),
  CACHE_TTL_PRODUCT_SECONDS: seconds(300),
  CACHE_TTL_ORDER_SECONDS: seconds(30),
  CACHE_SWR_SECONDS: seconds(30),
  CACHE_STALE_IF_ERROR_SECONDS: seconds(86_400),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(100).max(10_000_000).default(200_000),
  RESPONSE_CACHE: bool(true),
  RESPONSE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  SKU_PREFIX: z.string().max(32).default(''),
  MAX_IDS_PER_FIELD: z.coerce.number().int().min(1).max(1000).default(250),
  SHUTDOWN_GRACE_MS: ms(10_000),
  CROSSDOCK_DATA_DIR: DATA_DIR_VARIABLE,
  ORDER_DEFAULT_SHIPPING_METHOD: z.string().regex(/^[a-z0-9_]{1,32}$/).default('ground'),
  ORDER_DEFAULT_ADDRESS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const schema = z.object({
        name: z.string().min(1).max(200),
        street1: z.string().min(1).max(200),
        street2: z.string().max(200).optional(),
        city: z.string().min(1).max(200),
        state: z.string().min(1).max(200),
        zip: z.string().min(1).max(20),
        country: z.string().min(1).max(200),
      });
      if (!raw) return { name: 'Crossdock Receiving', street1: '100 Warehouse Way', city: 'Columbus', state: 'OH', zip: '43215', country: 'US' };
      try {
        return schema.parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON address {name, street1, city, state, zip, country}' });
        return z.NEVER;
      }
    }),
  ORDER_PLACE_WAIT_MS: ms(5_000),
  ORDER_RETRY_STEP_MS: ms(5_000),
  ORDER_DISPATCH_DELAY_MS: ms(0),
  ORDER_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(30_000),
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(24).max(24 * 90).default(24),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  SYNC_CREATE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  BIGCOMMERCE_LOCATION_ID: z.coerce.number().int().min(1).default(1),
  PRICE_MARKUP_PERCENT: z.coerce.number().min(-90).max(1000).default(0),
  PRICE_ROUNDING: z.enum(['cent', 'x99']).default('cent'),
  CATEGORY_MAP: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return {} as Record<string, number>;
      try {
        return z.record(z.string(), z.number().int().positive()).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of tag or manufacturer → category id' });
        return z.NEVER;
      }
    }),
  ...LIMITS_ENV,
  ...SECURITY_ENV,
  ...REDIS_ENV,
  ...RECORDS_ENV,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: some variables are secrets.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const mode = e.CROSSDOCK_MODE ?? (e.NODE_ENV === 'production' ? 'production' : 'development');
  const problems: string[] = [];

  let finditparts: FinditPartsConfig | undefined;
  if (e.FINDITPARTS_BASE_URL) {
    const hasJwt = Boolean(e.FINDITPARTS_CLIENT_ID && e.FINDITPARTS_CLIENT_SECRET);
    if (!hasJwt && !e.FINDITPARTS_API_KEY) {
      problems.push('FINDITPARTS_BASE_URL is set but neither FINDITPARTS_CLIENT_ID+FINDITPARTS_CLIENT_SECRET nor FINDITPARTS_API_KEY is');
    }
    finditparts = {
      baseUrl: e.FINDITPARTS_BASE_URL,
      clientId: e.FINDITPARTS_CLIENT_ID,
      clientSecret: e.FINDITPARTS_CLIENT_SECRET,
      apiKey: e.FINDITPARTS_API_KEY,
      ratePerSecond: e.FINDITPARTS_RATE_PER_SECOND,
      perMinute: e.FINDITPARTS_PER_MINUTE,
    };
  }
  let bigcommerce: BigCommerceConfig | undefined;
  if (e.BIGCOMMERCE_API_URL) {
    // With the app configured, the token may come from the single-click install instead.
    if (!e.BIGCOMMERCE_ACCESS_TOKEN && !e.BIGCOMMERCE_APP_CLIENT_ID) problems.push('BIGCOMMERCE_API_URL is set but BIGCOMMERCE_ACCESS_TOKEN is not (nor BIGCOMMERCE_APP_CLIENT_ID for the app install)');
    if (!/\/stores\/[^/]+(\/|$)/.test(new URL(e.BIGCOMMERCE_API_URL).pathname)) {
      problems.push('BIGCOMMERCE_API_URL must include /stores/{store_hash}');
    }
    bigcommerce = {
      apiUrl: e.BIGCOMMERCE_API_URL.replace(/\/v[23]$/, ''),
      accessToken: e.BIGCOMMERCE_ACCESS_TOKEN ?? '',
      quota: e.BIGCOMMERCE_QUOTA,
      windowMs: e.BIGCOMMERCE_WINDOW_MS,
    };
  }
  if (Boolean(finditparts) !== Boolean(bigcommerce)) {
    problems.push('configure both upstreams (FINDITPARTS_BASE_URL and BIGCOMMERCE_API_URL) or neither (embedded sandbox)');
  }
  if (mode === 'production') {
    if (e.CROSSDOCK_API_KEYS.length === 0) problems.push('production mode requires CROSSDOCK_API_KEYS');
    if (!finditparts || !bigcommerce) problems.push('production mode requires real upstreams, not the embedded sandbox');
  }
  const names = new Set<string>();
  for (const k of e.CROSSDOCK_API_KEYS) {
    if (names.has(k.name)) problems.push(`CROSSDOCK_API_KEYS names "${k.name}" twice`);
    names.add(k.name);
  }
  const limits = limitsConfig(e, mode, problems);
  const security = securityConfig(e, mode, problems);
  const records = recordsConfig(e, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  return {
    mode,
    // The embedded default binds loopback only: it prints a generated admin key.
    host: e.HOST ?? (mode === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    apiKeys: e.CROSSDOCK_API_KEYS,
    finditparts,
    bigcommerce,
    interactiveReserve: e.INTERACTIVE_RESERVE,
    upstreamTimeouts: { connectMs: e.UPSTREAM_CONNECT_TIMEOUT_MS, headersMs: e.UPSTREAM_HEADERS_TIMEOUT_MS, bodyMs: e.UPSTREAM_BODY_TIMEOUT_MS },
    upstreamMaxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
    interactiveDeadlineMs: e.INTERACTIVE_DEADLINE_MS,
    retryDelayScale: e.RETRY_DELAY_SCALE,
    breaker: { failureThreshold: e.BREAKER_FAILURE_THRESHOLD, cooldownMs: e.BREAKER_COOLDOWN_MS },
    cache: {
      ttl: {
        partMs: e.CACHE_TTL_PART_SECONDS,
        priceMs: e.CACHE_TTL_PRICE_SECONDS,
        stockMs: e.CACHE_TTL_STOCK_SECONDS,
        productMs: e.CACHE_TTL_PRODUCT_SECONDS,
        orderMs: e.CACHE_TTL_ORDER_SECONDS,
      },
      swrMs: e.CACHE_SWR_SECONDS,
      staleIfErrorMs: e.CACHE_STALE_IF_ERROR_SECONDS,
      maxEntries: e.CACHE_MAX_ENTRIES,
    },
    responseCache: { enabled: e.RESPONSE_CACHE && e.RESPONSE_CACHE_MAX_ENTRIES > 0, maxEntries: e.RESPONSE_CACHE_MAX_ENTRIES },
    skuPrefix: e.SKU_PREFIX,
    maxIdsPerField: e.MAX_IDS_PER_FIELD,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    dataDir: e.CROSSDOCK_DATA_DIR,
    orders: {
      defaultShippingMethod: e.ORDER_DEFAULT_SHIPPING_METHOD,
      defaultAddress: e.ORDER_DEFAULT_ADDRESS,
      placeWaitMs: e.ORDER_PLACE_WAIT_MS,
      dispatchDelayMs: e.ORDER_DISPATCH_DELAY_MS,
      retryStepMs: e.ORDER_RETRY_STEP_MS,
      pollMs: e.ORDER_POLL_INTERVAL_MS,
      keyTtlMs: e.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000,
    },
    sync: {
      concurrency: e.SYNC_CONCURRENCY,
      pageSize: e.SYNC_PAGE_SIZE,
      createConcurrency: e.SYNC_CREATE_CONCURRENCY,
      locationId: e.BIGCOMMERCE_LOCATION_ID,
      markupPercent: e.PRICE_MARKUP_PERCENT,
      rounding: e.PRICE_ROUNDING,
      categoryMap: e.CATEGORY_MAP,
    },
    limits,
    security,
    records,
    redis: redisConfig(e),
  };
}
