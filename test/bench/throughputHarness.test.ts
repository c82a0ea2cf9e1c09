/**
 * The throughput scenario's own parts, each of which a figure depends on:
 * distinct bodies really are distinct (or the "distinct" row would be served
 * by the response cache), answers are compared field by field (or a peer
 * answering other data would be measured), Crossdock's counters are read
 * right, and RSS is sampled from /proc.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../bench/lib/load.js';
import { sampleRss } from '../../bench/lib/rssSampler.js';
import { differences, rowsFromCrossdock, rowsFromPeer } from '../../bench/throughput/partAnswers.js';
import { parseSamples, sumOf } from '../../bench/throughput/promCounters.js';
import { crossdockBody, firstIds, randomIdSets } from '../../bench/throughput/workload.js';

describe('randomIdSets', () => {
  it('draws sets of distinct ids inside the warm range, and no set twice in 20,000 draws', () => {
    const sets = randomIdSets({ range: 1000, size: 20, seed: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const ids = sets.next();
      expect(new Set(ids).size).toBe(20);
      for (const id of ids) expect(Number(id) >= 1 && Number(id) <= 1000).toBe(true);
      seen.add([...ids].sort().join(','));
    }
    expect(seen.size).toBe(20_000);
  });

  it('replays the same sequence for the same seed, another for another seed', () => {
    const a = randomIdSets({ range: 1000, size: 20, seed: 5 });
    const b = randomIdSets({ range: 1000, size: 20, seed: 5 });
    const c = randomIdSets({ range: 1000, size: 20, seed: 6 });
    const first = a.next();
    expect(b.next()).toEqual(first);
    expect(c.next()).not.toEqual(first);
  });

  it('refuses a set larger than its range', () => {
    expect(() => randomIdSets({ range: 10, size: 20, seed: 1 })).toThrow(/size/);
  });
});

describe('load with nextBody', () => {
  let server: Server;
  let url = '';
  const bodies: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(b);
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a fresh body with every request, as the distinct-set workload needs', async () => {
    const sets = randomIdSets({ range: 1000, size: 20, seed: 3 });
    const r = await load(
      { url, body: crossdockBody(firstIds(20)), headers: { 'content-type': 'application/json' }, nextBody: () => crossdockBody(sets.next()) },
      { connections: 2, seconds: 1 },
    );
    expect(r.requests).toBeGreaterThan(50);
    expect(r.non2xx + r.errors).toBe(0);
    // Every body the server got parses as a 20-id query, and no two are the same.
    for (const b of bodies) expect((JSON.parse(b) as { variables: { ids: string[] } }).variables.ids).toHaveLength(20);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(r.sent).toBeGreaterThanOrEqual(r.requests);
  });
});

describe('answers compared', () => {
  const crossdock = {
    data: {
      parts: [
        { id: 'UGFydDox', partNumber: 'DM-1242486', price: { amount: '152.08' }, storeProduct: null },
        { id: 'UGFydDoy', partNumber: 'BX-1250405', price: { amount: '61.74' }, storeProduct: { sku: 'BX-1250405', price: { amount: '61.74' } } },
      ],
    },
  };
  const peer = (storePrice: number, preferred = 21) => ({
    data: {
      FIP_api_v1_products_by_ids_multi: {
        products: [
          { id: 1, part_number: 'DM-1242486', preferred_variant_id: 11, variants: [{ variant_id: 11, price: '152.08' }], storeProduct: null },
          { id: 2, part_number: 'BX-1250405', preferred_variant_id: preferred, variants: [{ variant_id: 21, price: '61.74' }, { variant_id: 22, price: '70.00' }], storeProduct: { sku: 'BX-1250405', price: storePrice } },
        ],
      },
    },
  });

  it('agree when part numbers, preferred-variant prices and store products match (money as decimals)', () => {
    expect(differences(rowsFromCrossdock(crossdock), rowsFromPeer(peer(61.74)))).toEqual([]);
  });

  it('name every field that differs', () => {
    expect(differences(rowsFromCrossdock(crossdock), rowsFromPeer(peer(61.75, 22)))).toEqual([
      'part 2 (BX-1250405): price "61.74" expected, "70.00" answered',
      'part 2 (BX-1250405): storePrice "61.74" expected, "61.75" answered',
    ]);
  });

  it('refuse an answer with errors instead of comparing its data', () => {
    expect(() => rowsFromPeer({ errors: [{ message: 'Unexpected error.' }], data: null })).toThrow(/errors/);
  });
});

describe('Prometheus counters', () => {
  const text = [
    '# HELP crossdock_response_cache_total Whole-response cache lookups by result: hit; store (executed and kept); first_ask (executed, kept only once asked again); skip (not cacheable).',
    '# TYPE crossdock_response_cache_total counter',
    'crossdock_response_cache_total{result="store"} 20',
    'crossdock_response_cache_total{result="hit"} 1500',
    'crossdock_cache_requests_total{kind="part",result="miss"} 4',
    'crossdock_cache_requests_total{kind="productBySku",result="miss"} 6',
    'crossdock_cache_requests_total{kind="part",result="hit"} 40',
  ].join('\n');

  it('sums the samples whose labels match', () => {
    const s = parseSamples(text);
    expect(sumOf(s, 'crossdock_response_cache_total', { result: 'hit' })).toBe(1500);
    expect(sumOf(s, 'crossdock_cache_requests_total', { result: 'miss' })).toBe(10);
    expect(sumOf(s, 'crossdock_cache_requests_total')).toBe(50);
    expect(sumOf(s, 'crossdock_response_cache_total', { result: 'skip' })).toBe(0);
    expect(sumOf(s, 'absent_total')).toBeUndefined();
  });
});

describe('sampleRss', () => {
  it('reads VmRSS from /proc and keeps the largest sample', async () => {
    const sampler = sampleRss(process.pid, 20);
    const ballast = Buffer.alloc(64 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 100));
    const seen = await sampler.stop();
    expect(ballast.length).toBe(64 * 1024 * 1024);
    expect(seen.samples).toBeGreaterThan(1);
    expect(seen.maxBytes).toBeGreaterThanOrEqual(seen.lastBytes);
    expect(seen.maxBytes).toBeGreaterThan(64 * 1024 * 1024);
  });
});
