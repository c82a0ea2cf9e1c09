/**
 * Everything the sandbox can be told, with the defaults applied in one place.
 * `config.ts` reads these from the environment for `npm run sandbox`; tests
 * and the embedded gateway pass them directly.
 */
import type { FaultSpecInput } from './common/faults.js';

export interface FinditPartsSandboxOptions {
  /** TCP port; 0 picks a free one. @default 4101 */
  port: number;
  /** Reseller client id, the JWT `iss`. @default "sandbox-client" */
  clientId: string;
  /** Reseller client secret, the JWT HS256 key. @default "sandbox-secret" */
  clientSecret: string;
  /** Static key accepted in `X-API-Key`. @default "sandbox-api-key" */
  apiKey: string;
  /** Token bucket refill per second (the seed's production figure). @default 5 */
  ratePerSecond: number;
  /** Token bucket size. @default 10 */
  burst: number;
  /** Requests per rolling minute. @default 250 */
  perMinute: number;
  /** Faults at start. @default none */
  faults?: FaultSpecInput;
}

export interface BigCommerceSandboxOptions {
  /** TCP port; 0 picks a free one. @default 4102 */
  port: number;
  /** Store hash in `/stores/{hash}`. @default "sandbox" */
  storeHash: string;
  /** Accepted `X-Auth-Token`. @default "sandbox-token" */
  accessToken: string;
  /** Requests per window, shared by every client of the store (Standard plan). @default 150 */
  quota: number;
  /** Quota window in ms. @default 30000 */
  windowMs: number;
  /** Share of the supplier catalog already in the store at start, 0..1. @default 0.6 */
  storeShare: number;
  /** Share of the present products that drifted (stale price, stock or name), 0..1. @default 0.1 */
  driftShare: number;
  /** Seeded v2 orders. @default 50 */
  orders: number;
  /** The store's default currency (ISO 4217): `GET /v2/store`'s `currency`, and the currency of every order. @default "USD" */
  currency: string;
  /** App client id for the OAuth install flow. @default "sandbox-app-client" */
  appClientId: string;
  /** App client secret for the OAuth install flow and signed_payload_jwt. @default "sandbox-app-secret" */
  appClientSecret: string;
  /** Faults at start. @default none */
  faults?: FaultSpecInput;
}

export interface IonSandboxOptions {
  /** TCP port; 0 picks a free one. @default 4104 */
  port: number;
  /** The ION tenant (`ti`): every path is under `/{tenant}`. @default "SANDBOX" */
  tenant: string;
  /** The registered application's name (`cn`). @default "crossdock-sandbox" */
  appName: string;
  /** OAuth2 client id (`ci`). @default "SANDBOX~crossdock-sandbox-client" */
  clientId: string;
  /** OAuth2 client secret (`cs`). @default "sandbox-ion-client-secret" */
  clientSecret: string;
  /** Service-account access key (`saak`): the password grant's username. @default "SANDBOX#sandbox-service-account" */
  serviceAccountAccessKey: string;
  /** Service-account secret key (`sask`): the password grant's password. @default "sandbox-service-account-secret" */
  serviceAccountSecretKey: string;
  /** `expires_in` of every access token, in seconds (upstreams.md: 2 hours by default). @default 7200 */
  tokenTtlSeconds: number;
  /** How long a refresh token may be used, in seconds. @default 86400 */
  refreshTokenTtlSeconds: number;
  /** The M3 company (CONO) the items live in; requests without CONO get it. @default "100" */
  company: string;
  /** Share of the supplier catalog that is an M3 item (the rest is missing from the ERP), 0..1. @default 0.8 */
  itemShare: number;
  /** Share of the items whose available stock is the ERP's own rather than what the seeded store holds, 0..1. @default 0.25 */
  otherStockShare: number;
  /** The throttling policy (upstreams.md: set per tenant, no quota headers): API requests per window, then 429. @default 50 */
  requestsPerWindow: number;
  /** The policy's window in ms. @default 1000 */
  windowMs: number;
  /** `Retry-After` sent with a policy 429, in seconds (0: no header). @default 1 */
  retryAfterSeconds: number;
  /** Most transactions one bulk `POST execute` may carry (more is 400). @default 1000 */
  bulkMaxTransactions: number;
  /** Faults at start. @default none */
  faults?: FaultSpecInput;
}

export interface ShopifySandboxOptions {
  /** TCP port; 0 picks a free one. The shop's origin (`SHOPIFY_STORE_URL`) is this origin. @default 4103 */
  port: number;
  /** The shop's myshopify domain (`shop { myshopifyDomain }`, `X-Shopify-Shop-Domain`). @default "crossdock-sandbox.myshopify.com" */
  shopDomain: string;
  /** Accepted `X-Shopify-Access-Token`. @default "sandbox-shopify-token" */
  accessToken: string;
  /** The app's client secret: the key of the webhooks' `X-Shopify-Hmac-Sha256`. @default "sandbox-shopify-secret" */
  apiSecret: string;
  /** Seeded orders, generated lazily from the seed, up to 1,000,000. @default 100000 */
  orders: number;
  /** The shop currency (`shop { currencyCode }`, every order's money). @default "USD" */
  currency: string;
  /** The store's SKU rule: a line item's SKU is this prefix + the supplier part number. @default "" */
  skuPrefix: string;
  /** Cost bucket size in points (`throttleStatus.maximumAvailable`). @default 2000 */
  bucketSize: number;
  /** Points restored per second (`throttleStatus.restoreRate`; Standard plan). @default 100 */
  restoreRate: number;
  /** The single-query cost cap (MAX_COST_EXCEEDED above it). @default 1000 */
  maxQueryCost: number;
  /** Forward pagination of a connection stops after this many objects (0: never). @default 25000 */
  paginationLimit: number;
  /** A bulk operation moves from CREATED to RUNNING after this long, in ms. @default 200 */
  bulkStartDelayMs: number;
  /** Objects a bulk operation writes per second (0: as fast as the sandbox can). @default 0 */
  bulkObjectsPerSecond: number;
  /** Deliver webhooks at all. @default true */
  webhooks: boolean;
  /** A webhook endpoint configured with the app (orders/create, orders/updated), beside the subscriptions made through the API. @default none */
  webhookUrl?: string;
  /** The API version of that endpoint's deliveries. @default "2025-10" */
  webhookApiVersion: string;
  /** Delay before each webhook retry, in ms (their number is the number of retries). @default [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000] */
  webhookRetryDelaysMs: number[];
  /** A delivery not answered within this long has failed (the vendor waits 5 s). @default 5000 */
  webhookTimeoutMs: number;
  /** Faults at start. @default none */
  faults?: FaultSpecInput;
}

export interface SandboxOptions {
  /** Interface both origins bind to. @default "127.0.0.1" */
  host: string;
  /** Seed for the generated catalog, store and orders. @default 42 */
  seed: number;
  /** Catalog size, up to 9,999,999. @default 5000 */
  parts: number;
  finditparts: FinditPartsSandboxOptions;
  bigcommerce: BigCommerceSandboxOptions;
  ion: IonSandboxOptions;
  shopify: ShopifySandboxOptions;
}

export type SandboxOptionsInput = Partial<Omit<SandboxOptions, 'finditparts' | 'bigcommerce' | 'ion' | 'shopify'>> & {
  finditparts?: Partial<FinditPartsSandboxOptions>;
  bigcommerce?: Partial<BigCommerceSandboxOptions>;
  ion?: Partial<IonSandboxOptions>;
  shopify?: Partial<ShopifySandboxOptions>;
};

export const SANDBOX_DEFAULTS: SandboxOptions = {
  host: '127.0.0.1',
  seed: 42,
  parts: 5000,
  finditparts: {
    port: 4101,
    clientId: 'sandbox-client',
    clientSecret: 'sandbox-secret',
    apiKey: 'sandbox-api-key',
    ratePerSecond: 5,
    burst: 10,
    perMinute: 250,
  },
  bigcommerce: {
    port: 4102,
    storeHash: 'sandbox',
    accessToken: 'sandbox-token',
    quota: 150,
    windowMs: 30_000,
    storeShare: 0.6,
    driftShare: 0.1,
    orders: 50,
    currency: 'USD',
    appClientId: 'sandbox-app-client',
    appClientSecret: 'sandbox-app-secret',
  },
  ion: {
    port: 4104,
    tenant: 'SANDBOX',
    appName: 'crossdock-sandbox',
    clientId: 'SANDBOX~crossdock-sandbox-client',
    clientSecret: 'sandbox-ion-client-secret',
    serviceAccountAccessKey: 'SANDBOX#sandbox-service-account',
    serviceAccountSecretKey: 'sandbox-service-account-secret',
    tokenTtlSeconds: 7200,
    refreshTokenTtlSeconds: 86_400,
    company: '100',
    itemShare: 0.8,
    otherStockShare: 0.25,
    requestsPerWindow: 50,
    windowMs: 1_000,
    retryAfterSeconds: 1,
    bulkMaxTransactions: 1_000,
  },
  shopify: {
    port: 4103,
    shopDomain: 'crossdock-sandbox.myshopify.com',
    accessToken: 'sandbox-shopify-token',
    apiSecret: 'sandbox-shopify-secret',
    orders: 100_000,
    currency: 'USD',
    skuPrefix: '',
    bucketSize: 2_000,
    restoreRate: 100,
    maxQueryCost: 1_000,
    paginationLimit: 25_000,
    bulkStartDelayMs: 200,
    bulkObjectsPerSecond: 0,
    webhooks: true,
    webhookApiVersion: '2025-10',
    webhookRetryDelaysMs: [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000, 30_000],
    webhookTimeoutMs: 5_000,
  },
};

export function resolveSandboxOptions(input: SandboxOptionsInput = {}): SandboxOptions {
  return {
    ...SANDBOX_DEFAULTS,
    ...stripUndefined(input),
    finditparts: { ...SANDBOX_DEFAULTS.finditparts, ...stripUndefined(input.finditparts ?? {}) },
    bigcommerce: { ...SANDBOX_DEFAULTS.bigcommerce, ...stripUndefined(input.bigcommerce ?? {}) },
    ion: { ...SANDBOX_DEFAULTS.ion, ...stripUndefined(input.ion ?? {}) },
    shopify: { ...SANDBOX_DEFAULTS.shopify, ...stripUndefined(input.shopify ?? {}) },
  } as SandboxOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
