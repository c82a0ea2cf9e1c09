/**
 * The TikTok simulator (upstreams.md, "TikTok and WhatsApp"): one origin
 * (default http://127.0.0.1:4105) standing in for every TikTok host, told
 * apart by the `Host` header as a hosts file would send them here:
 *
 *   GET /oembed?url=<video url>          oEmbed (any host): the vendor's answer shape; 400 for an unknown video
 *   GET /{code}/   on vm. / vt.tiktok.com    a share link: 301 to the video URL
 *   GET /t/{code}/ on www.tiktok.com        the web share link form
 *   GET /obj/…     on *.tiktokcdn.com       the thumbnail (a generated JPEG; its URL expires)
 *
 * Admin, beside the shared stats/faults/reset routes: `GET /__sandbox/videos`
 * (ids, URLs, share links, captions), `POST /__sandbox/videos` (add or
 * replace one, e.g. with a hostile thumbnail: `oversized`, `notImage`,
 * `mislabelled`, `missing`, or a `thumbnailUrl` off the CDN), `POST
 * /__sandbox/shortlinks` (`{code, location}`: a share link redirecting
 * anywhere), `GET /__sandbox/hosts` (requests by Host). Written from
 * upstreams.md; shares nothing with the gateway's connector.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { z } from 'zod';
import type { Catalog } from '../common/catalog.js';
import { hash32 } from '../common/random.js';
import { createOrigin, type Origin } from '../common/origin.js';
import type { TikTokSandboxOptions } from '../options.js';
import { createVideoLibrary, FIRST_VIDEO_ID, type TwinVideo, type VideoLibrary } from './videos.js';

export interface TikTokOrigin extends Origin {
  readonly videos: VideoLibrary;
  /** Requests by Host header since the last reset. */
  hosts(): Record<string, number>;
}

const CDN_HOST = 'p16-sign-va.tiktokcdn.com';
const THUMB_PATH = '/obj/tos-maliva-p-0068/';
const THUMB_WIDTH = 540;
const THUMB_HEIGHT = 960;

const videoBody = z
  .object({
    id: z.string().regex(/^\d{8,25}$/),
    caption: z.string().max(4000).default(''),
    author: z.string().regex(/^[A-Za-z0-9_.]{1,24}$/).default('sandbox'),
    thumbnail: z.enum(['image', 'oversized', 'notImage', 'mislabelled', 'missing']).default('image'),
    thumbnailUrl: z.string().max(2048).optional(),
  })
  .strict();
const shortLinkBody = z.object({ code: z.string().regex(/^[A-Za-z0-9]{4,24}$/), location: z.string().max(2048) }).strict();

/** The share-link code of generated video i: `ZS` and the index in base 36. */
const codeOf = (id: string) => `ZS${(BigInt(id) - FIRST_VIDEO_ID + 1n).toString(36).toUpperCase().padStart(5, '0')}`;

export function createTikTokOrigin(options: TikTokSandboxOptions, catalog: Catalog, seed: number): TikTokOrigin {
  const videos = createVideoLibrary(catalog, seed, options.videos);
  const shortLinks = new Map<string, string>();
  const hostCounts = new Map<string, number>();
  const thumbnails = new Map<string, Buffer>();
  const origin = createOrigin({
    name: 'TikTok',
    faults: options.faults,
    faultAnswer: (status) => ({ body: { code: status, message: status === 429 ? 'rate limit exceeded' : 'Something went wrong' } }),
    openapi: () => ({ openapi: '3.0.3', info: { title: 'TikTok oEmbed (sandbox)', version: '1.0' }, paths: { '/oembed': { get: { parameters: [{ name: 'url', in: 'query', required: true, schema: { type: 'string' } }] } } } }),
    resetData: () => {
      videos.reset();
      shortLinks.clear();
    },
    resetStats: () => hostCounts.clear(),
  });
  const { app } = origin;

  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/__sandbox/')) return;
    hostCounts.set(request.hostname, (hostCounts.get(request.hostname) ?? 0) + 1);
  });

  const videoUrl = (v: TwinVideo) => `https://www.tiktok.com/@${v.author}/video/${v.id}`;
  const expires = () => Math.floor(Date.now() / 1000) + 6 * 3600;
  const signature = (id: string, exp: number) => createHash('sha256').update(`${seed}:${id}:${exp}`).digest('hex').slice(0, 32);
  const thumbnailUrlOf = (v: TwinVideo) => {
    if (v.thumbnailUrl) return v.thumbnailUrl;
    const exp = expires();
    return `https://${CDN_HOST}${THUMB_PATH}sandbox-${v.id}~tplv-photomode-zoomcover:${THUMB_WIDTH}:${THUMB_HEIGHT}.jpeg?x-expires=${exp}&x-signature=${signature(v.id, exp)}`;
  };

  /** The video id of a URL in one of TikTok's documented forms (query and fragment ignored). */
  function videoIdOf(raw: string | undefined): string | undefined {
    if (!raw) return undefined;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return undefined;
    }
    if (!['www.tiktok.com', 'tiktok.com', 'm.tiktok.com'].includes(u.hostname)) return undefined;
    return /^\/@[^/]+\/video\/(\d+)\/?$/.exec(u.pathname)?.[1] ?? /^\/v\/(\d+)\.html$/.exec(u.pathname)?.[1];
  }

  app.get('/oembed', async (request, reply) => {
    const id = videoIdOf((request.query as Record<string, string | undefined>).url);
    const video = id ? videos.get(id) : undefined;
    if (!video) return reply.code(400).send({ code: 400, message: 'Something went wrong', data: {} });
    const url = videoUrl(video);
    return {
      version: '1.0',
      type: 'video',
      title: video.caption,
      author_url: `https://www.tiktok.com/@${video.author}`,
      author_name: video.author === 'sandbox' ? 'Crossdock Sandbox' : video.author,
      width: '100%',
      height: '100%',
      html: `<blockquote class="tiktok-embed" cite="${url}" data-video-id="${video.id}" style="max-width: 605px;min-width: 325px;" > <section> <a target="_blank" title="@${video.author}" href="https://www.tiktok.com/@${video.author}?refer=embed">@${video.author}</a> </section> </blockquote> <script async src="https://www.tiktok.com/embed.js"></script>`,
      thumbnail_width: THUMB_WIDTH,
      thumbnail_height: THUMB_HEIGHT,
      thumbnail_url: thumbnailUrlOf(video),
      provider_url: 'https://www.tiktok.com',
      provider_name: 'TikTok',
      author_unique_id: video.author,
      embed_product_id: video.id,
      embed_type: 'video',
    };
  });

  async function thumbnailOf(id: string): Promise<Buffer> {
    const cached = thumbnails.get(id);
    if (cached) return cached;
    const h = hash32(seed, Number(BigInt(id) % 1_000_000_007n), 5);
    const background = { r: h & 0xff, g: (h >>> 8) & 0xff, b: (h >>> 16) & 0xff };
    const band = await sharp({ create: { width: THUMB_WIDTH, height: THUMB_HEIGHT / 4, channels: 3, background: { r: 255 - background.r, g: 255 - background.g, b: 255 - background.b } } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: THUMB_WIDTH, height: THUMB_HEIGHT, channels: 3, background } })
      .composite([{ input: band, top: Math.floor(THUMB_HEIGHT / 2), left: 0 }])
      .jpeg({ quality: 80 })
      .toBuffer();
    thumbnails.set(id, jpeg);
    return jpeg;
  }

  app.get(`${THUMB_PATH}:file`, async (request, reply) => {
    if (!request.hostname.endsWith('.tiktokcdn.com')) return reply.code(404).send('not found');
    const file = (request.params as { file: string }).file;
    const id = /^sandbox-(\d+)~/.exec(file)?.[1];
    const video = id ? videos.get(id) : undefined;
    const q = request.query as Record<string, string | undefined>;
    const exp = Number(q['x-expires']);
    // The CDN's links expire (upstreams.md): past x-expires, or with another signature, it is refused.
    if (!video || !Number.isFinite(exp) || exp * 1000 < Date.now() || q['x-signature'] !== signature(video.id, exp)) return reply.code(403).send('Access Denied');
    switch (video.thumbnail) {
      case 'image':
        return reply.header('content-type', 'image/jpeg').header('cache-control', 'max-age=21600').send(await thumbnailOf(video.id));
      case 'oversized':
        // More than any configured limit would allow: 64 MiB, declared up front.
        return reply.header('content-type', 'image/jpeg').send(Buffer.alloc(64 * 1024 * 1024, 0xff));
      case 'notImage':
        return reply.header('content-type', 'text/html; charset=utf-8').send('<html><body>not an image</body></html>');
      case 'mislabelled':
        return reply.header('content-type', 'image/jpeg').send(Buffer.from('<html><body>an HTML page that says it is a JPEG</body></html>'));
      case 'missing':
        return reply.code(404).send('not found');
      default: {
        const never: never = video.thumbnail;
        throw new Error(`unknown thumbnail kind ${String(never)}`);
      }
    }
  });

  function shortLink(code: string): string | undefined {
    const custom = shortLinks.get(code);
    if (custom) return custom;
    const m = /^Z[ST]([0-9A-Z]{5})$/.exec(code);
    if (!m?.[1]) return undefined;
    const id = (FIRST_VIDEO_ID + BigInt(parseInt(m[1], 36)) - 1n).toString();
    const video = videos.get(id);
    return video ? `${videoUrl(video)}?is_from_webapp=1&sender_device=pc` : undefined;
  }

  const redirect = async (request: { hostname: string; params: unknown }, reply: import('fastify').FastifyReply, webForm: boolean) => {
    const host = request.hostname;
    const allowed = webForm ? ['www.tiktok.com', 'tiktok.com'].includes(host) : ['vm.tiktok.com', 'vt.tiktok.com'].includes(host);
    const location = allowed ? shortLink((request.params as { code: string }).code) : undefined;
    if (!location) return reply.code(404).send('not found');
    return reply.code(301).header('location', location).send('');
  };
  app.get('/t/:code', (request, reply) => redirect(request, reply, true));
  app.get('/t/:code/', (request, reply) => redirect(request, reply, true));
  app.get('/:code', (request, reply) => redirect(request, reply, false));
  app.get('/:code/', (request, reply) => redirect(request, reply, false));

  app.get('/__sandbox/videos', async (request) => {
    const limit = Math.min(1_000, Math.max(1, Number((request.query as Record<string, string | undefined>).limit ?? 50) || 50));
    return {
      videos: videos.list(limit).map((v) => ({
        id: v.id,
        url: videoUrl(v),
        shortUrl: `https://vm.tiktok.com/${codeOf(v.id)}/`,
        webShortUrl: `https://www.tiktok.com/t/${codeOf(v.id).replace(/^ZS/, 'ZT')}/`,
        author: v.author,
        caption: v.caption,
        part: v.part,
        thumbnail: v.thumbnail,
      })),
      total: videos.count,
    };
  });
  app.post('/__sandbox/videos', async (request, reply) => {
    const parsed = videoBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid video', detail: parsed.error.issues.map((i) => i.message) });
    const v = parsed.data;
    videos.put({ id: v.id, author: v.author, caption: v.caption, part: null, thumbnail: v.thumbnail, ...(v.thumbnailUrl ? { thumbnailUrl: v.thumbnailUrl } : {}) });
    return { ok: true, url: `https://www.tiktok.com/@${v.author}/video/${v.id}` };
  });
  app.post('/__sandbox/shortlinks', async (request, reply) => {
    const parsed = shortLinkBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid short link' });
    shortLinks.set(parsed.data.code, parsed.data.location);
    return { ok: true, shortUrl: `https://vm.tiktok.com/${parsed.data.code}/` };
  });
  app.get('/__sandbox/hosts', async () => Object.fromEntries(hostCounts));

  return Object.assign(origin, { videos, hosts: () => Object.fromEntries(hostCounts) });
}
