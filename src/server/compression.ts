/**
 * The compressors behind @fastify/compress (its `zlib` option: the plugin
 * still negotiates the encoding from Accept-Encoding, sets Content-Encoding,
 * Vary and Content-Length, and skips small, partial and non-compressible
 * answers; this only does the compressing of a buffered answer).
 *
 * - An answer body marked with `keepCompressed` (a whole-response cache
 *   entry) is compressed once per encoding and the result kept with it: a
 *   cache hit costs no compression, and the compressed copy lives exactly as
 *   long as the cached body (a WeakMap keyed by the body's Buffer).
 * - Every other answer is compressed with settings chosen for small API
 *   answers (most are a few KiB): brotli told the input's size
 *   (BROTLI_PARAM_SIZE_HINT, so it sizes its window and hash tables for it
 *   rather than for the 4 MiB default window, RFC 7932 §9.1) at
 *   `BROTLI_QUALITY`; gzip and deflate at zlib's default level.
 *
 * The bytes are a valid br / gzip / deflate stream whatever the settings,
 * so a client sees no difference other than the size.
 */
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'deflate';

/**
 * Brotli quality for answers (0–11). @fastify/compress's default is 4
 * (Cloudflare's measurements: 11 costs far more than it saves on the fly);
 * on answers of 1–10 KiB quality 3 gives the same size for about two thirds of
 * the CPU (measured on the throughput benchmark's 20-part answer: 386 bytes
 * from 2,232 at both 3 and 4).
 */
export const BROTLI_QUALITY = 3;

type Kept = Partial<Record<Encoding, Buffer>>;

/** Bodies whose compressed forms are kept, with what was computed so far. */
const kept = new WeakMap<Buffer, Kept>();

/**
 * The bytes of a cached answer, to be sent as this same Buffer on every hit:
 * each encoding of it is then computed once, and kept as long as the Buffer.
 */
export function keepCompressed(body: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(body, 'utf8'));
  bytes.write(body, 'utf8');
  kept.set(bytes, {});
  return bytes;
}

function compress(encoding: Encoding, input: Buffer): Buffer {
  switch (encoding) {
    case 'br':
      return zlib.brotliCompressSync(input, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length,
        },
      });
    case 'gzip':
      return zlib.gzipSync(input);
    case 'deflate':
      return zlib.deflateSync(input);
  }
}

/**
 * A copy in memory of its own, exactly as long: node:zlib's synchronous
 * result is a view of a 16 KiB output chunk, and Buffer.from() of a small
 * one a view of a shared 8 KiB pool slab; kept for the life of a cache entry,
 * either would hold many times the answer's size.
 */
export function ownBytes(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

function compressor(encoding: Encoding): (payload: Buffer) => Buffer {
  return (payload) => {
    const forms = kept.get(payload);
    if (!forms) return compress(encoding, payload);
    return (forms[encoding] ??= ownBytes(compress(encoding, payload)));
  };
}

/**
 * For @fastify/compress's `zlib` option: the synchronous compressors it calls
 * for buffered answers. Streams (answers past its sync threshold) and
 * decompression fall back to node:zlib's constructors.
 */
export const answerCompressors = {
  brotliCompressSync: compressor('br'),
  gzipSync: compressor('gzip'),
  deflateSync: compressor('deflate'),
};
