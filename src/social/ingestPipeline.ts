/**
 * SOCIAL_INGEST: a video link to a product draft, as a job with progress on
 * the job subscription (one phase per step, `processed` counting steps):
 *
 *   FETCHING_METADATA  the platform's metadata (TikTok: oEmbed)
 *   COPYING_THUMBNAIL  the thumbnail copied (upstreams.md: its CDN URL expires; never hot-linked)
 *   DERIVING_IMAGES    square JPEG and WebP images in each configured size, into the media store
 *   ANALYSING_CAPTION  prices, hashtags, mentions, calls to action, sentiment (the analyzer strategy)
 *   MATCHING_CATALOG   the parts and products the caption names (catalogMatcher.ts)
 *
 * then the draft's fields in one write. Every step can run again (images
 * are content-addressed, reads are cached), so a job interrupted by a stop
 * resumes from the start. A refusal (a thumbnail too large or not an image,
 * a video the platform does not have) fails the job with its reason first
 * in the error (`THUMBNAIL_TOO_LARGE: …`); the draft stays to ingest again.
 */
import type { Money } from '../domain/money.js';
import type { SocialVideos } from '../domain/socialPorts.js';
import type { Part } from '../domain/types.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncCounters, SyncJobRecord, SyncPhase } from '../jobs/types.js';
import { ACTIVE_STATUSES, ZERO_COUNTERS } from '../jobs/types.js';
import { JobCancelled } from '../jobs/pipeline/runSync.js';
import type { ImageDeriver } from '../media/imageDeriver.js';
import { NotAnImageError } from '../media/imageDeriver.js';
import type { MediaStore } from '../media/mediaStore.js';
import type { CaptionAnalysis, CaptionAnalyzer } from './analyzer/captionAnalyzer.js';
import { matchCatalog, type CatalogLookups } from './catalogMatcher.js';
import type { DraftStore } from './draftStore.js';
import type { DraftImage, DraftMatch } from './types.js';

export interface IngestDeps {
  videos: SocialVideos;
  drafts: DraftStore;
  jobs: JobStore;
  media: MediaStore;
  deriver: ImageDeriver;
  analyzer: CaptionAnalyzer;
  lookups: CatalogLookups;
  /** The store's currency, for a price whose currency the caption does not say. */
  defaultCurrency(): Promise<string>;
  publish(job: SyncJobRecord): void;
}

export const INGEST_STEPS = 5;
/** A match this sure names the product: its part's name becomes the title, its category the draft's. */
export const NAMING_CONFIDENCE = 0.9;

/** A typed refusal's reason, first in the job's error (`REASON: message`). */
function failure(err: unknown): Error {
  const reason = (err as { extensions?: { reason?: unknown } }).extensions?.reason;
  if (typeof reason === 'string' && err instanceof Error) return new Error(`${reason}: ${err.message}`);
  if (err instanceof NotAnImageError) return new Error(`THUMBNAIL_NOT_AN_IMAGE: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

/** The draft's title: the named part's, else the caption's first sentence (at most 120 characters). */
export function titleOf(analysis: CaptionAnalysis, part: Part | null, videoId: string): string {
  if (part) return `${part.manufacturer} ${part.description}`;
  const sentence = analysis.plainText.split(/(?<=[.!?])\s/u)[0]?.trim() ?? '';
  if (!sentence) return `TikTok video ${videoId}`;
  return sentence.length <= 120 ? sentence : `${sentence.slice(0, 119).replace(/\s+\S*$/u, '')}…`;
}

export async function runIngest(initial: SyncJobRecord, deps: IngestDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { jobs } = deps;
  const counters: SyncCounters = { ...ZERO_COUNTERS, total: INGEST_STEPS };
  const started = await jobs.updateIf(initial.id, ACTIVE_STATUSES, {
    status: 'RUNNING',
    phase: 'FETCHING_METADATA',
    counters,
    startedAt: initial.startedAt ?? new Date().toISOString(),
    runStartedAt: new Date().toISOString(),
    runStartProcessed: 0,
  });
  if (!started.applied) return started.job;
  let job = started.job;
  deps.publish(job);
  const { videoId, url, draftId } = job.scope;
  if (!videoId || !url || !draftId) throw new Error('a SOCIAL_INGEST job needs videoId, url and draftId in its scope');

  const step = async (phase: SyncPhase) => {
    if (signal.aborted || (await jobs.get(job.id))?.cancelRequested) throw new JobCancelled();
    counters.processed++;
    job = await jobs.update(job.id, { phase, counters: { ...counters } });
    deps.publish(job);
  };

  try {
    const video = await deps.videos.video({ videoId, url }, 'bulk', signal);
    if (!video) throw Object.assign(new Error(`the platform has no video ${videoId}`), { extensions: { reason: 'VIDEO_NOT_FOUND' } });
    await step('COPYING_THUMBNAIL');
    if (!video.thumbnailUrl) throw Object.assign(new Error('the video has no thumbnail'), { extensions: { reason: 'THUMBNAIL_NOT_AN_IMAGE' } });
    const copy = await deps.videos.copyThumbnail(video.thumbnailUrl, signal);
    await step('DERIVING_IMAGES');
    const derived = await deps.deriver.derive(copy.bytes);
    const images: DraftImage[] = [];
    for (const d of derived) {
      const stored = await deps.media.put(d.bytes, d.contentType);
      images.push({ size: d.size, width: d.width, height: d.height, format: d.format, key: stored.key, bytes: stored.bytes });
    }
    counters.created = images.length;
    await step('ANALYSING_CAPTION');
    const analysis = await deps.analyzer.analyse(video.caption);
    await step('MATCHING_CATALOG');
    const matches: DraftMatch[] = await matchCatalog(analysis, video.caption, deps.lookups);
    counters.updated = matches.length;
    const naming = matches.find((m) => m.confidence >= NAMING_CONFIDENCE && m.partNumber);
    const part = naming?.partNumber ? ((await deps.lookups.partsByNumber([naming.partNumber])).get(naming.partNumber) ?? null) : null;
    const price: Money | null = analysis.price ? { amount: analysis.price.amount, currency: analysis.price.currency ?? (await deps.defaultCurrency()) } : null;
    const tags = [...new Set([...analysis.hashtags, ...(part ? part.tags.map((t) => t.toLowerCase()) : [])])];
    await deps.drafts.saveIngest(draftId, {
      author: video.author,
      authorUrl: video.authorUrl,
      caption: video.caption,
      title: titleOf(analysis, part, videoId),
      description: analysis.plainText,
      price,
      tags,
      category: part?.tags[0] ?? null,
      images,
      matches,
      analysis,
    });
    counters.processed = INGEST_STEPS;
  } catch (err) {
    if (err instanceof JobCancelled) throw err;
    throw failure(err);
  }
  const finished = await jobs.updateIf(job.id, ['RUNNING'], { status: 'SUCCEEDED', phase: 'DONE', counters: { ...counters }, finishedAt: new Date().toISOString() });
  if (finished.applied) deps.publish(finished.job);
  return finished.job;
}
