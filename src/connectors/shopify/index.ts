/**
 * The Shopify connector (upstreams.md, "Shopify"): the shop's orders, read
 * through the GraphQL Admin API at a pinned version
 * (`{SHOPIFY_STORE_URL}/admin/api/{SHOPIFY_API_VERSION}/graphql.json`,
 * `X-Shopify-Access-Token`) and pushed by its `orders/create` and
 * `orders/updated` webhooks (HMAC with SHOPIFY_API_SECRET).
 *
 * A GraphQL upstream with a cost quota: paced on query cost by the shared
 * machinery's cost bucket (the vendor's bucket size and restore rate, as its
 * answers report them), not on requests; `THROTTLED` is the retry table's
 * rate-limited row. Provides the optional `orderSource` capability the
 * orders mirror is filled from (src/mirror/). Not required: without it the
 * gateway runs and the Shopify mirror is not refreshed.
 */
import { z } from 'zod';
import { bool, httpUrl, optionalText, type ParsedEnv } from '../../env/variables.js';
import { defineConnector } from '../connector.js';
import { createAdminApi, shopifyVendor } from './adminApi.js';
import { createShopifyOrderSource } from './orderSource.js';
import { createShopCurrency } from './shopCurrency.js';
import { createWebhookIntake } from './webhooks.js';
import { SHOPIFY_GUESSES } from './wire.js';

export interface ShopifyConfig {
  /** The shop's origin, e.g. `https://example.myshopify.com`. */
  storeUrl: string;
  accessToken: string;
  /** The app's client secret: webhook HMACs. Undefined: webhooks are off. */
  apiSecret?: string;
  /** Quarterly `YYYY-MM`. */
  apiVersion: string;
  /** Ask Shopify for order webhooks at start. */
  webhooks: boolean;
  /** The shop's bucket as documented (corrected from every answer). */
  bucket: { maximum: number; restoreRate: number };
  /** The single-query cost cap pages are sized under. */
  maxQueryCost: number;
}

/** upstreams.md: versions are quarterly, e.g. 2025-10. */
export const DEFAULT_API_VERSION = '2025-10';

const env = {
  SHOPIFY_STORE_URL: httpUrl,
  SHOPIFY_ACCESS_TOKEN: optionalText,
  SHOPIFY_API_SECRET: optionalText,
  SHOPIFY_API_VERSION: z.string().regex(/^\d{4}-(01|04|07|10)$/, 'must be a quarterly version YYYY-MM (01, 04, 07 or 10)').default(DEFAULT_API_VERSION),
  SHOPIFY_WEBHOOKS: bool(true),
  // upstreams.md: restores 100 points/s (Standard), 200 (Advanced), 1000 (Plus).
  SHOPIFY_RESTORE_RATE: z.coerce.number().positive().max(100_000).default(100),
  SHOPIFY_BUCKET_SIZE: z.coerce.number().int().min(50).max(1_000_000).default(SHOPIFY_GUESSES.bucketSize),
  SHOPIFY_MAX_QUERY_COST: z.coerce.number().int().min(50).max(100_000).default(SHOPIFY_GUESSES.maxQueryCost),
};

type Env = ParsedEnv<typeof env>;

/** The settings that are not about where the shop is (shared by a configured shop and the sandbox twin). */
function settings(e: Env): Pick<ShopifyConfig, 'apiVersion' | 'webhooks' | 'bucket' | 'maxQueryCost'> {
  return {
    apiVersion: e.SHOPIFY_API_VERSION,
    webhooks: e.SHOPIFY_WEBHOOKS,
    bucket: { maximum: e.SHOPIFY_BUCKET_SIZE, restoreRate: e.SHOPIFY_RESTORE_RATE },
    maxQueryCost: e.SHOPIFY_MAX_QUERY_COST,
  };
}

export const shopifyConnector = defineConnector<ShopifyConfig>({
  name: 'shopify',
  title: 'Shopify',
  required: false,
  config: {
    env,
    resolve(values, { problems }) {
      const e = values as Env;
      if (!e.SHOPIFY_STORE_URL) return { configured: false, reason: 'SHOPIFY_STORE_URL is not set' };
      if (!e.SHOPIFY_ACCESS_TOKEN) problems.push('SHOPIFY_STORE_URL is set but SHOPIFY_ACCESS_TOKEN is not');
      if (e.SHOPIFY_WEBHOOKS && !e.SHOPIFY_API_SECRET) problems.push('SHOPIFY_WEBHOOKS is on but SHOPIFY_API_SECRET (the app secret webhooks are signed with) is not set; set it, or SHOPIFY_WEBHOOKS=false');
      // The origin only: the connector adds /admin/api/{version}/graphql.json.
      const origin = new URL(e.SHOPIFY_STORE_URL).origin;
      return { configured: true, config: { storeUrl: origin, accessToken: e.SHOPIFY_ACCESS_TOKEN ?? '', apiSecret: e.SHOPIFY_API_SECRET, ...settings(e) } };
    },
  },

  async sandbox(world, values) {
    const { startShopifyTwin } = await import('../../sandbox/twins.js');
    const twin = await startShopifyTwin(world);
    const o = world.options.shopify;
    const rest = settings(values as Env);
    // The twin's shop: its token and app secret, and its bucket as documented for it (corrected from every answer anyway).
    return {
      url: twin.url,
      config: { storeUrl: new URL(twin.url).origin, accessToken: o.accessToken, apiSecret: o.apiSecret, ...rest, bucket: { maximum: o.bucketSize, restoreRate: o.restoreRate }, maxQueryCost: o.maxQueryCost },
    };
  },

  create(config, kit) {
    kit.registerSecret(config.accessToken);
    kit.registerSecret(config.apiSecret);
    const api = kit.upstream({
      baseUrl: `${config.storeUrl}/admin/api/${config.apiVersion}`,
      vendor: shopifyVendor(config.accessToken),
      // A cost quota, not a request quota: no request budget; the bucket paces (upstreams.md, "Cost-based throttle").
      budgets: [],
      costBucket: config.bucket,
      connections: 4,
    });
    const admin = createAdminApi(api.http);
    const shopCurrency = createShopCurrency(admin);
    const webhooksOn = config.webhooks && config.apiSecret !== undefined;
    const intake = createWebhookIntake({ secret: config.apiSecret ?? '', shopCurrency: shopCurrency.known, logger: kit.logger });
    const orderSource = createShopifyOrderSource({
      name: 'shopify',
      api: admin,
      maxQueryCost: config.maxQueryCost,
      webhooks: { enabled: webhooksOn, intake, callbackBase: () => kit.publicUrl() },
      shopCurrency: shopCurrency.get,
      logger: kit.logger,
      metrics: kit.metrics,
    });
    return {
      provides: { orderSource },
      upstreams: [api],
      routes: webhooksOn ? [intake.route] : [],
      health: () => ({ status: 'healthy', reason: kit.sandbox ? 'sandbox twin' : undefined, detail: { apiVersion: config.apiVersion, webhooks: webhooksOn } }),
      async start() {
        // The shop's currency now, so the first webhook need not wait for it; bounded, so a slow shop does not hold the start.
        await Promise.race([shopCurrency.get(), new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
      },
    };
  },
});
