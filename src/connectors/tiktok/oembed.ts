/**
 * TikTok's oEmbed endpoint (upstreams.md, "TikTok and WhatsApp"): `GET
 * {TIKTOK_OEMBED_URL}?url=<video url>`, no auth, answering `{version:"1.0",
 * type:"video", title (the caption), author_name, author_url,
 * author_unique_id, html, thumbnail_url, thumbnail_width, thumbnail_height,
 * provider_name:"TikTok", embed_product_id (the video id), …}`. A bad URL's
 * status and body are undocumented: a 400, 403 or 404 is read as "no such
 * video", anything else non-2xx as the upstream failing.
 */
import type { Lane } from '../../domain/ports.js';
import type { SocialLink, SocialVideo } from '../../domain/socialPorts.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';

/** The oEmbed answer's fields this connector reads. */
export interface OEmbedWire {
  version?: string;
  type?: string;
  title?: unknown;
  author_name?: unknown;
  author_url?: unknown;
  author_unique_id?: unknown;
  thumbnail_url?: unknown;
  embed_product_id?: unknown;
}

export const tiktokOEmbedVendor: UpstreamVendor = {
  authHeaders: () => ({}),
  quotaReport(status, headers) {
    // No published quota and no quota headers for oEmbed; a 429 may say when to come back.
    const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
    return retryAfterMs !== undefined ? { retryAfterMs } : {};
  },
  errorMessage(body) {
    const b = body as { message?: unknown; status_msg?: unknown } | null;
    const m = typeof b?.message === 'string' ? b.message : typeof b?.status_msg === 'string' ? b.status_msg : undefined;
    return m?.slice(0, 200);
  },
};

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** The oEmbed answer as the domain's video; undefined when it is not one. */
export function mapOEmbed(wire: OEmbedWire, link: SocialLink): SocialVideo | undefined {
  if (typeof wire !== 'object' || wire === null || wire.type !== 'video') return undefined;
  const id = typeof wire.embed_product_id === 'string' ? wire.embed_product_id : link.videoId;
  if (id !== link.videoId) return undefined;
  return {
    platform: 'TIKTOK',
    videoId: id,
    url: link.url,
    caption: typeof wire.title === 'string' ? wire.title : '',
    author: text(wire.author_unique_id) ?? text(wire.author_name),
    authorUrl: text(wire.author_url),
    thumbnailUrl: text(wire.thumbnail_url),
  };
}

export function createOEmbedClient(http: UpstreamClient, path: readonly string[]) {
  return {
    async video(link: SocialLink, lane: Lane, signal?: AbortSignal): Promise<SocialVideo | null> {
      let res;
      try {
        res = await http.request({ method: 'GET', path, query: { url: link.url }, endpoint: 'oembed', lane, signal });
      } catch (err) {
        if (err instanceof UpstreamError && err.kind === 'rejected' && (err.status === 400 || err.status === 403)) return null;
        throw err;
      }
      if (res.status === 404) return null;
      const video = mapOEmbed(res.body as OEmbedWire, link);
      if (!video) throw new UpstreamError('rejected', http.name, 'the oEmbed answer is not a video of the link asked', { status: res.status });
      return video;
    },
  };
}
