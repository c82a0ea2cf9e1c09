/**
 * The TikTok fetches whose address comes from outside the configuration: a
 * share link's redirects and a thumbnail's CDN address. Every one is checked
 * by linkPolicy.ts first; redirects are followed by hand (never by the HTTP
 * client), each hop checked again, at most `maxRedirects` hops within
 * `resolveTimeoutMs`. Against the real TikTok the host's addresses are
 * checked before the request and again by the socket's own lookup
 * (addressGuard.ts); against the sandbox twin (`connectTo`, development
 * only) every TikTok host is reached at the twin's origin with its name in
 * `Host`, as a hosts file would, so the rules above run unchanged.
 *
 * Thumbnails: upstreams.md — the CDN URL expires, so the image is copied,
 * never hot-linked. Size-checked (`thumbnailMaxBytes`: a declared length
 * over it is not downloaded, a body that grows past it is cut off) and
 * type-checked (the declared Content-Type and the file's own signature must
 * both be JPEG, PNG, WebP or GIF).
 */
import { lookup } from 'node:dns/promises';
import type { CopiedImage, SocialLink } from '../../domain/socialPorts.js';
import type { UpstreamClient, UpstreamResponse } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { isPublicAddress } from './addressGuard.js';
import { checkThumbnailUrl, classifyLink, classifyRedirect, refuse } from './linkPolicy.js';

export interface MediaClientOptions {
  http: UpstreamClient;
  /** Development only: reach every TikTok host at this origin (the twin), sending the host name in `Host`. */
  connectTo?: string;
  maxRedirects: number;
  resolveTimeoutMs: number;
  thumbnailMaxBytes: number;
  /** A thumbnail's download, its redirects included. @default 15000 */
  thumbnailTimeoutMs?: number;
  /** A host name's addresses, checked before a request to the real TikTok. @default the system's DNS (all addresses) */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'image/gif']);

/** The file's own signature (its first bytes), whatever its Content-Type says. */
export function imageSignature(bytes: Buffer): 'jpeg' | 'png' | 'webp' | 'gif' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  return undefined;
}

export function createMediaClient(options: MediaClientOptions) {
  const { http } = options;
  const thumbnailTimeoutMs = options.thumbnailTimeoutMs ?? 15_000;
  const resolveHost = options.resolveHost ?? (async (hostname: string) => (await lookup(hostname, { all: true })).map((a) => a.address));

  /** Where the request for a vetted TikTok URL goes: TikTok itself over HTTPS, or the twin. */
  async function send(url: URL, req: { endpoint: string; timeoutMs: number; bytes?: boolean; signal?: AbortSignal }): Promise<UpstreamResponse> {
    let target: string;
    const headers: Record<string, string> = { accept: req.bytes ? 'image/*' : 'text/html' };
    if (options.connectTo) {
      target = `${options.connectTo}${url.pathname}${url.search}`;
      headers.host = url.host;
    } else {
      target = `https://${url.host}${url.pathname}${url.search}`;
      // Before the request, so a name that points inside is refused with its reason, not retried; the
      // socket's lookup checks the address it connects to again.
      const addresses = await resolveHost(url.hostname).catch(() => []);
      if (addresses.length === 0) throw new UpstreamError('unavailable', http.name, `${url.hostname} does not resolve`);
      if (addresses.some((a) => !isPublicAddress(a))) throw refuse('ADDRESS_NOT_ALLOWED', `${url.hostname} resolves to an address that is not public`);
    }
    try {
      return await http.request({ method: 'GET', path: [], url: target, headers, endpoint: req.endpoint, lane: 'bulk', timeoutMs: req.timeoutMs, responseType: req.bytes ? 'bytes' : 'json', signal: req.signal });
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === 'tooLarge') throw refuse('THUMBNAIL_TOO_LARGE', `the thumbnail is larger than ${options.thumbnailMaxBytes} bytes`);
      throw err;
    }
  }

  return {
    async resolveLink(raw: string, signal?: AbortSignal): Promise<SocialLink> {
      let verdict = classifyLink(raw);
      const deadline = Date.now() + options.resolveTimeoutMs;
      for (let hops = 0; verdict.kind === 'short'; hops++) {
        if (hops >= options.maxRedirects) throw refuse('TOO_MANY_REDIRECTS', `the share link took more than ${options.maxRedirects} redirects`);
        const left = deadline - Date.now();
        if (left <= 0) throw refuse('TOO_MANY_REDIRECTS', `the share link did not resolve within ${options.resolveTimeoutMs} ms`);
        let res: UpstreamResponse;
        try {
          res = await send(new URL(verdict.url), { endpoint: 'shortlink', timeoutMs: left, signal });
        } catch (err) {
          if (err instanceof UpstreamError && err.kind === 'rejected') throw refuse('VIDEO_NOT_FOUND', 'the share link leads to no video');
          throw err;
        }
        if (REDIRECTS.has(res.status)) verdict = classifyRedirect(res.headers.location, verdict.url);
        else if (res.status === 404) throw refuse('VIDEO_NOT_FOUND', 'the share link leads to no video');
        else throw refuse('REDIRECT_NOT_ALLOWED', 'the share link did not redirect to a video');
      }
      return { videoId: verdict.videoId, url: verdict.url };
    },

    async copyThumbnail(raw: string, signal?: AbortSignal): Promise<CopiedImage> {
      let url = checkThumbnailUrl(raw);
      const deadline = Date.now() + thumbnailTimeoutMs;
      for (let hops = 0; ; hops++) {
        const left = deadline - Date.now();
        if (left <= 0) throw new UpstreamError('timeout', http.name, 'the thumbnail did not arrive in time');
        const res = await send(url, { endpoint: 'thumbnail', timeoutMs: left, bytes: true, signal });
        if (REDIRECTS.has(res.status)) {
          // A CDN may redirect to another of its hosts; nowhere else.
          if (hops >= options.maxRedirects) throw refuse('TOO_MANY_REDIRECTS', 'the thumbnail took too many redirects');
          url = checkThumbnailUrl(new URL(res.headers.location ?? '', url).href);
          continue;
        }
        if (res.status === 404) throw refuse('THUMBNAIL_NOT_AN_IMAGE', 'the thumbnail is gone (404)');
        if (res.status >= 300) throw new UpstreamError('rejected', http.name, `thumbnail HTTP ${res.status}`, { status: res.status });
        const bytes = Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0);
        if (bytes.length > options.thumbnailMaxBytes) throw refuse('THUMBNAIL_TOO_LARGE', `the thumbnail is larger than ${options.thumbnailMaxBytes} bytes`);
        const declared = (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        if (!IMAGE_TYPES.has(declared)) throw refuse('THUMBNAIL_NOT_AN_IMAGE', 'the thumbnail is not an image (its Content-Type)');
        const signature = imageSignature(bytes);
        if (!signature) throw refuse('THUMBNAIL_NOT_AN_IMAGE', 'the thumbnail is not an image (its bytes)');
        return { bytes, contentType: `image/${signature}` };
      }
    },
  };
}
