/**
 * The supplier orders' part of the configuration: the default shipping
 * method and address, the place/dispatch/retry/poll timings and the
 * idempotency windows (README, "Configuration"). Its own module so the
 * order variables live beside the order service they tune; config.ts merges
 * `ORDERS_ENV` into its environment schema and calls `ordersConfig()`.
 */
import { z } from 'zod';
import { ms, type ParsedEnv } from '../env/variables.js';

export interface OrdersConfig {
  defaultShippingMethod: string;
  defaultAddress: { name: string; street1: string; street2?: string; city: string; state: string; zip: string; country: string };
  placeWaitMs: number;
  /** Delay before an order's first send (an operator's window to catch mistakes). */
  dispatchDelayMs: number;
  retryStepMs: number;
  pollMs: number;
  keyTtlMs: number;
  /** How long an idempotency claim holds before the next request with its key may take it over. */
  claimLeaseMs: number;
}

/** Merged into config.ts's environment schema. */
export const ORDERS_ENV = {
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
  // At least a second (a shorter lease would let a retry take over a request still resolving its
  // parts); at most an hour (a crashed claim blocks its key at most that long).
  IDEMPOTENCY_CLAIM_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
};

type OrdersEnv = ParsedEnv<typeof ORDERS_ENV>;

/** The orders' settings from the parsed environment. */
export function ordersConfig(e: OrdersEnv): OrdersConfig {
  return {
    defaultShippingMethod: e.ORDER_DEFAULT_SHIPPING_METHOD,
    defaultAddress: e.ORDER_DEFAULT_ADDRESS,
    placeWaitMs: e.ORDER_PLACE_WAIT_MS,
    dispatchDelayMs: e.ORDER_DISPATCH_DELAY_MS,
    retryStepMs: e.ORDER_RETRY_STEP_MS,
    pollMs: e.ORDER_POLL_INTERVAL_MS,
    keyTtlMs: e.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000,
    claimLeaseMs: e.IDEMPOTENCY_CLAIM_LEASE_MS,
  };
}
