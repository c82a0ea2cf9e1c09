/**
 * Social links → product drafts (issue 16): how long a TikTok link takes to
 * become a draft, and how fast images are derived.
 *
 * 1. Link-to-draft latency: a gateway with its embedded sandbox (the TikTok
 *    twin's oEmbed, share links and CDN on loopback), `ingestSocialLink` for
 *    distinct sandbox videos, timed from the mutation's send to its job's
 *    SUCCEEDED (the job read every 5 ms) — metadata, thumbnail copy, the
 *    derived images (the default sizes, JPEG and WebP each), caption
 *    analysis, catalog matching, the draft written. One at a time (p50/p99),
 *    then 4 at once (drafts per second).
 * 2. Images derived per second: the deriver alone (sharp) on the twin's
 *    540×960 JPEG thumbnail, the default sizes, both formats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { createImageDeriver } from '../src/media/imageDeriver.js';
import { createLogger } from '../src/observability/logger.js';
import { runningTwin } from '../src/sandbox/twins.js';
import { request } from 'undici';
import { percentile } from './lib/crossdock.js';
import { table } from './lib/format.js';
import type { Scenario } from './lib/scenario.js';

/** BENCH_QUICK=1: a few links and rounds, to try the harness; its figures are not worth recording. */
const QUICK = process.env.BENCH_QUICK === '1';
const SEQUENTIAL = QUICK ? 8 : 60;
const CONCURRENT = QUICK ? 8 : 60;
const CONCURRENCY = 4;
const DERIVE_ROUNDS = QUICK ? 4 : 30;

async function run(log: (line: string) => void): Promise<string> {
  // A data dir of its own, removed after: drafts (and their media) left by an earlier run would be replays.
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-social-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_BUDGET_POINTS: '100000000', CROSSDOCK_DATA_DIR: dataDir });
  const gateway = await createGateway(config, { sandbox: { parts: 5_000, tiktok: { videos: SEQUENTIAL + CONCURRENT + 10 } }, logger: createLogger({ level: 'silent' }) }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    const twin = runningTwin(gateway.sandbox, 'tiktok')?.url;
    if (!twin) throw new Error('the gateway started without its TikTok twin');
    const key = gateway.devKey ?? '';
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    };
    const videos = ((await (await fetch(`${twin}/__sandbox/videos?limit=${SEQUENTIAL + CONCURRENT}`)).json()) as { videos: Array<{ url: string }> }).videos;
    const linkToDraft = async (url: string): Promise<number> => {
      const started = performance.now();
      const res = await gql(`mutation($u: String!) { ingestSocialLink(input: { url: $u }) { job { id status } alreadyRunning } }`, { u: url });
      if (res.errors) throw new Error(`ingest failed: ${JSON.stringify(res.errors)}`);
      const id = res.data!.ingestSocialLink.job.id as string;
      // A video ingested before answers with its finished job at once: that would time a replay, not an ingestion.
      if (res.data!.ingestSocialLink.alreadyRunning || res.data!.ingestSocialLink.job.status === 'SUCCEEDED') throw new Error(`${url} was ingested before this run: the measure needs fresh drafts`);
      for (;;) {
        const job = (await gql(`query($id: ID!) { syncJob(id: $id) { status error } }`, { id })).data!.syncJob as { status: string; error: string | null };
        if (job.status === 'SUCCEEDED') return performance.now() - started;
        if (job.status === 'FAILED' || job.status === 'CANCELLED') throw new Error(`ingest job ${job.status}: ${job.error}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    // One warm-up link: sharp's first decode and the catalog's first reads are not the steady state.
    await linkToDraft(videos[SEQUENTIAL + CONCURRENT - 1]!.url);
    const sequential: number[] = [];
    for (const v of videos.slice(0, SEQUENTIAL)) sequential.push(await linkToDraft(v.url));
    log(`sequential: p50 ${percentile(sequential, 50).toFixed(0)} ms, p99 ${percentile(sequential, 99).toFixed(0)} ms`);
    const queue = videos.slice(SEQUENTIAL, SEQUENTIAL + CONCURRENT - 1).map((v) => v.url);
    const concurrent: number[] = [];
    const wall = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) concurrent.push(await linkToDraft(url));
    }));
    const wallS = (performance.now() - wall) / 1000;
    log(`${CONCURRENCY} at once: ${(concurrent.length / wallS).toFixed(1)} drafts/s`);

    // The deriver alone, on the twin's thumbnail.
    const oembed = (await (await fetch(`${twin}/oembed?url=${encodeURIComponent(videos[0]!.url)}`)).json()) as { thumbnail_url: string };
    const thumb = new URL(oembed.thumbnail_url);
    const res = await request(`${twin}${thumb.pathname}${thumb.search}`, { headers: { host: thumb.host } });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const deriver = createImageDeriver({ sizes: config.social.imageSizes });
    await deriver.derive(bytes);
    let images = 0;
    const deriveStart = performance.now();
    for (let i = 0; i < DERIVE_ROUNDS; i++) images += (await deriver.derive(bytes)).length;
    const perSecond = images / ((performance.now() - deriveStart) / 1000);
    log(`deriver: ${perSecond.toFixed(0)} images/s`);

    return [
      table(
        ['measure', 'value', 'notes'],
        [
          ['link → draft, one at a time, p50', `${percentile(sequential, 50).toFixed(0)} ms`, `${SEQUENTIAL} distinct videos, each to its job's SUCCEEDED`],
          ['link → draft, one at a time, p99', `${percentile(sequential, 99).toFixed(0)} ms`, ''],
          [`link → draft, ${CONCURRENCY} at once, p50 / p99`, `${percentile(concurrent, 50).toFixed(0)} / ${percentile(concurrent, 99).toFixed(0)} ms`, `${concurrent.length} videos`],
          [`drafts per second, ${CONCURRENCY} at once`, (concurrent.length / wallS).toFixed(1), `SYNC_CONCURRENCY ${config.sync.concurrency} jobs run at once`],
          ['images derived per second (deriver alone)', perSecond.toFixed(0), `sizes ${config.social.imageSizes.join(', ')} px, JPEG and WebP each, from a 540×960 JPEG`],
        ],
      ),
      '',
      `Each draft has ${config.social.imageSizes.length * 2} images. In-process gateway with the embedded sandbox on loopback: the TikTok twin answers at once, so the figures are the gateway's own work (sharp, the records, the analyzer, the catalog's batched reads), not TikTok's latency.`,
    ].join('\n');
  } finally {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const socialIngest: Scenario = {
  name: 'socialIngest',
  title: 'Social links → product drafts (link-to-draft latency, images derived per second)',
  timeoutMs: 300_000,
  run,
};
