/**
 * The TikTok connector (upstreams.md, "TikTok and WhatsApp"): a video's
 * metadata from oEmbed (no auth), share links resolved within TikTok's own
 * hosts, thumbnails copied from its CDN. Provides the optional
 * `socialVideos` capability the link → product draft ingestion asks
 * (src/social/). Every URL it may fetch is checked before any call
 * (linkPolicy.ts, addressGuard.ts).
 *
 * Configured by default: TikTok's public oEmbed needs no credentials, so
 * production uses `https://www.tiktok.com/oembed` unless TIKTOK_OEMBED_URL
 * says otherwise. In development with the embedded sandbox it runs against
 * its twin (src/sandbox/tiktok/); beside real upstreams, against TikTok.
 */
import { z } from 'zod';
import { urlVariable, type ParsedEnv } from '../../env/variables.js';
import type { SocialVideos } from '../../domain/socialPorts.js';
import { defineConnector } from '../connector.js';
import { publicOnlyLookup } from './addressGuard.js';
import { createMediaClient } from './mediaClient.js';
import { createOEmbedClient, tiktokOEmbedVendor } from './oembed.js';

export const TIKTOK_OEMBED_DEFAULT = 'https://www.tiktok.com/oembed';

export interface TikTokConfig {
  /** The oEmbed endpoint, e.g. `https://www.tiktok.com/oembed`. */
  oembedUrl: string;
  /** Development only: every TikTok host (share links, CDN) is reached at this origin, its name sent in `Host`. */
  connectTo?: string;
  /** Redirects a share link may take. */
  maxRedirects: number;
  /** A share link's resolution, all hops together. */
  resolveTimeoutMs: number;
  /** Largest thumbnail copied. */
  thumbnailMaxBytes: number;
  /** Pacing of oEmbed calls (TikTok publishes no quota for it). */
  ratePerSecond: number;
  perMinute: number;
}

const httpOrHttps = (name: string) =>
  urlVariable(['http:', 'https:'], `${name} must be an http(s) URL`, (u) => `${u.origin}${u.pathname.replace(/\/+$/, '')}`);

const env = {
  TIKTOK_OEMBED_URL: httpOrHttps('TIKTOK_OEMBED_URL'),
  TIKTOK_CONNECT_TO: httpOrHttps('TIKTOK_CONNECT_TO'),
  TIKTOK_MAX_REDIRECTS: z.coerce.number().int().min(1).max(10).default(5),
  TIKTOK_RESOLVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  TIKTOK_THUMBNAIL_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
  TIKTOK_RATE_PER_SECOND: z.coerce.number().positive().max(1_000).default(10),
  TIKTOK_PER_MINUTE: z.coerce.number().int().positive().max(100_000).default(600),
};

type Env = ParsedEnv<typeof env>;

function settings(e: Env): Omit<TikTokConfig, 'oembedUrl' | 'connectTo'> {
  return {
    maxRedirects: e.TIKTOK_MAX_REDIRECTS,
    resolveTimeoutMs: e.TIKTOK_RESOLVE_TIMEOUT_MS,
    thumbnailMaxBytes: e.TIKTOK_THUMBNAIL_MAX_BYTES,
    ratePerSecond: e.TIKTOK_RATE_PER_SECOND,
    perMinute: e.TIKTOK_PER_MINUTE,
  };
}

export const tiktokConnector = defineConnector<TikTokConfig>({
  name: 'tiktok',
  title: 'TikTok',
  required: false,
  config: {
    env,
    resolve(values, { mode, problems }) {
      const e = values as Env;
      // Connecting TikTok's names to another address is for the sandbox only: in production it would
      // send whatever a share link names to that address.
      if (e.TIKTOK_CONNECT_TO && mode === 'production') problems.push('TIKTOK_CONNECT_TO is for development against the sandbox; production reaches TikTok itself');
      const config = { oembedUrl: e.TIKTOK_OEMBED_URL ?? TIKTOK_OEMBED_DEFAULT, ...(e.TIKTOK_CONNECT_TO ? { connectTo: e.TIKTOK_CONNECT_TO } : {}), ...settings(e) };
      if (e.TIKTOK_OEMBED_URL || mode === 'production') return { configured: true, config };
      // Development without a URL: the twin with the embedded sandbox, TikTok's own endpoint otherwise.
      return { configured: false, reason: 'TIKTOK_OEMBED_URL is not set', fallback: config };
    },
  },

  async sandbox(world, values) {
    const { startTikTokTwin } = await import('../../sandbox/twins.js');
    const twin = await startTikTokTwin(world);
    return { url: twin.url, config: { oembedUrl: twin.apiBase, connectTo: twin.url, ...settings(values as Env) } };
  },

  create(config, kit) {
    const oembedUrl = new URL(config.oembedUrl);
    const budgets = [
      { points: Math.max(1, Math.floor(config.ratePerSecond)), durationMs: 1_000 },
      { points: config.perMinute, durationMs: 60_000 },
    ];
    const api = kit.upstream({ baseUrl: oembedUrl.origin, vendor: tiktokOEmbedVendor, budgets });
    // Share links and the CDN: many hosts, binary answers, vetted addresses. Auxiliary: a failing CDN
    // degrades ingestion, it does not make TikTok unhealthy.
    const media = kit.upstream({
      name: 'tiktok-media',
      baseUrl: 'https://www.tiktok.com',
      vendor: { ...tiktokOEmbedVendor, errorMessage: () => undefined },
      budgets,
      anyOrigin: true,
      auxiliary: true,
      maxBodyBytes: config.thumbnailMaxBytes,
      ...(config.connectTo ? {} : { lookup: publicOnlyLookup }),
    });
    const oembed = createOEmbedClient(api.http, oembedUrl.pathname.split('/').filter(Boolean));
    const mediaClient = createMediaClient({ http: media.http, connectTo: config.connectTo, maxRedirects: config.maxRedirects, resolveTimeoutMs: config.resolveTimeoutMs, thumbnailMaxBytes: config.thumbnailMaxBytes });
    const socialVideos: SocialVideos = {
      platform: 'TIKTOK',
      resolveLink: (url, signal) => mediaClient.resolveLink(url, signal),
      video: (link, lane, signal) => oembed.video(link, lane, signal),
      copyThumbnail: (url, signal) => mediaClient.copyThumbnail(url, signal),
    };
    return {
      provides: { socialVideos },
      upstreams: [api, media],
      health: () => ({ status: 'healthy', reason: kit.sandbox ? 'sandbox twin' : undefined, detail: { oembed: kit.sandbox ? 'sandbox' : oembedUrl.host } }),
    };
  },
});
