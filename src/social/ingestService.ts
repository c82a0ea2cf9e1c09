/**
 * ingestSocialLink: a video link → its draft and the job filling it. The
 * link is vetted (and a share link resolved) by the platform's connector
 * before anything is stored; then one draft per video (the drafts' unique
 * key) and one active SOCIAL_INGEST job per video (the jobs' one-active-job
 * rule), so the same video twice, or by its share link, or from two
 * instances at once, is one draft and one ingestion. A draft already
 * ingested answers with the job that ingested it.
 */
import type { SocialVideos } from '../domain/socialPorts.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { SyncService } from '../jobs/syncService.js';
import type { SyncJobRecord } from '../jobs/types.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { DraftStore } from './draftStore.js';
import type { ProductDraftRecord } from './types.js';

export interface IngestResult {
  job: SyncJobRecord;
  draft: ProductDraftRecord;
  alreadyRunning: boolean;
}

export interface IngestService {
  ingest(url: string, startedBy: string): Promise<IngestResult>;
}

/** No platform configured: the ingestion says so (as the ERP's fields do without an ERP). */
export function socialNotConfigured(): Error {
  return crossdockError(ErrorCode.UPSTREAM_UNAVAILABLE, 'no social video platform is configured', { upstream: 'social', reason: 'NOT_CONFIGURED' });
}

export function upstreamRefusal(err: unknown): unknown {
  if (!(err instanceof UpstreamError)) return err;
  return crossdockError(err.kind === 'rateLimited' ? ErrorCode.UPSTREAM_RATE_LIMITED : ErrorCode.UPSTREAM_UNAVAILABLE, `${err.upstream} could not be reached; nothing was stored, try again`, { upstream: err.upstream });
}

export function createIngestService(options: { videos?: SocialVideos; drafts: DraftStore; jobs: JobStore; sync: SyncService }): IngestService {
  const { drafts, jobs, sync } = options;
  return {
    async ingest(url, startedBy) {
      const videos = options.videos;
      if (!videos) throw socialNotConfigured();
      if (typeof url !== 'string') throw crossdockError(ErrorCode.BAD_USER_INPUT, 'input.url is required', { argument: 'input.url' });
      const link = await videos.resolveLink(url).catch((err: unknown) => {
        throw upstreamRefusal(err);
      });
      const { draft } = await drafts.createOrGet({ platform: videos.platform, videoId: link.videoId, sourceUrl: link.url });
      if (draft.ingestedAt && draft.ingestJobId) {
        const done = await jobs.get(draft.ingestJobId);
        if (done) return { job: done, draft, alreadyRunning: false };
      }
      const { job, alreadyRunning } = await sync.submit('SOCIAL_INGEST', { videoId: link.videoId, url: link.url, draftId: draft.id }, startedBy);
      if (draft.ingestJobId !== job.id) await drafts.setIngestJob(draft.id, job.id);
      return { job, draft: { ...draft, ingestJobId: job.id }, alreadyRunning };
    },
  };
}
