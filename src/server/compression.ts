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
 *   `ANSWER_BROTLI_QUALITY`; gzip and deflate at zlib's default level.
 * - A streamed answer's brotli is at `STREAM_BROTLI_QUALITY` (createBrotliCompress).
 *
 * The bytes are a valid br / gzip / deflate stream whatever the settings,
 * so a client sees no difference other than the size.
 */
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'deflate';

/**
 * Brotli quality for buffered answers (0–11; @fastify/compress's default is 4).
 * Qualities 0 and 1 are brotli's one-pass fast compressors, with a small hash
 * table of their own; from 2 up it allocates and fills the larger tables of
 * the general encoder for every answer. Measured under load on the
 * throughput benchmark's distinct 20-part sets (production defaults, the
 * same run, 2026-12-02): quality 1 took 506 µs of gateway CPU per request
 * where quality 3 took 571 (−11 %, 2,115 against 1,859 req/s), for answers
 * some 10 % larger (a 2.8 KB answer: 505 bytes at 1, 449 at 3; a 48 KB one:
 * 6.6 KB against 6.2, still smaller than gzip's 7.2 KB at level 6).
 */
export const ANSWER_BROTLI_QUALITY = 1;

/**
 * Brotli quality for streamed answers (the exports). Measured on the 100,000-order
 * CSV export (29 MB, written in page-sized chunks): quality 4 gave 5.77 MB for
 * 3.2–4.4 ms of CPU per 1,000 orders, quality 3 6.05 MB (+5 %) for 2.35 ms — at
 * quality 4 a third of the export's CPU beside the page reads (issue 14,
 * acceptance 5).
 */
export const STREAM_BROTLI_QUALITY = 3;

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
          [zlib.constants.BROTLI_PARAM_QUALITY]: ANSWER_BROTLI_QUALITY,
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
 * A streamed answer's brotli (the orders and catalog exports: tens of MB,
 * compressed as they are written) at STREAM_BROTLI_QUALITY, not the plugin's
 * default of 4 (which it passes in `options`). No size hint: a stream's length is not known.
 */
function createBrotliCompress(options?: zlib.BrotliOptions): zlib.BrotliCompress {
  return zlib.createBrotliCompress({ ...options, params: { ...options?.params, [zlib.constants.BROTLI_PARAM_QUALITY]: STREAM_BROTLI_QUALITY } });
}

/**
 * For @fastify/compress's `zlib` option: the synchronous compressors it calls
 * for buffered answers, and brotli's stream constructor for streamed ones.
 * gzip and deflate streams, and decompression, fall back to node:zlib's
 * constructors (zlib's default level).
 */
export const answerCompressors = {
  brotliCompressSync: compressor('br'),
  gzipSync: compressor('gzip'),
  deflateSync: compressor('deflate'),
  createBrotliCompress,
};

/**
 * For @fastify/compress's `customTypes`: the types worth compressing. The plugin's own default
 * (index.js `defaultCompressibleTypes`: text/* but event streams, JSON, text and XML suffixes,
 * octet-stream) plus NDJSON, `application/x-ndjson` (https://github.com/ndjson/ndjson-spec), which
 * it misses: the orders export's NDJSON went out uncompressed to clients that asked for br.
 */
export const COMPRESSIBLE_TYPES = /^text\/(?!event-stream)|(?:\+|\/)(?:x-)?(?:nd)?json(?:;|$)|(?:\+|\/)text(?:;|$)|(?:\+|\/)xml(?:;|$)|octet-stream(?:;|$)/u;
