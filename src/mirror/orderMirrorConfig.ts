/**
 * The orders mirror's part of the configuration: its refresh schedule,
 * overlap window, batches and webhook dedupe window (README,
 * "Configuration"). Its own module so the mirror variables live beside the
 * mirror; config.ts merges `ORDER_MIRROR_ENV` into its environment schema
 * and calls `orderMirrorConfig()`.
 */
import { z } from 'zod';
import type { ParsedEnv } from '../env/variables.js';

/** The orders mirror (src/mirror/): its refresh schedule, overlap window and batches. */
export interface OrderMirrorConfig {
  /** An INCREMENTAL refresh every this many seconds (0: no schedule). */
  intervalSeconds: number;
  /** An incremental pull re-reads this far before its cursor, so nothing updated during a pull is missed. */
  overlapMs: number;
  /** Orders per transaction. */
  batchSize: number;
  /** How often a backfill asks whether the bulk export is ready. */
  pollMs: number;
  /** How long applied webhook events are kept (the dedupe window). */
  eventRetentionMs: number;
}

/** Merged into config.ts's environment schema. */
export const ORDER_MIRROR_ENV = {
  ORDER_MIRROR_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  ORDER_MIRROR_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  ORDER_MIRROR_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  ORDER_MIRROR_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  // Shopify retries a delivery for 4 hours (upstreams.md): the dedupe window must outlast that.
  ORDER_MIRROR_EVENT_RETENTION_HOURS: z.coerce.number().int().min(5).max(24 * 90).default(168),
};

type OrderMirrorEnv = ParsedEnv<typeof ORDER_MIRROR_ENV>;

/** The orders mirror's settings from the parsed environment. */
export function orderMirrorConfig(e: OrderMirrorEnv): OrderMirrorConfig {
  return {
    intervalSeconds: e.ORDER_MIRROR_INTERVAL_SECONDS,
    overlapMs: e.ORDER_MIRROR_OVERLAP_SECONDS * 1000,
    batchSize: e.ORDER_MIRROR_BATCH_SIZE,
    pollMs: e.ORDER_MIRROR_POLL_MS,
    eventRetentionMs: e.ORDER_MIRROR_EVENT_RETENTION_HOURS * 3_600_000,
  };
}
