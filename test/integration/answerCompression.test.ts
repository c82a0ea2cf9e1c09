/**
 * Compression of GraphQL answers (issue 13, the cached path): an answer kept
 * in the whole-response cache is compressed once per encoding and that copy
 * is sent on every hit, as the client's Accept-Encoding asks; an answer that
 * executes is compressed as it is sent. Counted on node:zlib itself (spied on
 * before the gateway starts, so whatever calls it is seen), never timed.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { rawPost, type RawAnswer } from '../support/rawPost.js';

/** About 2 KiB of answer: over the 1 KiB threshold. */
const query = (ids: string[]) => JSON.stringify({ query: 'query P($ids: [ID!]!) { parts(ids: $ids) { id partNumber description price { amount } } }', variables: { ids } });
const IDS = Array.from({ length: 15 }, (_, i) => String(i + 1));

describe('answer compression', () => {
  let gw: TestGateway;
  const br = vi.spyOn(zlib, 'brotliCompressSync');
  const gzip = vi.spyOn(zlib, 'gzipSync');
  beforeAll(async () => {
    gw = await startGateway();
    // Warm the entity cache (and nothing else: another shape of query), so every answer below is computed from it.
    const warm = await gw.gql('query W($ids: [ID!]!) { parts(ids: $ids) { id } }', { ids: IDS });
    expect(warm.status).toBe(200);
  });
  afterAll(async () => {
    br.mockRestore();
    gzip.mockRestore();
    await gw?.close();
  });

  it('compresses a cached answer once per encoding, and sends that copy on every hit as each client asks', async () => {
    br.mockClear();
    gzip.mockClear();
    const body = query(IDS);
    const answers: RawAnswer[] = [];
    for (const encoding of ['br', 'br', 'gzip', 'br', 'gzip', 'identity']) {
      answers.push(await rawPost(gw.url, { 'x-api-key': gw.key, 'accept-encoding': encoding }, body));
    }
    const plain = answers[5]!;
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const text = plain.body.toString('utf8');
    expect((JSON.parse(text) as { data: { parts: unknown[] } }).data.parts).toHaveLength(IDS.length);
    for (const [i, a] of answers.slice(0, 5).entries()) {
      const encoding = a.headers['content-encoding'];
      expect(encoding, `answer ${i}`).toBe(i === 2 || i === 4 ? 'gzip' : 'br');
      expect(a.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(a.headers['content-length'])).toBe(a.body.length);
      const decoded = encoding === 'br' ? zlib.brotliDecompressSync(a.body) : zlib.gunzipSync(a.body);
      expect(decoded.toString('utf8')).toBe(text);
    }
    // The first answer executed and was not kept (a key's first ask, responseCache.ts); the second executed
    // and was stored, its br form kept; the rest were hits of that entry.
    expect(br).toHaveBeenCalledTimes(2);
    expect(gzip).toHaveBeenCalledTimes(1);
  });

  it('compresses every answer that executes (distinct variables), each a valid stream', async () => {
    br.mockClear();
    for (let i = 0; i < 3; i++) {
      const ids = IDS.slice(i, i + 12);
      const a = await rawPost(gw.url, { 'x-api-key': gw.key, 'accept-encoding': 'gzip, br' }, query(ids));
      expect(a.headers['content-encoding']).toBe('br');
      const parsed = JSON.parse(zlib.brotliDecompressSync(a.body).toString('utf8')) as { data: { parts: Array<{ id: string }> } };
      expect(parsed.data.parts).toHaveLength(12);
    }
    expect(br).toHaveBeenCalledTimes(3);
  });
});
