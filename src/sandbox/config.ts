/**
 * `npm run sandbox` reads its options from the environment, once, here.
 * Every variable is optional; the defaults live in options.ts.
 */
import { z } from 'zod';
import { faultSpecSchema } from './common/faults.js';
import { MAX_CATALOG_SIZE } from './common/catalog.js';
import { CURRENCY_CODES } from './shopify/adminSchema.js';
import type { SandboxOptionsInput } from './options.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();
const share = z.coerce.number().min(0).max(1).optional();
const text = z.string().min(1).optional();
const faults = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (!raw) return undefined;
    try {
      return faultSpecSchema.parse(JSON.parse(raw));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid fault spec: ${err instanceof Error ? err.message : String(err)}` });
      return z.NEVER;
    }
  });

/** The documented sandbox variables (README, "Sandbox"). */
const envSchema = z.object({
  SANDBOX_HOST: text,
  SANDBOX_SEED: int(0, 2 ** 31 - 1),
  SANDBOX_PARTS: int(1, MAX_CATALOG_SIZE),
  SANDBOX_FINDITPARTS_PORT: int(0, 65535),
  SANDBOX_FINDITPARTS_CLIENT_ID: text,
  SANDBOX_FINDITPARTS_CLIENT_SECRET: text,
  SANDBOX_FINDITPARTS_API_KEY: text,
  SANDBOX_FINDITPARTS_RATE_PER_SECOND: z.coerce.number().positive().max(100_000).optional(),
  SANDBOX_FINDITPARTS_BURST: int(1, 1_000_000),
  SANDBOX_FINDITPARTS_PER_MINUTE: int(1, 10_000_000),
  SANDBOX_FINDITPARTS_FAULTS: faults,
  SANDBOX_BIGCOMMERCE_PORT: int(0, 65535),
  SANDBOX_BIGCOMMERCE_STORE_HASH: z.string().regex(/^[a-z0-9]+$/).optional(),
  SANDBOX_BIGCOMMERCE_TOKEN: text,
  SANDBOX_BIGCOMMERCE_QUOTA: int(1, 10_000_000),
  SANDBOX_BIGCOMMERCE_WINDOW_MS: int(100, 3_600_000),
  SANDBOX_BIGCOMMERCE_APP_CLIENT_ID: text,
  SANDBOX_BIGCOMMERCE_APP_CLIENT_SECRET: text,
  SANDBOX_BIGCOMMERCE_FAULTS: faults,
  SANDBOX_STORE_SHARE: share,
  SANDBOX_STORE_DRIFT: share,
  SANDBOX_ORDERS: int(0, 100_000),
  SANDBOX_BIGCOMMERCE_CURRENCY: z.string().regex(/^[A-Z]{3}$/).optional(),
  SANDBOX_ION_PORT: int(0, 65535),
  SANDBOX_ION_TENANT: z.string().regex(/^[A-Z0-9_]{1,40}$/).optional(),
  SANDBOX_ION_CLIENT_ID: text,
  SANDBOX_ION_CLIENT_SECRET: text,
  SANDBOX_ION_SERVICE_ACCOUNT_ACCESS_KEY: text,
  SANDBOX_ION_SERVICE_ACCOUNT_SECRET_KEY: text,
  SANDBOX_ION_TOKEN_TTL_SECONDS: int(1, 864_000),
  SANDBOX_ION_ITEM_SHARE: share,
  SANDBOX_ION_OTHER_STOCK_SHARE: share,
  SANDBOX_ION_REQUESTS_PER_WINDOW: int(1, 10_000_000),
  SANDBOX_ION_WINDOW_MS: int(100, 3_600_000),
  SANDBOX_ION_FAULTS: faults,
  SANDBOX_SHOPIFY_PORT: int(0, 65535),
  SANDBOX_SHOPIFY_SHOP_DOMAIN: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/).optional(),
  SANDBOX_SHOPIFY_TOKEN: text,
  SANDBOX_SHOPIFY_SECRET: text,
  SANDBOX_SHOPIFY_ORDERS: int(0, 1_000_000),
  SANDBOX_SHOPIFY_CURRENCY: z.enum(CURRENCY_CODES).optional(),
  SANDBOX_SHOPIFY_SKU_PREFIX: z.string().max(32).optional(),
  SANDBOX_SHOPIFY_BUCKET_SIZE: int(1, 100_000_000),
  SANDBOX_SHOPIFY_RESTORE_RATE: z.coerce.number().positive().max(100_000_000).optional(),
  SANDBOX_SHOPIFY_MAX_QUERY_COST: int(1, 100_000_000),
  SANDBOX_SHOPIFY_PAGINATION_LIMIT: int(0, 100_000_000),
  SANDBOX_SHOPIFY_BULK_START_DELAY_MS: int(0, 600_000),
  SANDBOX_SHOPIFY_BULK_OBJECTS_PER_SECOND: z.coerce.number().min(0).max(10_000_000).optional(),
  SANDBOX_SHOPIFY_WEBHOOKS: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  SANDBOX_SHOPIFY_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SANDBOX_SHOPIFY_WEBHOOK_API_VERSION: z.string().regex(/^(\d{4}-\d{2}|unstable)$/).optional(),
  SANDBOX_SHOPIFY_WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, 'a comma-separated list of delays in ms')
    .transform((v) => (v.trim() ? v.split(',').map((d) => Number(d.trim())) : []))
    .optional(),
  SANDBOX_SHOPIFY_WEBHOOK_TIMEOUT_MS: int(1, 600_000),
  SANDBOX_SHOPIFY_FAULTS: faults,
});

export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxOptionsInput {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SANDBOX_') && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid sandbox configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    host: e.SANDBOX_HOST,
    seed: e.SANDBOX_SEED,
    parts: e.SANDBOX_PARTS,
    finditparts: {
      port: e.SANDBOX_FINDITPARTS_PORT,
      clientId: e.SANDBOX_FINDITPARTS_CLIENT_ID,
      clientSecret: e.SANDBOX_FINDITPARTS_CLIENT_SECRET,
      apiKey: e.SANDBOX_FINDITPARTS_API_KEY,
      ratePerSecond: e.SANDBOX_FINDITPARTS_RATE_PER_SECOND,
      burst: e.SANDBOX_FINDITPARTS_BURST,
      perMinute: e.SANDBOX_FINDITPARTS_PER_MINUTE,
      faults: e.SANDBOX_FINDITPARTS_FAULTS,
    },
    bigcommerce: {
      port: e.SANDBOX_BIGCOMMERCE_PORT,
      storeHash: e.SANDBOX_BIGCOMMERCE_STORE_HASH,
      accessToken: e.SANDBOX_BIGCOMMERCE_TOKEN,
      quota: e.SANDBOX_BIGCOMMERCE_QUOTA,
      windowMs: e.SANDBOX_BIGCOMMERCE_WINDOW_MS,
      appClientId: e.SANDBOX_BIGCOMMERCE_APP_CLIENT_ID,
      appClientSecret: e.SANDBOX_BIGCOMMERCE_APP_CLIENT_SECRET,
      faults: e.SANDBOX_BIGCOMMERCE_FAULTS,
      storeShare: e.SANDBOX_STORE_SHARE,
      driftShare: e.SANDBOX_STORE_DRIFT,
      orders: e.SANDBOX_ORDERS,
      currency: e.SANDBOX_BIGCOMMERCE_CURRENCY,
    },
    ion: {
      port: e.SANDBOX_ION_PORT,
      tenant: e.SANDBOX_ION_TENANT,
      clientId: e.SANDBOX_ION_CLIENT_ID,
      clientSecret: e.SANDBOX_ION_CLIENT_SECRET,
      serviceAccountAccessKey: e.SANDBOX_ION_SERVICE_ACCOUNT_ACCESS_KEY,
      serviceAccountSecretKey: e.SANDBOX_ION_SERVICE_ACCOUNT_SECRET_KEY,
      tokenTtlSeconds: e.SANDBOX_ION_TOKEN_TTL_SECONDS,
      itemShare: e.SANDBOX_ION_ITEM_SHARE,
      otherStockShare: e.SANDBOX_ION_OTHER_STOCK_SHARE,
      requestsPerWindow: e.SANDBOX_ION_REQUESTS_PER_WINDOW,
      windowMs: e.SANDBOX_ION_WINDOW_MS,
      faults: e.SANDBOX_ION_FAULTS,
    },
    shopify: {
      port: e.SANDBOX_SHOPIFY_PORT,
      shopDomain: e.SANDBOX_SHOPIFY_SHOP_DOMAIN,
      accessToken: e.SANDBOX_SHOPIFY_TOKEN,
      apiSecret: e.SANDBOX_SHOPIFY_SECRET,
      orders: e.SANDBOX_SHOPIFY_ORDERS,
      currency: e.SANDBOX_SHOPIFY_CURRENCY,
      skuPrefix: e.SANDBOX_SHOPIFY_SKU_PREFIX,
      bucketSize: e.SANDBOX_SHOPIFY_BUCKET_SIZE,
      restoreRate: e.SANDBOX_SHOPIFY_RESTORE_RATE,
      maxQueryCost: e.SANDBOX_SHOPIFY_MAX_QUERY_COST,
      paginationLimit: e.SANDBOX_SHOPIFY_PAGINATION_LIMIT,
      bulkStartDelayMs: e.SANDBOX_SHOPIFY_BULK_START_DELAY_MS,
      bulkObjectsPerSecond: e.SANDBOX_SHOPIFY_BULK_OBJECTS_PER_SECOND,
      webhooks: e.SANDBOX_SHOPIFY_WEBHOOKS,
      webhookUrl: e.SANDBOX_SHOPIFY_WEBHOOK_URL,
      webhookApiVersion: e.SANDBOX_SHOPIFY_WEBHOOK_API_VERSION,
      webhookRetryDelaysMs: e.SANDBOX_SHOPIFY_WEBHOOK_RETRY_DELAYS_MS,
      webhookTimeoutMs: e.SANDBOX_SHOPIFY_WEBHOOK_TIMEOUT_MS,
      faults: e.SANDBOX_SHOPIFY_FAULTS,
    },
  };
}
