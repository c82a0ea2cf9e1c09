/** A social video platform (TikTok): what the link → product draft ingestion asks of it (README "Social links"). Part of the domain's ports (ports.ts). */
import type { Lane } from './ports.js';

/** A video link the platform's rules accept, with the video it names. */
export interface SocialLink {
  /** The platform's own video id (TikTok: digits). */
  videoId: string;
  /** The canonical video URL (short links resolved). */
  url: string;
}

/** What the platform says about a video (TikTok: its oEmbed answer). */
export interface SocialVideo {
  platform: 'TIKTOK';
  videoId: string;
  url: string;
  caption: string;
  author: string | null;
  authorUrl: string | null;
  /** The platform's image of the video: a CDN link that expires, to copy at once, never to hot-link. */
  thumbnailUrl: string | null;
}

/** An image copied from the platform, checked for size and declared type (the caller decodes it). */
export interface CopiedImage {
  bytes: Buffer;
  contentType: string;
}

/**
 * A social video platform. Every URL that reaches it — the link a client
 * submitted, each redirect of a short link, a thumbnail's CDN address — is
 * checked against the platform's own hosts before any network call; a link
 * that is not the platform's is refused (BAD_USER_INPUT with a `reason`).
 */
export interface SocialVideos {
  platform: 'TIKTOK';
  /** A video link as is, or a short link resolved by following its redirects within the platform's hosts. */
  resolveLink(url: string, signal?: AbortSignal): Promise<SocialLink>;
  /** null when the platform has no such video. */
  video(link: SocialLink, lane: Lane, signal?: AbortSignal): Promise<SocialVideo | null>;
  /** Copies a thumbnail the platform named (size- and type-checked); throws a typed refusal otherwise. */
  copyThumbnail(url: string, signal?: AbortSignal): Promise<CopiedImage>;
}
