/**
 * The caches' part of the configuration: the entity cache's TTLs, its
 * stale-while-revalidate and stale-if-error windows and size, and the
 * whole-response cache (README, "Configuration"). Its own module so the
 * cache variables live beside the caches they tune; config.ts merges
 * `CACHE_ENV` into its environment schema and calls `cacheConfig()` and
 * `responseCacheConfig()`.
 */
import { z } from 'zod';
import { bool, seconds, type ParsedEnv } from '../env/variables.js';

export interface CacheTtls {
  partMs: number;
  priceMs: number;
  stockMs: number;
  productMs: number;
  orderMs: number;
}

export interface CacheConfig {
  ttl: CacheTtls;
  /** How long past its TTL an entry is served while it refreshes in the background. */
  swrMs: number;
  /** How long past its TTL an entry is kept to serve when the upstream fails. */
  staleIfErrorMs: number;
  maxEntries: number;
}

/** `admitOnSecondAsk`: keep an answer the second time its key is asked for (responseCache.ts), not the first. */
export interface ResponseCacheConfig {
  enabled: boolean;
  maxEntries: number;
  admitOnSecondAsk: boolean;
}

/** Merged into config.ts's environment schema. */
export const CACHE_ENV = {
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
  RESPONSE_CACHE_ADMIT: z.enum(['first-ask', 'second-ask']).default('second-ask'),
};

type CacheEnv = ParsedEnv<typeof CACHE_ENV>;

/** The entity cache's settings from the parsed environment. */
export function cacheConfig(e: CacheEnv): CacheConfig {
  return {
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
  };
}

/** The whole-response cache's settings from the parsed environment. */
export function responseCacheConfig(e: CacheEnv): ResponseCacheConfig {
  return {
    enabled: e.RESPONSE_CACHE && e.RESPONSE_CACHE_MAX_ENTRIES > 0,
    maxEntries: e.RESPONSE_CACHE_MAX_ENTRIES,
    admitOnSecondAsk: e.RESPONSE_CACHE_ADMIT === 'second-ask',
  };
}
