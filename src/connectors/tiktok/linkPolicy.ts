/**
 * Which URLs the TikTok connector will touch, decided before any network
 * call (the submitted link is untrusted input: the ingest mutation must not
 * become a way to reach internal services, OWASP's SSRF prevention cheat
 * sheet, "allow-list of domains"). Only TikTok's own forms pass:
 *
 * - video URLs, the documented `https://www.tiktok.com/@{user}/video/{id}`
 *   (upstreams.md, TikTok oEmbed) and the mobile `m.tiktok.com/v/{id}.html`;
 * - short links, `vm.tiktok.com/{code}`, `vt.tiktok.com/{code}` and
 *   `www.tiktok.com/t/{code}`, which are redirects to resolve (each hop
 *   checked again by these rules);
 * - thumbnails, on TikTok's CDN hosts (`*.tiktokcdn.com` and its regional
 *   twins), over HTTPS.
 *
 * Everything else is refused with a reason: another scheme (`file:`,
 * `data:`, `javascript:`…), another host (or a look-alike: `tiktok.com.evil`,
 * `tíktok.com`, a trailing dot), an IP literal in any spelling (WHATWG URL
 * parsing turns `0x7f.1` and `2130706433` into 127.0.0.1 first), user info
 * (`https://www.tiktok.com@evil/`), a port other than the scheme's default,
 * a path that is not a video or short link.
 */
import { ErrorCode, crossdockError, type CrossdockError } from '../../errors/crossdockError.js';

export type LinkRefusal =
  | 'NOT_A_URL'
  | 'SCHEME_NOT_ALLOWED'
  | 'CREDENTIALS_IN_URL'
  | 'IP_LITERAL'
  | 'HOST_NOT_ALLOWED'
  | 'PORT_NOT_ALLOWED'
  | 'NOT_A_VIDEO_URL'
  | 'REDIRECT_NOT_ALLOWED'
  | 'TOO_MANY_REDIRECTS'
  | 'ADDRESS_NOT_ALLOWED'
  | 'VIDEO_NOT_FOUND'
  | 'THUMBNAIL_NOT_ALLOWED'
  | 'THUMBNAIL_TOO_LARGE'
  | 'THUMBNAIL_NOT_AN_IMAGE';

/** A typed refusal: BAD_USER_INPUT with the reason, naming the argument; the URL itself is not echoed. */
export function refuse(reason: LinkRefusal, message: string): CrossdockError {
  return crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument: 'input.url', reason });
}

/** Hosts of TikTok's web pages; a video URL names one of them. */
export const VIDEO_HOSTS: ReadonlySet<string> = new Set(['www.tiktok.com', 'tiktok.com', 'm.tiktok.com']);
/** Hosts whose links are redirects to a video (TikTok's share links). */
export const SHORT_LINK_HOSTS: ReadonlySet<string> = new Set(['vm.tiktok.com', 'vt.tiktok.com']);
/** TikTok's image CDNs: a thumbnail host must be one of these or below one. */
export const THUMBNAIL_DOMAINS: readonly string[] = ['tiktokcdn.com', 'tiktokcdn-us.com', 'tiktokcdn-eu.com', 'ibyteimg.com'];

export const MAX_URL_LENGTH = 2048;
const VIDEO_PATH = /^\/@([A-Za-z0-9_.-]{1,64})\/video\/(\d{8,25})\/?$/;
const MOBILE_VIDEO_PATH = /^\/v\/(\d{8,25})\.html$/;
const SHORT_CODE = /^\/([A-Za-z0-9]{4,24})\/?$/;
const WEB_SHORT_CODE = /^\/t\/([A-Za-z0-9]{4,24})\/?$/;

export type LinkVerdict =
  | { kind: 'video'; videoId: string; url: string }
  | { kind: 'short'; url: string };

function parse(raw: string): URL {
  if (typeof raw !== 'string' || raw.trim().length === 0 || raw.length > MAX_URL_LENGTH) throw refuse('NOT_A_URL', `the link must be a URL of at most ${MAX_URL_LENGTH} characters`);
  // Control characters and spaces inside a URL are a smuggling attempt, never a TikTok link.
  if (/[\u0000-\u0020\u007f\\]/.test(raw.trim())) throw refuse('NOT_A_URL', 'the link contains characters no URL has');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw refuse('NOT_A_URL', 'the link is not a URL');
  }
  return url;
}

/** Scheme, user info, IP literal, port: the rules every URL the connector may fetch shares. */
function checkCommon(url: URL, schemes: readonly string[]): void {
  if (!schemes.includes(url.protocol)) throw refuse('SCHEME_NOT_ALLOWED', `only ${schemes.map((s) => s.replace(':', '')).join(' or ')} links are accepted`);
  if (url.username || url.password) throw refuse('CREDENTIALS_IN_URL', 'a link with user info is not accepted');
  const host = url.hostname;
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host)) throw refuse('IP_LITERAL', 'a link must name a TikTok host, not an IP address');
  if (url.port !== '') throw refuse('PORT_NOT_ALLOWED', 'a link with an explicit port is not accepted');
}

/** A link a client submitted (or a short link's redirect target): a TikTok video or short link, or a refusal. */
export function classifyLink(raw: string): LinkVerdict {
  const url = parse(raw);
  // http: is accepted (people paste it) but never fetched as such: every fetch goes over https.
  checkCommon(url, ['https:', 'http:']);
  const host = url.hostname;
  if (VIDEO_HOSTS.has(host)) {
    const video = VIDEO_PATH.exec(url.pathname);
    if (video?.[1] && video[2]) return { kind: 'video', videoId: video[2], url: `https://www.tiktok.com/@${video[1]}/video/${video[2]}` };
    const mobile = host === 'm.tiktok.com' ? MOBILE_VIDEO_PATH.exec(url.pathname) : null;
    // The mobile form names no author; oEmbed answers with the canonical URL.
    if (mobile?.[1]) return { kind: 'video', videoId: mobile[1], url: `https://m.tiktok.com/v/${mobile[1]}.html` };
    const short = host === 'www.tiktok.com' ? WEB_SHORT_CODE.exec(url.pathname) : null;
    if (short?.[1]) return { kind: 'short', url: `https://www.tiktok.com/t/${short[1]}/` };
    throw refuse('NOT_A_VIDEO_URL', 'the link is not a TikTok video (https://www.tiktok.com/@user/video/{id}) or share link');
  }
  if (SHORT_LINK_HOSTS.has(host)) {
    const short = SHORT_CODE.exec(url.pathname);
    if (short?.[1]) return { kind: 'short', url: `https://${host}/${short[1]}/` };
    throw refuse('NOT_A_VIDEO_URL', 'the link is not a TikTok share link');
  }
  throw refuse('HOST_NOT_ALLOWED', 'only TikTok links are accepted (www.tiktok.com, vm.tiktok.com, vt.tiktok.com)');
}

/** A redirect's target, resolved against the hop it came from: only another TikTok video or short link. */
export function classifyRedirect(location: string | undefined, from: string): LinkVerdict {
  if (!location) throw refuse('REDIRECT_NOT_ALLOWED', 'the share link redirected nowhere');
  let target: string;
  try {
    target = new URL(location, from).href;
  } catch {
    throw refuse('REDIRECT_NOT_ALLOWED', 'the share link redirected to something that is not a URL');
  }
  try {
    return classifyLink(target);
  } catch {
    throw refuse('REDIRECT_NOT_ALLOWED', 'the share link redirected outside TikTok');
  }
}

/** A thumbnail address the oEmbed answer gave: HTTPS on TikTok's CDN only. */
export function checkThumbnailUrl(raw: string): URL {
  let url: URL;
  try {
    url = parse(raw);
    checkCommon(url, ['https:']);
  } catch {
    throw refuse('THUMBNAIL_NOT_ALLOWED', "the video's thumbnail is not on TikTok's CDN");
  }
  const host = url.hostname;
  if (!THUMBNAIL_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`))) throw refuse('THUMBNAIL_NOT_ALLOWED', "the video's thumbnail is not on TikTok's CDN");
  return url;
}
