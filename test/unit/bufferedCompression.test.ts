/**
 * Buffered answers (every GraphQL answer that is not streamed) are brotli at
 * quality 1, told the answer's size (src/server/compression.ts,
 * ANSWER_BROTLI_QUALITY: the one-pass compressor, measured there): the bytes
 * sent are exactly what node:zlib gives at those settings, not quality 3's
 * nor the plugin's default of 4, and they decode to the answer. Through the
 * hardening plugins with Fastify's inject (no socket).
 */
import zlib from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerHardening } from '../../src/server/hardening.js';

/** About 6 KB of JSON: over the 1 KiB threshold, the size of a page of parts. */
const answer = JSON.stringify({
  data: { parts: Array.from({ length: 50 }, (_, i) => ({ id: `UGFydDo${i}`, partNumber: `FIP-${String(i * 37).padStart(6, '0')}`, price: { amount: ((i * 7.31) % 500).toFixed(2) } })) },
});

const brotliAt = (quality: number, input: Buffer) =>
  zlib.brotliCompressSync(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length } });

describe('buffered answers', () => {
  it('are brotli at quality 1 with the size hint, as a browser asking gzip, br gets them', async () => {
    const app = Fastify();
    await registerHardening(app);
    app.post('/graphql', (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(answer));
    const res = await app.inject({ method: 'POST', url: '/graphql', headers: { 'accept-encoding': 'gzip, br', 'content-type': 'application/json' }, payload: '{}' });
    await app.close();
    expect(res.headers['content-encoding']).toBe('br');
    const body = res.rawPayload;
    expect(zlib.brotliDecompressSync(body).toString('utf8')).toBe(answer);
    const input = Buffer.from(answer, 'utf8');
    const [one, three, four] = [brotliAt(1, input), brotliAt(3, input), brotliAt(4, input)];
    expect(one.equals(three) || one.equals(four)).toBe(false);
    expect(body.equals(one)).toBe(true);
  });
});
