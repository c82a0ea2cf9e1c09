/**
 * The Infor ION connector (upstreams.md, "Infor ION API / M3 ERP"): the ERP,
 * Infor M3 behind the ION API gateway. Credentials from an `.ionapi` file
 * (ION_API_FILE, or its fields as ION_TI, ION_CI, … variables, which also
 * override the file's); an OAuth2 token by the password grant with the
 * service account's keys, refreshed ahead of expiry and once on a 401,
 * shared by the fleet (tokenManager.ts); M3 MI REST on the shared HTTP
 * machinery with the tenant's throttling paced as a request budget (ION
 * publishes no figures and no quota headers: ION_RATE_PER_SECOND and
 * ION_PER_MINUTE say what the tenant's policy allows).
 *
 * Provides the optional `erp` capability: items and stock for the graph,
 * and the allow-listed read transactions of the `m3(…)` escape hatch.
 * Not required: without it the gateway runs and the ERP's fields are refused.
 */
import { z } from 'zod';
import type { Budget } from '../../limits/pacer.js';
import { optionalText } from '../../env/variables.js';
import { defineConnector, type ConfigContext } from '../connector.js';
import { DEFAULT_ALLOWED, parseAllowList, type AllowList } from './allowList.js';
import { createIonErp } from './erp.js';
import { IONAPI_FIELDS, ionApiFields, ionCredentials, readIonApiFile, type IonApiField, type IonCredentials } from './ionapi.js';
import { createM3Client, ionGatewayVendor } from './m3Client.js';
import { createM3CustomerOrders } from './m3CustomerOrders.js';
import { createSharedTokenStore } from './sharedToken.js';
import { createTokenEndpoint, ionAuthVendor } from './tokenEndpoint.js';
import { createIonTokens } from './tokenManager.js';
import { SEED_TTLS, parseTtlTable, type TtlTable } from './ttlTable.js';

export interface IonConfig {
  credentials: IonCredentials;
  /** M3 company (`cono`); absent: the service account's default. */
  company?: string;
  /** M3 division (`divi`). */
  division?: string;
  /** The tenant's throttling policy as pacing budgets. */
  budgets: Budget[];
  token: { refreshAheadMs: number; checkIntervalMs: number };
  ttls: TtlTable;
  allowList: AllowList;
  bulkMaxTransactions: number;
  /** Who store orders are entered for (ERP_ORDER_EXPORT); absent: the export is off, and why. */
  orders: { customer: string; orderType: string } | { off: string };
}

const matching = (re: RegExp, message: string) => optionalText.refine((v) => v === undefined || re.test(v), { message });
const variable = (field: IonApiField) => `ION_${field.toUpperCase()}`;

const env = {
  ION_API_FILE: optionalText,
  ...Object.fromEntries(IONAPI_FIELDS.map((f) => [variable(f), optionalText])),
  ION_CONO: matching(/^\d{1,3}$/, 'must be an M3 company number (1 to 3 digits)'),
  ION_DIVI: matching(/^[A-Za-z0-9]{1,3}$/, 'must be an M3 division (1 to 3 letters or digits)'),
  ION_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(10),
  ION_PER_MINUTE: z.coerce.number().int().positive().max(1_000_000).default(300),
  ION_TOKEN_REFRESH_AHEAD_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  ION_TOKEN_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  ION_CACHE_TTLS: z.string().default(SEED_TTLS),
  ION_M3_ALLOWED_TRANSACTIONS: z.string().default(DEFAULT_ALLOWED),
  ION_BULK_MAX_TRANSACTIONS: z.coerce.number().int().min(1).max(1_000).default(100),
  // OIS100MI AddBatchHead's CUNO (M3: 10 characters) and ORTP (3).
  ION_ORDER_CUSTOMER: matching(/^[A-Za-z0-9_.\-]{1,10}$/, 'must be an M3 customer number (1 to 10 letters, digits, . _ -)'),
  ION_ORDER_TYPE: matching(/^[A-Za-z0-9]{1,3}$/, 'must be an M3 customer order type (1 to 3 letters or digits)'),
};

type Env = {
  ION_API_FILE?: string;
  ION_CONO?: string;
  ION_DIVI?: string;
  ION_RATE_PER_SECOND: number;
  ION_PER_MINUTE: number;
  ION_TOKEN_REFRESH_AHEAD_SECONDS: number;
  ION_TOKEN_CHECK_INTERVAL_MS: number;
  ION_CACHE_TTLS: string;
  ION_M3_ALLOWED_TRANSACTIONS: string;
  ION_BULK_MAX_TRANSACTIONS: number;
  ION_ORDER_CUSTOMER?: string;
  ION_ORDER_TYPE?: string;
} & Partial<Record<string, string>>;

/** Store orders go to M3 only with both the customer and the order type: the rest of the ERP works without. */
function orderEntry(e: Env, problems: string[]): IonConfig['orders'] {
  const customer = e.ION_ORDER_CUSTOMER;
  const orderType = e.ION_ORDER_TYPE;
  if (customer && orderType) return { customer, orderType };
  if (customer || orderType) problems.push(`${customer ? 'ION_ORDER_TYPE' : 'ION_ORDER_CUSTOMER'} must be set with ${customer ? 'ION_ORDER_CUSTOMER' : 'ION_ORDER_TYPE'} (the M3 customer and order type store orders are entered as)`);
  return { off: 'ION_ORDER_CUSTOMER and ION_ORDER_TYPE are not set' };
}

/** The settings that are not about where ION is (shared by a configured ION and the sandbox twin). */
function settings(e: Env, problems: string[]): Omit<IonConfig, 'credentials' | 'budgets'> {
  return {
    orders: orderEntry(e, problems),
    company: e.ION_CONO,
    division: e.ION_DIVI,
    token: { refreshAheadMs: e.ION_TOKEN_REFRESH_AHEAD_SECONDS * 1000, checkIntervalMs: e.ION_TOKEN_CHECK_INTERVAL_MS },
    ttls: parseTtlTable(e.ION_CACHE_TTLS, 'ION_CACHE_TTLS', problems),
    allowList: parseAllowList(e.ION_M3_ALLOWED_TRANSACTIONS, 'ION_M3_ALLOWED_TRANSACTIONS', problems),
    bulkMaxTransactions: e.ION_BULK_MAX_TRANSACTIONS,
  };
}

export const ionConfigSlice = {
  env,
  resolve(values: Readonly<Record<string, unknown>>, { mode, problems, all }: ConfigContext) {
    const e = values as Env;
    const overrides: Partial<Record<IonApiField, string>> = {};
    for (const f of IONAPI_FIELDS) if (e[variable(f)]) overrides[f] = e[variable(f)];
    if (!e.ION_API_FILE && Object.keys(overrides).length === 0) return { configured: false as const, reason: 'ION_API_FILE is not set' };
    if (mode === 'production' && all.REDIS_URL && !all.TOKEN_ENCRYPTION_KEY) {
      // The fleet shares one token through the sealed vault: every instance must open what another sealed.
      problems.push('production mode with ION configured and REDIS_URL requires TOKEN_ENCRYPTION_KEY (the instances share one sealed ION token)');
    }
    const fromFile = e.ION_API_FILE ? readIonApiFile(e.ION_API_FILE, 'ION_API_FILE', problems) : {};
    const where = (f: IonApiField) => (e.ION_API_FILE ? `ION_API_FILE field "${f}" (or ${variable(f)})` : variable(f));
    const credentials = ionCredentials({ ...fromFile, ...overrides }, where, problems);
    const rest = settings(e, problems);
    if (!credentials) return { configured: false as const, reason: 'the ION credentials are incomplete' };
    const budgets: Budget[] = [
      { points: Math.max(1, Math.floor(e.ION_RATE_PER_SECOND)), durationMs: 1_000 },
      { points: e.ION_PER_MINUTE, durationMs: 60_000 },
    ];
    return { configured: true as const, config: { credentials, budgets, ...rest } };
  },
};

export const ionConnector = defineConnector<IonConfig>({
  name: 'ion',
  title: 'Infor ION (M3)',
  required: false,
  config: ionConfigSlice,

  async sandbox(world, values) {
    const { startIonTwin } = await import('../../sandbox/twins.js');
    const twin = await startIonTwin(world);
    // The twin's .ionapi document, read like any other (the twin is a second opinion, not a shortcut).
    const problems: string[] = [];
    const credentials = ionCredentials(ionApiFields(twin.origin.ionapi(), 'the ION sandbox', problems), (f) => `the ION sandbox's field "${f}"`, problems);
    // The twin's web store customer and an order type it accepts (src/sandbox/ion/erpData.ts), unless set.
    const e = values as Env;
    const rest = settings({ ...e, ION_ORDER_CUSTOMER: e.ION_ORDER_CUSTOMER ?? 'WEBSTORE', ION_ORDER_TYPE: e.ION_ORDER_TYPE ?? 'WEB' } as Env, problems);
    if (!credentials || problems.length) throw new Error(`the ION sandbox twin: ${problems.join('; ')}`);
    const o = world.options.ion;
    // The twin's throttling policy is the budget (it defaults to 50 requests a second).
    return { url: twin.url, config: { credentials, budgets: [{ points: o.requestsPerWindow, durationMs: o.windowMs }], ...rest } };
  },

  create(config, kit) {
    const c = config.credentials;
    kit.registerSecret(c.clientSecret);
    kit.registerSecret(c.serviceAccountSecretKey);
    kit.registerSecret(c.serviceAccountAccessKey);
    if (kit.shared && kit.ephemeralTokenKey) {
      kit.logger.warn('TOKEN_ENCRYPTION_KEY is not set: each instance seals the ION token with a key of its own, so the instances cannot share it and each refreshes its own');
    }
    // The authorization server: a few calls an hour, on a budget of its own. Auxiliary: while it is
    // down the token it gave still serves, and the token's state (tokenManager.ts) is the health.
    const auth = kit.upstream({ name: 'ion-auth', baseUrl: c.authUrl, vendor: ionAuthVendor(c), budgets: [{ points: 5, durationMs: 1_000 }], connections: 2, auxiliary: true });
    const scope = `${c.tenant}:${c.clientId}`;
    const tokens = createIonTokens({
      connector: 'ion',
      endpoint: createTokenEndpoint(auth.http, c),
      store: createSharedTokenStore(kit.tokens, `ion:${scope}`, (what, err) => kit.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `the ION token vault ${what} failed`)),
      leases: kit.leases,
      lockName: `ion-token:${scope}`,
      fleet: kit.shared,
      refreshAheadMs: config.token.refreshAheadMs,
      checkIntervalMs: config.token.checkIntervalMs,
      metrics: kit.metrics,
      logger: kit.logger,
      registerSecret: kit.registerSecret,
    });
    const api = kit.upstream({ baseUrl: `${c.gatewayUrl}/${encodeURIComponent(c.tenant)}/M3/m3api-rest/v2`, vendor: ionGatewayVendor(tokens), budgets: config.budgets });
    const m3 = createM3Client(api.http, { company: config.company, division: config.division, bulkMaxTransactions: config.bulkMaxTransactions });
    const erp = createIonErp({ name: 'ion', displayName: 'Infor M3 (ION)', m3, ttls: config.ttls, allowList: config.allowList });
    const orders = config.orders;
    return {
      provides: {
        erp: 'off' in orders ? { ...erp, ordersUnavailable: orders.off } : { ...erp, orders: createM3CustomerOrders({ name: 'ion', m3, customer: orders.customer, orderType: orders.orderType }) },
      },
      upstreams: [api, auth],
      health() {
        const h = tokens.health();
        const orderEntry = 'off' in orders ? `off: ${orders.off}` : `customer ${orders.customer}, order type ${orders.orderType}`;
        return { ...h, ...(h.status === 'healthy' && kit.sandbox ? { reason: 'sandbox twin' } : {}), detail: { ...h.detail, tenant: c.tenant, allowedTransactions: config.allowList.entries().length, orderEntry } };
      },
      async start() {
        // The first token now, so no read pays for it; bounded, so an unreachable ION does not hold the start.
        await Promise.race([tokens.start(), new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
      },
      close: () => tokens.close(),
    };
  },
});

