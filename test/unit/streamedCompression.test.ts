/**
 * Streamed answers (the orders and catalog exports) are compressed with
 * brotli at STREAM_BROTLI_QUALITY (src/server/compression.ts), not
 * @fastify/compress's own default of 4 for streams. The answer is a
 * stream of CSV-like chunks through the hardening plugins (Fastify's inject,
 * no socket); its bytes are what node:zlib gives for the same chunks at
 * STREAM_BROTLI_QUALITY, and they decode to the text.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { STREAM_BROTLI_QUALITY } from '../../src/server/compression.js';
import { registerHardening } from '../../src/server/hardening.js';

const chunks = Array.from({ length: 40 }, (_, c) =>
  Array.from({ length: 200 }, (_, i) => `gid://shopify/Order/${5_600_000_000_000 + c * 200 + i},#${1000 + c * 200 + i},2024-06-01T00:${String(i % 60).padStart(2, '0')}:00.000Z,OPEN,PAID,USD,${(i * 7.31).toFixed(2)},SKU-${(i * 7919) % 10_000}×${(i % 5) + 1}\n`).join(''),
);

async function brotliOf(parts: readonly string[], quality: number): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality } }),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('streamed answers', () => {
  it('are compressed with brotli at STREAM_BROTLI_QUALITY, not the plugin default of 4', async () => {
    const app = Fastify();
    await registerHardening(app);
    app.get('/stream', (_request, reply) => reply.header('content-type', 'text/csv; charset=utf-8').send(Readable.from(chunks, { highWaterMark: 1 })));
    const res = await app.inject({ method: 'GET', url: '/stream', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    await app.close();
    expect(res.headers['content-encoding']).toBe('br');
    const body = res.rawPayload;
    expect(zlib.brotliDecompressSync(body).toString('utf8')).toBe(chunks.join(''));
    const [atQuality, atFour] = await Promise.all([brotliOf(chunks, STREAM_BROTLI_QUALITY), brotliOf(chunks, 4)]);
    expect(atQuality.equals(atFour)).toBe(false);
    expect(body.equals(atQuality)).toBe(true);
  });
});
