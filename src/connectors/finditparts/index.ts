/**
 * The FinditParts connector (upstreams.md, "FinditParts Reseller API"): the
 * parts supplier. REST with a request quota — a token bucket of 5/s with a
 * burst of 10 and 250/min in the seed's production figures — paced as two
 * budgets; auth by a fresh HS256 JWT per request (client id + secret) or a
 * static X-API-Key. Provides the domain's `supplier` capability: the catalog
 * the graph and the syncs read, and ordering.
 *
 * This file is the worked example of README "Adding a connector".
 */
import { z } from 'zod';
import { httpUrl, optionalText, type ParsedEnv } from '../../env/variables.js';
import { defineConnector } from '../connector.js';
import { finditPartsVendor } from './client.js';
import { createFinditPartsSupplier } from './supplier.js';

export interface FinditPartsConfig {
  baseUrl: string;
  /** Reseller client id (JWT `iss`) and secret (HS256 key); used when both are set. */
  clientId?: string;
  clientSecret?: string;
  /** Static `api-…` key, sent as X-API-Key, used when no client secret is set. */
  apiKey?: string;
  /** Pacing budget: the vendor's rate (the seed's production figures by default). */
  ratePerSecond: number;
  perMinute: number;
}

const env = {
  FINDITPARTS_BASE_URL: httpUrl,
  FINDITPARTS_CLIENT_ID: optionalText,
  FINDITPARTS_CLIENT_SECRET: optionalText,
  FINDITPARTS_API_KEY: optionalText,
  FINDITPARTS_RATE_PER_SECOND: z.coerce.number().positive().max(10_000).default(5),
  FINDITPARTS_PER_MINUTE: z.coerce.number().int().positive().max(1_000_000).default(250),
};

type Env = ParsedEnv<typeof env>;

export const finditPartsConnector = defineConnector<FinditPartsConfig>({
  name: 'finditparts',
  title: 'FinditParts',
  required: true,
  config: {
    env,
    resolve(values, { problems }) {
      const e = values as Env;
      if (!e.FINDITPARTS_BASE_URL) return { configured: false, reason: 'FINDITPARTS_BASE_URL is not set' };
      if (!(e.FINDITPARTS_CLIENT_ID && e.FINDITPARTS_CLIENT_SECRET) && !e.FINDITPARTS_API_KEY) {
        problems.push('FINDITPARTS_BASE_URL is set but neither FINDITPARTS_CLIENT_ID+FINDITPARTS_CLIENT_SECRET nor FINDITPARTS_API_KEY is');
      }
      return {
        configured: true,
        config: {
          baseUrl: e.FINDITPARTS_BASE_URL,
          clientId: e.FINDITPARTS_CLIENT_ID,
          clientSecret: e.FINDITPARTS_CLIENT_SECRET,
          apiKey: e.FINDITPARTS_API_KEY,
          ratePerSecond: e.FINDITPARTS_RATE_PER_SECOND,
          perMinute: e.FINDITPARTS_PER_MINUTE,
        },
      };
    },
  },

  async sandbox(world) {
    const { startFinditPartsTwin } = await import('../../sandbox/twins.js');
    const twin = await startFinditPartsTwin(world);
    const o = world.options.finditparts;
    // The twin's own limits are the budget (they default to the seed's figures).
    return { url: twin.url, config: { baseUrl: twin.apiBase, clientId: o.clientId, clientSecret: o.clientSecret, ratePerSecond: o.ratePerSecond, perMinute: o.perMinute } };
  },

  create(config, kit) {
    kit.registerSecret(config.clientSecret);
    kit.registerSecret(config.apiKey);
    const api = kit.upstream({
      baseUrl: config.baseUrl,
      vendor: finditPartsVendor(config),
      // upstreams.md: a token bucket per second and a per-minute cap; pace on both.
      budgets: [
        { points: Math.max(1, Math.floor(config.ratePerSecond)), durationMs: 1_000 },
        { points: config.perMinute, durationMs: 60_000 },
      ],
    });
    return {
      provides: { supplier: createFinditPartsSupplier(api.http) },
      upstreams: [api],
      health: () => ({ status: 'healthy', reason: kit.sandbox ? 'sandbox twin' : undefined, detail: { auth: config.clientSecret ? 'jwt' : 'api-key' } }),
    };
  },
});
