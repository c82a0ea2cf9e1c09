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
 *
 * Production defaults as far as the TikTok twin allows: the gateway as the
 * image runs it (`node dist/main.js` after `npm run build`,
 * NODE_ENV=production, the default log level to a file, the Dockerfile's
 * NODE_OPTIONS) against the standalone sandbox (its own process), the reads
 * asking for compression as a browser does. One exception: reaching the
 * twin's share links and CDN takes TIKTOK_CONNECT_TO, which production mode
 * refuses (src/connectors/tiktok/index.ts: it would send any TikTok name to
 * that address; addressGuard.ts refuses loopback addresses besides), so this
 * gateway runs CROSSDOCK_MODE=development, with every optional connector
 * pointed at the standalone sandbox so no embedded twin runs in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createImageDeriver } from '../src/media/imageDeriver.js';
import { request } from 'undici';
import { BROWSER_ACCEPT_ENCODING, browserClient } from './lib/browser.js';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { percentile, startGateway, startSandbox, upstreamEnv } from './lib/crossdock.js';
import { table } from './lib/format.js';
import { gatewayLogLine, gatewayLogSummary } from './lib/gatewayLog.js';
import { ionAndShopifyEnv, sandboxTwins, tiktokEnv, whatsappEnv } from './lib/sandboxConnectors.js';
import type { Scenario } from './lib/scenario.js';

/** BENCH_QUICK=1: a few links and rounds, to try the harness; its figures are not worth recording. */
const QUICK = process.env.BENCH_QUICK === '1';
const SEQUENTIAL = QUICK ? 8 : 60;
const CONCURRENT = QUICK ? 8 : 60;
const CONCURRENCY = 4;
const DERIVE_ROUNDS = QUICK ? 4 : 30;

async function run(log: (line: string) => void): Promise<string> {
  buildGateway();
  const flags = imageNodeFlags();
  // A data dir of its own, removed after: drafts (and their media) left by an earlier run would be replays.
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-bench-social-'));
  // The defaults the gateway runs with (image sizes, SYNC_CONCURRENCY), for the notes.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CROSSDOCK_DATA_DIR: dataDir });
  try {
    const sb = await startSandbox('sandbox (social ingest)', { SANDBOX_PARTS: '5000', SANDBOX_TIKTOK_VIDEOS: String(SEQUENTIAL + CONCURRENT + 10), SANDBOX_SHOPIFY_ORDERS: '0' });
    const twins = sandboxTwins(sb);
    const twin = twins.tiktokOrigin;
    const gw = await startGateway(
      'gateway (social ingest)',
      dataDir,
      {
        ...upstreamEnv(sb, { fipRatePerSecond: 10, fipPerMinute: 300, bcQuota: 150, bcWindowMs: 30_000 }),
        ...tiktokEnv(twins),
        ...whatsappEnv(twins),
        ...(await ionAndShopifyEnv(sb, dataDir)),
        // TIKTOK_CONNECT_TO is refused in production mode (see the header); everything else is the image's.
        CROSSDOCK_MODE: 'development',
      },
      flags,
      undefined,
      'image',
    );
    const client = browserClient(gw, 'gateway (social ingest)');
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const r = await client.gql<Record<string, any>>(query, variables);
      return { data: r.data, errors: r.errors };
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
    // The deriver alone: nothing else running beside it.
    await gw.child.stop();
    await sb.child.stop();
    const logged = gatewayLogSummary(dataDir);
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
      `**Production defaults** as far as the TikTok twin allows: the gateway child as its image runs it (\`node dist/main.js\` built by \`npm run build\` at the start of the run,`,
      `\`NODE_ENV=production\`, the default log level with its output to a file, the Dockerfile's \`NODE_OPTIONS\`: \`${heapLabel(flags)}\`), against the standalone sandbox`,
      `(its own process, 5,000 parts); the mutations and job reads send a browser's \`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\`. One exception: the twin's share links and CDN`,
      `are reached through \`TIKTOK_CONNECT_TO\`, which production mode refuses (it would send every TikTok name to that address, and the media client`,
      `connects to public addresses only), so the gateway runs \`CROSSDOCK_MODE=development\`, with FinditParts, BigCommerce, ION, Shopify (no orders, webhooks off)`,
      `and WhatsApp all pointed at the standalone sandbox so that no embedded twin runs inside it. The deriver row is sharp alone, in the benchmark's process.`,
      gatewayLogLine(logged),
      `Each draft has ${config.social.imageSizes.length * 2} images. The TikTok twin answers at once on loopback, so the figures are the gateway's own work (sharp, the records,`,
      `the analyzer, the catalog's batched reads), not TikTok's latency.`,
    ].join('\n');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const socialIngest: Scenario = {
  name: 'socialIngest',
  title: 'Social links → product drafts (link-to-draft latency, images derived per second)',
  timeoutMs: 300_000,
  run,
};
