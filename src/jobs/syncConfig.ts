/**
 * The sync jobs' part of the configuration: concurrency, page size, the
 * fitment field cap and the pricing rules (markup, rounding, category map)
 * (README, "Configuration"). Its own module so the sync variables live
 * beside the sync jobs; config.ts merges `SYNC_ENV` into its environment
 * schema and calls `syncConfig()`.
 */
import { z } from 'zod';
import type { ParsedEnv } from '../env/variables.js';

export interface SyncConfig {
  /** Most `Fits` custom fields a sync writes per store product (0: fitments are not written). */
  fitmentCap: number;
  concurrency: number;
  pageSize: number;
  createConcurrency: number;
  markupPercent: number;
  rounding: 'cent' | 'x99';
  categoryMap: Record<string, number>;
}

/** Merged into config.ts's environment schema. */
export const SYNC_ENV = {
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  SYNC_CREATE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  // BigCommerce allows 200 custom fields a product (Catalog API, "Product Custom Fields"); a sync writes two of
  // its own and leaves room for the merchant's.
  FITMENT_FIELDS_MAX: z.coerce.number().int().min(0).max(190).default(50),
  PRICE_MARKUP_PERCENT: z.coerce.number().min(-90).max(1000).default(0),
  PRICE_ROUNDING: z.enum(['cent', 'x99']).default('cent'),
  CATEGORY_MAP: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return {} as Record<string, number>;
      try {
        return z.record(z.string(), z.number().int().positive()).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of tag or manufacturer → category id' });
        return z.NEVER;
      }
    }),
};

type SyncEnv = ParsedEnv<typeof SYNC_ENV>;

/** The sync jobs' settings from the parsed environment. */
export function syncConfig(e: SyncEnv): SyncConfig {
  return {
    fitmentCap: e.FITMENT_FIELDS_MAX,
    concurrency: e.SYNC_CONCURRENCY,
    pageSize: e.SYNC_PAGE_SIZE,
    createConcurrency: e.SYNC_CREATE_CONCURRENCY,
    markupPercent: e.PRICE_MARKUP_PERCENT,
    rounding: e.PRICE_ROUNDING,
    categoryMap: e.CATEGORY_MAP,
  };
}
