/**
 * The BigCommerce connector (upstreams.md, "BigCommerce Management API"): the
 * storefront. REST with a request quota per 30-second window (Standard/Plus:
 * 150), paced as one budget and corrected from the `X-Rate-Limit-*` headers
 * every answer carries. Auth by `X-Auth-Token`: the token the single-click
 * app install sealed for this store when there is one, else the static
 * BIGCOMMERCE_ACCESS_TOKEN. Provides the domain's `store` capability and the
 * app's public callbacks (`/bigcommerce/*`).
 */
import { z } from 'zod';
import { httpUrl, ms, optionalText, type ParsedEnv } from '../../env/variables.js';
import { defineConnector, type ConnectorConfigSlice } from '../connector.js';
import { bigCommerceVendor } from './client.js';
import { createBigCommerceInstall } from './install.js';
import { bigCommerceInstallRoutes } from './installRoutes.js';
import { createBigCommerceStore } from './store.js';
import { createStoreTokenProvider, storeHashOf } from './storeTokens.js';

/** The real vendor endpoint (upstreams.md, "App OAuth"). */
export const BIGCOMMERCE_LOGIN_URL = 'https://login.bigcommerce.com/oauth2/token';

export interface BigCommerceAppConfig {
  /** App client id (BIGCOMMERCE_APP_CLIENT_ID): the code exchange's `client_id` and the signed payload's `aud`. */
  clientId: string;
  /** App client secret (BIGCOMMERCE_APP_CLIENT_SECRET): the exchange's `client_secret` and the signed payload's HMAC key. */
  clientSecret: string;
  /** Token endpoint (BIGCOMMERCE_LOGIN_URL). */
  loginUrl: string;
  /**
   * `redirect_uri` sent with the exchange (BIGCOMMERCE_APP_REDIRECT_URI); unset (development only): the
   * gateway's own listen URL + `/bigcommerce/auth`. Never the callback request's Host header: a caller chooses that.
   */
  redirectUri?: string;
}

export interface BigCommerceConfig {
  /** Base including `/stores/{hash}`. */
  apiUrl: string;
  /** Empty when only the app install provides one. */
  accessToken: string;
  /** Requests per window (Standard/Plus plan: 150 per 30 s). */
  quota: number;
  windowMs: number;
  /** The inventory location stock syncs write to. */
  locationId: number;
  /** The single-click app; undefined: its callbacks answer 404. */
  app?: BigCommerceAppConfig;
  /** The public install callback is counted per client address: callbacks per window. */
  authRateLimit: { perAddress: number; windowSeconds: number };
}

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

const env = {
  BIGCOMMERCE_API_URL: httpUrl,
  BIGCOMMERCE_ACCESS_TOKEN: optionalText,
  BIGCOMMERCE_QUOTA: int(1, 1_000_000, 150),
  BIGCOMMERCE_WINDOW_MS: ms(30_000),
  BIGCOMMERCE_LOCATION_ID: z.coerce.number().int().min(1).default(1),
  BIGCOMMERCE_APP_CLIENT_ID: optionalText,
  BIGCOMMERCE_APP_CLIENT_SECRET: optionalText,
  BIGCOMMERCE_LOGIN_URL: httpUrl,
  BIGCOMMERCE_APP_REDIRECT_URI: httpUrl,
  // A merchant installs once and may retry a few times; a stranger gets ten tries a minute.
  BIGCOMMERCE_AUTH_RATE_LIMIT: int(1, 1_000_000, 10),
  BIGCOMMERCE_AUTH_RATE_WINDOW_SECONDS: int(1, 86_400, 60),
};

type Env = ParsedEnv<typeof env>;

/** What the slice says whether or not the store's address is configured. */
function common(e: Env, appFallback?: { clientId: string; clientSecret: string; loginUrl: string }) {
  const clientId = e.BIGCOMMERCE_APP_CLIENT_ID ?? appFallback?.clientId;
  const clientSecret = e.BIGCOMMERCE_APP_CLIENT_SECRET ?? appFallback?.clientSecret;
  const loginUrl = e.BIGCOMMERCE_LOGIN_URL ?? (e.BIGCOMMERCE_APP_CLIENT_ID ? BIGCOMMERCE_LOGIN_URL : (appFallback?.loginUrl ?? BIGCOMMERCE_LOGIN_URL));
  return {
    locationId: e.BIGCOMMERCE_LOCATION_ID,
    app: clientId && clientSecret ? { clientId, clientSecret, loginUrl, redirectUri: e.BIGCOMMERCE_APP_REDIRECT_URI } : undefined,
    authRateLimit: { perAddress: e.BIGCOMMERCE_AUTH_RATE_LIMIT, windowSeconds: e.BIGCOMMERCE_AUTH_RATE_WINDOW_SECONDS },
  };
}

/** BigCommerce's slice of the environment (exported for its unit tests). */
export const bigCommerceConfigSlice: ConnectorConfigSlice<BigCommerceConfig> = {
  env,
  resolve(values, { mode, problems, all }) {
    const e = values as Env;
    if (Boolean(e.BIGCOMMERCE_APP_CLIENT_ID) !== Boolean(e.BIGCOMMERCE_APP_CLIENT_SECRET)) {
      problems.push('set both BIGCOMMERCE_APP_CLIENT_ID and BIGCOMMERCE_APP_CLIENT_SECRET, or neither');
    }
    if (mode === 'production' && e.BIGCOMMERCE_APP_CLIENT_ID && !all.TOKEN_ENCRYPTION_KEY) {
      problems.push('production mode with the BigCommerce app configured requires TOKEN_ENCRYPTION_KEY (store tokens are encrypted at rest with it)');
    }
    if (mode === 'production' && e.BIGCOMMERCE_APP_CLIENT_ID && !e.BIGCOMMERCE_APP_REDIRECT_URI) {
      // BigCommerce refuses an exchange whose redirect_uri is not the registered auth callback, and
      // behind a proxy the gateway cannot know its public URL (nor may it trust a caller's Host header).
      problems.push('production mode with the BigCommerce app configured requires BIGCOMMERCE_APP_REDIRECT_URI (the auth callback URL registered with the app)');
    }
    if (!e.BIGCOMMERCE_API_URL) return { configured: false, reason: 'BIGCOMMERCE_API_URL is not set' };
    // With the app configured, the token may come from the single-click install instead.
    if (!e.BIGCOMMERCE_ACCESS_TOKEN && !e.BIGCOMMERCE_APP_CLIENT_ID) {
      problems.push('BIGCOMMERCE_API_URL is set but BIGCOMMERCE_ACCESS_TOKEN is not (nor BIGCOMMERCE_APP_CLIENT_ID for the app install)');
    }
    if (!/\/stores\/[^/]+(\/|$)/.test(new URL(e.BIGCOMMERCE_API_URL).pathname)) problems.push('BIGCOMMERCE_API_URL must include /stores/{store_hash}');
    return {
      configured: true,
      config: {
        apiUrl: e.BIGCOMMERCE_API_URL.replace(/\/v[23]$/, ''),
        accessToken: e.BIGCOMMERCE_ACCESS_TOKEN ?? '',
        quota: e.BIGCOMMERCE_QUOTA,
        windowMs: e.BIGCOMMERCE_WINDOW_MS,
        ...common(e),
      },
    };
  },
};

export const bigCommerceConnector = defineConnector<BigCommerceConfig>({
  name: 'bigcommerce',
  title: 'BigCommerce',
  required: true,
  config: bigCommerceConfigSlice,

  async sandbox(world, values) {
    const { startBigCommerceTwin } = await import('../../sandbox/twins.js');
    const twin = await startBigCommerceTwin(world);
    const o = world.options.bigcommerce;
    // The twin plays the app too: its client, and its own token endpoint (unless an app is configured).
    const app = { clientId: o.appClientId, clientSecret: o.appClientSecret, loginUrl: `${twin.url}/oauth2/token` };
    return { url: twin.url, config: { apiUrl: twin.apiBase, accessToken: o.accessToken, quota: o.quota, windowMs: o.windowMs, ...common(values as Env, app) } };
  },

  async create(config, kit) {
    kit.registerSecret(config.accessToken);
    kit.registerSecret(config.app?.clientSecret);
    if (config.app && kit.ephemeralTokenKey) {
      kit.logger.warn(
        'TOKEN_ENCRYPTION_KEY is not set: store tokens from the app install are encrypted with an ephemeral key made at start, so they are unreadable after a restart (install again, or set TOKEN_ENCRYPTION_KEY)',
      );
    }
    const storeHash = storeHashOf(config.apiUrl) ?? '';
    // The store's token from the app install when there is one, else the static token; a 401 re-reads the vault.
    const tokens = createStoreTokenProvider({ vault: kit.tokens, storeHash, fallback: config.accessToken, logger: kit.logger });
    await tokens.refresh();
    const api = kit.upstream({
      baseUrl: config.apiUrl,
      vendor: { ...bigCommerceVendor(() => tokens.current()), refreshAuth: () => tokens.refresh() },
      // upstreams.md: a fixed window of requests per store; the X-Rate-Limit-* headers correct it.
      budgets: [{ points: config.quota, durationMs: config.windowMs }],
    });
    const store = createBigCommerceStore(api.http, config.locationId);

    const install = config.app
      ? createBigCommerceInstall({
          ...config.app,
          vault: kit.tokens,
          logger: kit.logger,
          onChange: async (hash) => {
            if (hash === storeHash) await tokens.refresh();
          },
        })
      : undefined;
    const authLimiter = kit.createLimiter({ keyPrefix: 'crossdock-bigcommerce-auth', points: config.authRateLimit.perAddress, duration: config.authRateLimit.windowSeconds });
    const redirect = config.app?.redirectUri;

    return {
      provides: { store },
      upstreams: [api],
      routes: bigCommerceInstallRoutes({ install, storeHash, authLimiter, redirectUri: () => redirect ?? `${kit.publicUrl()}/bigcommerce/auth` }),
      health: () => ({
        status: tokens.source === 'installed' || config.accessToken ? 'healthy' : 'unhealthy',
        ...(tokens.source === 'static' && !config.accessToken ? { reason: 'no store token yet: install the app in the store' } : {}),
        detail: { token: tokens.source, app: Boolean(config.app) },
      }),
      async start() {
        // The store's default currency labels every store price (GET /v2/store, kept an hour). Read it
        // now, so that no query pays the call; bounded, so an unreachable store does not hold the start
        // (the first read then asks again).
        await Promise.race([
          store.catalog.currency('interactive').catch((err: unknown) => kit.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "could not read the store's currency yet")),
          new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref()),
        ]);
      },
    };
  },
});
