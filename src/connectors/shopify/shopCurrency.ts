/**
 * The shop's currency (`shop { currencyCode }`): every amount of the Admin
 * API's `shopMoney` is in it. An order that says its own currency uses that;
 * this is the fallback for one that does not. Read once and kept an hour (it
 * changes only when the merchant changes it); never throws: unknown is null.
 */
import type { AdminApi } from './adminApi.js';
import { ESTIMATED_COST_OBJECT } from './queries.js';

export const SHOP_CURRENCY_TTL_MS = 3_600_000;
const SHOP_CURRENCY = 'query MirrorShopCurrency { shop { currencyCode } }';

export interface ShopCurrency {
  /** The currency, read when not known or past its TTL. */
  get(): Promise<string | null>;
  /** What is known now, without a call (a webhook is not held up by the API). */
  known(): string | null;
}

export function createShopCurrency(api: AdminApi): ShopCurrency {
  let known: string | null = null;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<string | null> | undefined;
  const get = () => {
    if (known && Date.now() - readAt < SHOP_CURRENCY_TTL_MS) return Promise.resolve(known);
    reading ??= api
      .query<{ shop?: { currencyCode?: string } | null }>({ name: 'shop.currency', document: SHOP_CURRENCY, estimatedCost: ESTIMATED_COST_OBJECT, lane: 'bulk', timeoutMs: 10_000 })
      .then(
        ({ data }) => {
          const code = data.shop?.currencyCode;
          if (typeof code === 'string' && /^[A-Z]{3}$/.test(code)) {
            known = code;
            readAt = Date.now();
          }
          return known;
        },
        () => known,
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return { get, known: () => known };
}
