/**
 * Product images from a copied thumbnail, with sharp (libvips): the copy is
 * decoded first (a file that is not an image, or larger than `maxPixels`,
 * is refused before any resize — a decompression bomb stops at the header),
 * then each size is cut as a square cover crop around the centre and
 * written as JPEG and as WebP. Metadata (EXIF, GPS) is not carried over:
 * sharp drops it unless asked to keep it.
 */
import type sharpModule from 'sharp';

type Sharp = typeof sharpModule;
let sharpLoading: Promise<Sharp> | undefined;
/**
 * sharp on the first image to derive, not at start: loading it maps libvips
 * and starts its thread pool and caches: 6 MiB of an idle gateway's RSS
 * (VmRSS of `node dist/main.js` 137.5 → 131.5 MiB), in every gateway, most of
 * which never derives an image (issue 13: idle RSS at most 150 MB).
 * test/integration/startupFootprint.test.ts pins it.
 */
function loadSharp(): Promise<Sharp> {
  sharpLoading ??= import('sharp').then((m) => m.default);
  return sharpLoading;
}
import type { MediaType } from './mediaStore.js';

export interface DerivedImage {
  size: number;
  width: number;
  height: number;
  format: 'jpeg' | 'webp';
  contentType: MediaType;
  bytes: Buffer;
}

export interface ImageDeriverOptions {
  /** Square sizes in pixels, e.g. [150, 480, 1080]. */
  sizes: readonly number[];
  /** Largest source image decoded, in pixels (width × height). @default 40000000 */
  maxPixels?: number;
}

export class NotAnImageError extends Error {
  override name = 'NotAnImageError';
}

export interface ImageDeriver {
  /** The source's own format and size, or NotAnImageError. */
  inspect(bytes: Buffer): Promise<{ format: string; width: number; height: number }>;
  derive(bytes: Buffer): Promise<DerivedImage[]>;
}

const DECODABLE = new Set(['jpeg', 'png', 'webp', 'gif']);

export function createImageDeriver(options: ImageDeriverOptions): ImageDeriver {
  const limitInputPixels = options.maxPixels ?? 40_000_000;
  async function inspect(bytes: Buffer) {
    const sharp = await loadSharp();
    try {
      const meta = await sharp(bytes, { limitInputPixels, failOn: 'error' }).metadata();
      if (!meta.format || !DECODABLE.has(meta.format) || !meta.width || !meta.height) throw new NotAnImageError('not a JPEG, PNG, WebP or GIF image');
      if (meta.width * meta.height > limitInputPixels) throw new NotAnImageError(`the image is larger than ${limitInputPixels} pixels`);
      return { format: meta.format, width: meta.width, height: meta.height };
    } catch (err) {
      if (err instanceof NotAnImageError) throw err;
      throw new NotAnImageError(`the image cannot be decoded (${err instanceof Error ? err.message.slice(0, 120) : 'unknown'})`);
    }
  }
  return {
    inspect,
    async derive(bytes) {
      await inspect(bytes);
      const sharp = await loadSharp();
      const out: DerivedImage[] = [];
      for (const size of options.sizes) {
        // One decode and resize per size, both encodings from it.
        const resized = sharp(bytes, { limitInputPixels, failOn: 'error' }).rotate().resize(size, size, { fit: 'cover', position: 'centre' });
        const [jpeg, webp] = await Promise.all([
          resized.clone().jpeg({ quality: 82, mozjpeg: true }).toBuffer({ resolveWithObject: true }),
          resized.clone().webp({ quality: 80 }).toBuffer({ resolveWithObject: true }),
        ]);
        out.push({ size, width: jpeg.info.width, height: jpeg.info.height, format: 'jpeg', contentType: 'image/jpeg', bytes: jpeg.data });
        out.push({ size, width: webp.info.width, height: webp.info.height, format: 'webp', contentType: 'image/webp', bytes: webp.data });
      }
      return out;
    },
  };
}
