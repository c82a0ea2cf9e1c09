/**
 * The social link → product draft services, for the domain piece
 * (domain.ts): the ingestion (its SOCIAL_INGEST pipeline runs on the job
 * runner), the drafts and their publication, and the media store. Catalog
 * matching reads through the graph's batched, cached sources, so a caption's
 * part numbers cost what the same lookups cost a query.
 */
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.js';
import type { CacheResult, EntitySource } from '../cache/entityCache.js';
import type { Capabilities } from '../domain/ports.js';
import type { SkuRule } from '../domain/skuRule.js';
import type { Part } from '../domain/types.js';
import type { Sources } from '../graphql/sources.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncService } from '../jobs/syncService.js';
import type { SyncJobRecord } from '../jobs/types.js';
import { createFileMediaStore } from '../media/fileMediaStore.js';
import { createImageDeriver } from '../media/imageDeriver.js';
import type { MediaStore } from '../media/mediaStore.js';
import { createRuleAnalyzer } from '../social/analyzer/ruleAnalyzer.js';
import type { CaptionAnalyzer } from '../social/analyzer/captionAnalyzer.js';
import type { CatalogLookups } from '../social/catalogMatcher.js';
import { createDraftService, type DraftService } from '../social/draftService.js';
import type { DraftStore } from '../social/draftStore.js';
import { runIngest } from '../social/ingestPipeline.js';
import { createIngestService, socialNotConfigured, type IngestService } from '../social/ingestService.js';

export interface Social {
  ingest: IngestService;
  drafts: DraftService;
  media: MediaStore;
  /** An image's absolute URL (the media route, under SOCIAL_MEDIA_PUBLIC_URL or the gateway's URL). */
  mediaUrl(key: string): string;
  /** The SOCIAL_INGEST pipeline, for the job runner. */
  pipeline(job: SyncJobRecord, signal: AbortSignal): Promise<SyncJobRecord>;
}

export interface SocialOptions {
  config: Config;
  capabilities: Capabilities;
  sources: Sources;
  drafts: DraftStore;
  jobs: JobStore;
  sync: () => SyncService;
  skuRule: SkuRule;
  publish(job: SyncJobRecord): void;
  /** The gateway's own origin, known once it listens. */
  publicUrl(): string;
  /** The caption analyzer strategy. @default rule-based (ruleAnalyzer.ts) */
  analyzer?: CaptionAnalyzer;
}

/** Values of a source's results by key (an Error for any key fails the whole lookup: the job retries it). */
async function valuesOf<V>(source: EntitySource<V>, keys: readonly string[]): Promise<Map<string, V | null>> {
  const results = await source.loadMany(keys);
  const out = new Map<string, V | null>();
  results.forEach((r: CacheResult<V> | Error, i) => {
    if (r instanceof Error) throw r;
    out.set(keys[i] as string, r.value);
  });
  return out;
}

export function createSocial(options: SocialOptions): Social {
  const { config, capabilities, sources, skuRule } = options;
  const settings = config.social;
  mkdirSync(settings.mediaDir, { recursive: true });
  const media = createFileMediaStore(settings.mediaDir);
  const deriver = createImageDeriver({ sizes: settings.imageSizes, maxPixels: settings.imageMaxPixels });
  const analyzer = options.analyzer ?? createRuleAnalyzer();
  const mediaUrl = (key: string) => `${settings.mediaPublicUrl ?? options.publicUrl()}/media/${key}`;

  const lookups: CatalogLookups = {
    async partsByNumber(numbers) {
      const ids = await valuesOf(sources.partNumber, numbers);
      const known = [...new Set([...ids.values()].filter((id): id is string => id !== null))];
      const parts = known.length ? await valuesOf(sources.part, known) : new Map<string, Part | null>();
      return new Map(numbers.map((n) => [n, ids.get(n) ? (parts.get(ids.get(n) as string) ?? null) : null]));
    },
    async searchParts(query, per) {
      return (await capabilities.supplier.catalog.search({ query, page: 1, per }, 'bulk')).items;
    },
    productsBySku: (skus) => valuesOf(sources.productBySku, skus),
    skuFor: (partNumber) => skuRule.skuFor(partNumber),
  };

  const ingest = createIngestService({ videos: capabilities.socialVideos, drafts: options.drafts, jobs: options.jobs, sync: { submit: (...a) => options.sync().submit(...a) } as SyncService });
  const drafts = createDraftService({
    drafts: options.drafts,
    store: capabilities.store,
    skuRule,
    imageUrl: (image) => mediaUrl(image.key),
    productsById: (ids) => valuesOf(sources.productById, ids),
    async invalidate(skus, storeIds) {
      await Promise.all([sources.productBySku.invalidate(skus), sources.productById.invalidate(storeIds)]);
    },
    leaseMs: settings.publishLeaseMs,
    waitMs: settings.publishWaitMs,
  });

  return {
    ingest,
    drafts,
    media,
    mediaUrl,
    pipeline(job, signal) {
      const videos = capabilities.socialVideos;
      if (!videos) throw socialNotConfigured();
      return runIngest(
        job,
        {
          videos,
          drafts: options.drafts,
          jobs: options.jobs,
          media,
          deriver,
          analyzer,
          lookups,
          defaultCurrency: () => capabilities.store.catalog.currency('bulk'),
          publish: options.publish,
        },
        signal,
      );
    },
  };
}
