/**
 * A TikTok link → a product draft, through the real gateway and its sandbox
 * over HTTP (issue 16, acceptance 1 and 2):
 *
 * - sandbox videos become drafts with the caption's price, tags, mentions and
 *   call to action, images at each configured size (decoded with sharp, served
 *   with immutable cache headers), and catalog matches naming the part the
 *   caption mentions; the job's progress streamed over graphql-sse;
 * - the same link twice, and its share links, give one draft;
 * - hostile URLs (other hosts, IP literals in every spelling, the metadata
 *   service, file:/data:, user info, ports, share links whose redirects leave
 *   TikTok, thumbnails off TikTok's CDN, oversized or not images) are refused
 *   with a typed error — the link's at once, a thumbnail's as the job's error —
 *   and nothing but TikTok's simulator is called: a canary server on loopback
 *   counts zero requests, the supplier's and the store's twins none either.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-sse';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningTwin } from '../../src/sandbox/twins.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxStats, setFaults } from '../support/sandbox.js';

type Json = any;
let gw: TestGateway;
let tiktok: string;
let canary: Server;
let canaryPort = 0;
let canaryHits = 0;
let videos: Json[];

const SIZES = [64, 200, 300];
const INGEST = `mutation($u: String!) { ingestSocialLink(input: { url: $u }) { job { id status } draft { id } alreadyRunning } }`;
const DRAFT = `query($id: ID!) { productDraft(id: $id) {
  status title price { amount currency } tags callToAction mentions hashtags sentiment
  matches { kind confidence matchedText part { id partNumber } }
  images { size width height format url }
  source { platform videoId url author caption }
} }`;

async function ingest(url: string): Promise<Json> {
  const res = await gw.gql(INGEST, { u: url });
  return res.body;
}

async function waitJob(id: string): Promise<Json> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status error kind progress { phase processed total } } }`, { id });
    const job = (body.data as Json).syncJob;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ingested(url: string): Promise<{ job: Json; draft: Json }> {
  const body = await ingest(url);
  expect(body.errors).toBeUndefined();
  const job = await waitJob(body.data.ingestSocialLink.job.id);
  const draft = (await gw.gql(DRAFT, { id: body.data.ingestSocialLink.draft.id })).body.data!.productDraft as Json;
  return { job, draft };
}

const post = (path: string, body: unknown) => fetch(`${tiktok}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end('canary');
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', () => r()));
  canaryPort = (canary.address() as AddressInfo).port;
  gw = await startGateway({ SOCIAL_IMAGE_SIZES: SIZES.join(','), TIKTOK_THUMBNAIL_MAX_BYTES: String(2 * 1024 * 1024), RETRY_DELAY_SCALE: '0.01' }, { parts: 500, tiktok: { videos: 40 } });
  tiktok = runningTwin(gw.sandbox, 'tiktok')!.url;
  videos = ((await (await fetch(`${tiktok}/__sandbox/videos?limit=40`)).json()) as Json).videos;
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await new Promise((r) => canary?.close(r));
});

describe('a TikTok link becomes a product draft', () => {
  it('reads the caption: the price as written ($, € with a comma, USD n, n bucks), hashtags as tags, mentions, the call to action', async () => {
    const expected: Array<{ i: number; price: (p: string) => { amount: string; currency: string }; cta: string; mentions: string[]; tags: string[] }> = [
      { i: 0, price: (p) => ({ amount: p, currency: 'USD' }), cta: 'LINK_IN_BIO', mentions: [], tags: ['trucking', 'fleetlife'] },
      { i: 1, price: (p) => ({ amount: p, currency: 'EUR' }), cta: 'SHOP_NOW', mentions: ['crossdock.parts'], tags: ['camiones'] },
      { i: 2, price: (p) => ({ amount: `${Math.max(1, Math.round(Number(p)))}.00`, currency: 'USD' }), cta: 'DM_TO_ORDER', mentions: [], tags: ['fleet'] },
      { i: 3, price: (p) => ({ amount: `${Math.max(1, Math.round(Number(p)))}.00`, currency: 'USD' }), cta: 'SHOP_NOW', mentions: [], tags: ['diesel', 'mechanic'] },
    ];
    for (const e of expected) {
      const v = videos[e.i];
      const { job, draft } = await ingested(v.url);
      expect(job).toMatchObject({ kind: 'SOCIAL_INGEST', status: 'SUCCEEDED', error: null, progress: { phase: 'DONE', processed: 5, total: 5 } });
      expect(draft.source).toMatchObject({ platform: 'TIKTOK', videoId: v.id, url: v.url, author: 'sandbox', caption: v.caption });
      expect(draft.price).toEqual(e.price(v.part.price));
      expect(draft.callToAction).toBe(e.cta);
      expect(draft.mentions).toEqual(e.mentions);
      expect(draft.tags).toEqual(expect.arrayContaining(e.tags));
      expect(draft.status).toBe('DRAFT');
      // The caption names the part by its number: matched, surely, and named in the title.
      expect(draft.matches[0]).toMatchObject({ kind: 'PART_NUMBER', matchedText: v.part.partNumber, part: { partNumber: v.part.partNumber } });
      expect(draft.matches[0].confidence).toBeGreaterThanOrEqual(0.95);
      expect(draft.title).toBe(`${v.part.manufacturer} ${v.part.description}`);
    }
  });

  it('matches a product the caption names without its number, and a caption with no product matches nothing', async () => {
    const named = videos.find((v: Json) => v.caption.startsWith('Unboxing'));
    const { draft } = await ingested(named.url);
    const match = draft.matches.find((m: Json) => m.part?.partNumber === named.part.partNumber);
    expect(match).toMatchObject({ kind: 'NAME' });
    expect(match.confidence).toBeGreaterThanOrEqual(0.6);
    expect(match.confidence).toBeLessThan(0.95);
    const none = videos.find((v: Json) => v.part === null);
    const empty = await ingested(none.url);
    expect(empty.job.status).toBe('SUCCEEDED');
    expect(empty.draft).toMatchObject({ matches: [], price: null, callToAction: null });
  });

  it('derives square images at each configured size as JPEG and WebP, served from the media store with immutable cache headers', async () => {
    const { draft } = await ingested(videos[4].url);
    expect(draft.images.map((i: Json) => [i.size, i.format])).toEqual(SIZES.flatMap((s) => [[s, 'jpeg'], [s, 'webp']]));
    for (const image of draft.images) {
      expect(new URL(image.url).origin).toBe(gw.url);
      const res = await fetch(image.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toBe(`image/${image.format}`);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([image.format, image.size, image.size]);
      expect([image.width, image.height]).toEqual([image.size, image.size]);
      // Not hot-linked: the image is the gateway's, wherever the CDN link now points.
      expect((await fetch(image.url, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
    }
    expect((await fetch(`${gw.url}/media/${'0'.repeat(64)}.jpg`)).status).toBe(404);
    expect((await fetch(`${gw.url}/media/..%2F..%2Fcrossdock.db`)).status).toBe(404);
  });

  it("streams the job's progress over graphql-sse: every step in order, then SUCCEEDED", async () => {
    // The CDN answers slowly, so the stream sees the steps go by.
    await setFaults(tiktok, { latencyMs: 400, match: { path: '^/obj/' } });
    try {
      const body = await ingest(videos[9].url);
      const jobId = body.data.ingestSocialLink.job.id;
      const client = createClient({ url: `${gw.url}/graphql/stream`, headers: { 'x-api-key': gw.key }, retryAttempts: 0 });
      const seen: Json[] = [];
      await new Promise<void>((resolve, reject) => {
        client.subscribe<Json>(
          { query: `subscription($id: ID!) { syncJob(id: $id) { status progress { phase processed total } } }`, variables: { id: jobId } },
          { next: (v) => void seen.push(v.data!.syncJob), error: reject, complete: resolve },
        );
      });
      client.dispose();
      const order = ['QUEUED', 'FETCHING_METADATA', 'COPYING_THUMBNAIL', 'DERIVING_IMAGES', 'ANALYSING_CAPTION', 'MATCHING_CATALOG', 'DONE'];
      const phases = seen.map((j) => order.indexOf(j.progress.phase));
      expect(phases.every((p, i) => p >= 0 && (i === 0 || p >= phases[i - 1]!))).toBe(true);
      expect(seen.map((j) => j.progress.phase)).toEqual(expect.arrayContaining(['COPYING_THUMBNAIL', 'DONE']));
      expect(seen.some((j) => j.status === 'RUNNING' && j.progress.processed < 5)).toBe(true);
      expect(seen.at(-1)).toEqual({ status: 'SUCCEEDED', progress: { phase: 'DONE', processed: 5, total: 5 } });
    } finally {
      await setFaults(tiktok, {});
    }
  });
});

describe('one draft per video', () => {
  it('gives the same draft for the same link twice, at once and later, and for its share links', async () => {
    const v = videos[6];
    const [a, b] = await Promise.all([ingest(v.url), ingest(v.url)]);
    expect(a.data.ingestSocialLink.draft.id).toBe(b.data.ingestSocialLink.draft.id);
    expect(a.data.ingestSocialLink.job.id).toBe(b.data.ingestSocialLink.job.id);
    expect([a.data.ingestSocialLink.alreadyRunning, b.data.ingestSocialLink.alreadyRunning].sort()).toEqual([false, true]);
    await waitJob(a.data.ingestSocialLink.job.id);
    for (const link of [v.url, `${v.url}?is_from_webapp=1&lang=en`, v.shortUrl, v.webShortUrl, v.url.replace('https://', 'http://')]) {
      const again = await ingest(link);
      expect(again.errors).toBeUndefined();
      expect(again.data.ingestSocialLink).toMatchObject({ draft: { id: a.data.ingestSocialLink.draft.id }, job: { id: a.data.ingestSocialLink.job.id, status: 'SUCCEEDED' }, alreadyRunning: false });
    }
    const { body } = await gw.gql(`{ productDrafts(first: 100) { totalCount edges { node { source { videoId } } } } }`);
    const ids = (body.data as Json).productDrafts.edges.map((e: Json) => e.node.source.videoId);
    expect(ids.filter((id: string) => id === v.id)).toHaveLength(1);
  });
});

describe('hostile links', () => {
  it('refuses 50 links that are not TikTok videos with a typed error, calling nothing but the TikTok simulator', async () => {
    const c = `127.0.0.1:${canaryPort}`;
    // Share links on the simulator whose redirects leave TikTok (or never end).
    const escapes: Record<string, string> = {
      EVIL01: `http://${c}/steal`,
      EVIL02: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      EVIL03: 'https://evil.example/@sandbox/video/7000000000000000001',
      EVIL04: 'file:///etc/passwd',
      EVIL05: `https://www.tiktok.com@${c}/@sandbox/video/7000000000000000001`,
      EVIL06: `http://localhost:${canaryPort}/@sandbox/video/7000000000000000001`,
      EVIL07: `https://vm.tiktok.com:${canaryPort}/EVIL01/`,
      LOOP01: 'https://vm.tiktok.com/LOOP02/',
      LOOP02: 'https://vt.tiktok.com/LOOP01/',
    };
    for (const [code, location] of Object.entries(escapes)) expect((await post('/__sandbox/shortlinks', { code, location })).status).toBe(200);
    const hostile: Array<[string, string]> = [
      ['http://127.0.0.1', 'IP_LITERAL'],
      [`http://${c}/`, 'IP_LITERAL'],
      ['http://169.254.169.254/latest/meta-data/', 'IP_LITERAL'],
      ['file:///etc/passwd', 'SCHEME_NOT_ALLOWED'],
      ['data:text/html,<script>alert(1)</script>', 'SCHEME_NOT_ALLOWED'],
      ['javascript:alert(document.cookie)', 'SCHEME_NOT_ALLOWED'],
      ['ftp://www.tiktok.com/@sandbox/video/7000000000000000001', 'SCHEME_NOT_ALLOWED'],
      ['gopher://127.0.0.1:6379/_INFO', 'SCHEME_NOT_ALLOWED'],
      [`http://localhost:${canaryPort}/@sandbox/video/7000000000000000001`, 'PORT_NOT_ALLOWED'],
      ['http://localhost/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      [`http://[::1]:${canaryPort}/`, 'IP_LITERAL'],
      ['http://0x7f000001/', 'IP_LITERAL'],
      ['http://2130706433/', 'IP_LITERAL'],
      ['http://127.1/', 'IP_LITERAL'],
      ['http://0177.0.0.1/', 'IP_LITERAL'],
      ['http://0.0.0.0/', 'IP_LITERAL'],
      ['http://10.0.0.1/', 'IP_LITERAL'],
      ['http://192.168.1.1/@sandbox/video/7000000000000000001', 'IP_LITERAL'],
      ['http://[::ffff:127.0.0.1]/', 'IP_LITERAL'],
      ['http://[fd00::1]/', 'IP_LITERAL'],
      [`http://[::]:${canaryPort}/`, 'IP_LITERAL'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'HOST_NOT_ALLOWED'],
      ['https://evil.example/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://www.tiktok.com.evil.example/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://faketiktok.com/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://www.tiktok.co/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://www.tíktok.com/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://www.tiktok.com./@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      ['https://evil.example/?u=https://www.tiktok.com/@sandbox/video/7000000000000000001', 'HOST_NOT_ALLOWED'],
      [`https://www.tiktok.com@${c}/@sandbox/video/7000000000000000001`, 'CREDENTIALS_IN_URL'],
      ['https://user:pass@www.tiktok.com/@sandbox/video/7000000000000000001', 'CREDENTIALS_IN_URL'],
      ['https://www.tiktok.com:8443/@sandbox/video/7000000000000000001', 'PORT_NOT_ALLOWED'],
      [`https://vm.tiktok.com:${canaryPort}/ZS00001/`, 'PORT_NOT_ALLOWED'],
      ['https://www.tiktok.com/@sandbox', 'NOT_A_VIDEO_URL'],
      ['https://www.tiktok.com/foryou', 'NOT_A_VIDEO_URL'],
      ['https://www.tiktok.com/@sandbox/video/7000000000000000001/../../../admin', 'NOT_A_VIDEO_URL'],
      ['https://www.tiktok.com/%2e%2e/%2e%2e/etc/passwd', 'NOT_A_VIDEO_URL'],
      ['https://www.tiktok.com/@sandbox/video/abc', 'NOT_A_VIDEO_URL'],
      ['https://vm.tiktok.com/', 'NOT_A_VIDEO_URL'],
      ['https://vm.tiktok.com/../../etc/passwd', 'NOT_A_VIDEO_URL'],
      ['https://www.tiktok.com/@sandbox/vid\neo/7000000000000000001', 'NOT_A_URL'],
      ['', 'NOT_A_URL'],
      ['not a url', 'NOT_A_URL'],
      [`https://www.tiktok.com/@sandbox/video/7000000000000000001?${'a'.repeat(3000)}`, 'NOT_A_URL'],
      ...Object.keys(escapes)
        .filter((code) => !code.startsWith('LOOP02'))
        .map((code): [string, string] => [`https://vm.tiktok.com/${code}/`, code.startsWith('LOOP') ? 'TOO_MANY_REDIRECTS' : 'REDIRECT_NOT_ALLOWED']),
      ['https://vm.tiktok.com/NOSUCH00/', 'VIDEO_NOT_FOUND'],
    ];
    expect(hostile.length).toBeGreaterThanOrEqual(50);
    const before = { fip: (await sandboxStats(gw.fipUrl)).requests, bc: (await sandboxStats(gw.bcUrl)).requests, drafts: await draftCount() };
    await fetch(`${tiktok}/__sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    for (const [url, reason] of hostile) {
      const body = await ingest(url);
      expect(body.data ?? null, url).toBeNull();
      expect(body.errors?.[0]?.extensions, url).toMatchObject({ code: 'BAD_USER_INPUT', reason });
      expect(body.errors?.[0]?.message, url).not.toContain(String(canaryPort));
    }
    expect(canaryHits).toBe(0);
    expect((await sandboxStats(gw.fipUrl)).requests).toBe(before.fip);
    expect((await sandboxStats(gw.bcUrl)).requests).toBe(before.bc);
    // The simulator saw only the share links it was asked to resolve (each escape once, the loop up to the hop limit).
    const hosts = (await (await fetch(`${tiktok}/__sandbox/hosts`)).json()) as Record<string, number>;
    expect(Object.keys(hosts).sort()).toEqual(['vm.tiktok.com', 'vt.tiktok.com']);
    expect(hosts['vm.tiktok.com']! + hosts['vt.tiktok.com']!).toBe(7 + 5 + 1);
    expect(await draftCount()).toBe(before.drafts);
  });

  it('fails the ingestion with a typed reason for a thumbnail off TikTok’s CDN, too large, or not an image, and never calls its address', async () => {
    const c = `127.0.0.1:${canaryPort}`;
    const cases: Array<[Json, string]> = [
      [{ thumbnailUrl: `http://${c}/thumb.jpg` }, 'THUMBNAIL_NOT_ALLOWED'],
      [{ thumbnailUrl: `https://${c}/thumb.jpg` }, 'THUMBNAIL_NOT_ALLOWED'],
      [{ thumbnailUrl: 'https://169.254.169.254/latest/meta-data/' }, 'THUMBNAIL_NOT_ALLOWED'],
      [{ thumbnailUrl: 'https://p16-sign.tiktokcdn.com.evil.example/obj/x.jpeg' }, 'THUMBNAIL_NOT_ALLOWED'],
      [{ thumbnailUrl: 'file:///etc/passwd' }, 'THUMBNAIL_NOT_ALLOWED'],
      [{ thumbnail: 'oversized' }, 'THUMBNAIL_TOO_LARGE'],
      [{ thumbnail: 'notImage' }, 'THUMBNAIL_NOT_AN_IMAGE'],
      [{ thumbnail: 'mislabelled' }, 'THUMBNAIL_NOT_AN_IMAGE'],
      [{ thumbnail: 'missing' }, 'THUMBNAIL_NOT_AN_IMAGE'],
    ];
    let n = 0;
    for (const [video, reason] of cases) {
      const id = `71000000000000000${String(++n).padStart(2, '0')}`;
      expect((await post('/__sandbox/videos', { id, caption: `Bendix Air Brake Chamber $10 #case${n}`, ...video })).status).toBe(200);
      const body = await ingest(`https://www.tiktok.com/@sandbox/video/${id}`);
      expect(body.errors).toBeUndefined();
      const job = await waitJob(body.data.ingestSocialLink.job.id);
      expect(job.status, reason).toBe('FAILED');
      expect(job.error, reason).toMatch(new RegExp(`^${reason}: `));
      const draft = (await gw.gql(DRAFT, { id: body.data.ingestSocialLink.draft.id })).body.data!.productDraft as Json;
      expect(draft).toMatchObject({ images: [], title: null });
    }
    expect(canaryHits).toBe(0);
    // An unknown video: the job says so.
    const missing = await ingest('https://www.tiktok.com/@sandbox/video/6999999999999999999');
    expect((await waitJob(missing.data.ingestSocialLink.job.id)).error).toMatch(/^VIDEO_NOT_FOUND: /);
  });
});

async function draftCount(): Promise<number> {
  const { body } = await gw.gql(`{ productDrafts(first: 1) { totalCount } }`);
  return (body.data as Json).productDrafts.totalCount;
}
