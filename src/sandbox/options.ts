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

export interface SandboxOptions {
  /** Interface both origins bind to. @default "127.0.0.1" */
  host: string;
  /** Seed for the generated catalog, store and orders. @default 42 */
  seed: number;
  /** Catalog size, up to 9,999,999. @default 5000 */
  parts: number;
  finditparts: FinditPartsSandboxOptions;
  bigcommerce: BigCommerceSandboxOptions;
}

export type SandboxOptionsInput = Partial<Omit<SandboxOptions, 'finditparts' | 'bigcommerce'>> & {
  finditparts?: Partial<FinditPartsSandboxOptions>;
  bigcommerce?: Partial<BigCommerceSandboxOptions>;
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
};

export function resolveSandboxOptions(input: SandboxOptionsInput = {}): SandboxOptions {
  return {
    ...SANDBOX_DEFAULTS,
    ...stripUndefined(input),
    finditparts: { ...SANDBOX_DEFAULTS.finditparts, ...stripUndefined(input.finditparts ?? {}) },
    bigcommerce: { ...SANDBOX_DEFAULTS.bigcommerce, ...stripUndefined(input.bigcommerce ?? {}) },
  } as SandboxOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
