/**
 * The social link → product draft settings (README "Social links"): the
 * sizes images are derived in, where the media store keeps them and under
 * which public origin the store fetches them, and the publication's claim
 * lease and wait. The platform's own settings (oEmbed URL, redirects,
 * thumbnail size limit) are its connector's slice (src/connectors/tiktok/).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ms, urlVariable, type ParsedEnv } from '../env/variables.js';

export interface SocialConfig {
  /** Square sizes, in pixels, each written as JPEG and WebP. */
  imageSizes: number[];
  /** Largest thumbnail decoded, in pixels. */
  imageMaxPixels: number;
  /** The embedded media store's directory. */
  mediaDir: string;
  /** Origin the store fetches published images from; null: the gateway's own URL. */
  mediaPublicUrl: string | null;
  /** A publication's claim: a publisher that died holds the draft this long. */
  publishLeaseMs: number;
  /** How long a publish waits for another in flight with the draft before answering IN_FLIGHT. */
  publishWaitMs: number;
}

export const SOCIAL_ENV = {
  SOCIAL_IMAGE_SIZES: z
    .string()
    .default('160,480,720')
    .transform((raw, ctx) => {
      const sizes = raw.split(',').map((s) => Number(s.trim()));
      if (sizes.length === 0 || sizes.length > 8 || sizes.some((n) => !Number.isInteger(n) || n < 16 || n > 4096)) {
        ctx.addIssue({ code: 'custom', message: 'must be 1 to 8 comma-separated sizes of 16 to 4096 pixels' });
        return z.NEVER;
      }
      return [...new Set(sizes)].sort((a, b) => a - b);
    }),
  SOCIAL_IMAGE_MAX_PIXELS: z.coerce.number().int().min(10_000).max(268_402_689).default(40_000_000),
  SOCIAL_MEDIA_DIR: z.string().min(1).optional(),
  SOCIAL_MEDIA_PUBLIC_URL: urlVariable(['http:', 'https:'], 'SOCIAL_MEDIA_PUBLIC_URL must be an http(s) URL', (u) => u.origin),
  SOCIAL_PUBLISH_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  SOCIAL_PUBLISH_WAIT_MS: ms(10_000),
};

type SocialEnv = Omit<ParsedEnv<typeof SOCIAL_ENV>, 'SOCIAL_MEDIA_DIR'> & { SOCIAL_MEDIA_DIR?: string };

export function socialConfig(e: SocialEnv, dataDir: string): SocialConfig {
  return {
    imageSizes: e.SOCIAL_IMAGE_SIZES,
    imageMaxPixels: e.SOCIAL_IMAGE_MAX_PIXELS,
    mediaDir: e.SOCIAL_MEDIA_DIR ?? join(dataDir, 'media'),
    mediaPublicUrl: e.SOCIAL_MEDIA_PUBLIC_URL ?? null,
    publishLeaseMs: e.SOCIAL_PUBLISH_LEASE_MS,
    publishWaitMs: e.SOCIAL_PUBLISH_WAIT_MS,
  };
}
