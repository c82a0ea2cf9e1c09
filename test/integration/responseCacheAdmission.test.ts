/**
 * The whole-response cache's doorkeeper over HTTP (src/cache/responseCache.ts,
 * `RESPONSE_CACHE_ADMIT`): by default a query's answer is kept on its second
 * ask and served from the cache from the third, so one-off variable sets are
 * answered without an entry; `first-ask` keeps every answer. Read from the
 * gateway's own counters, never from timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const QUERY = `query($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount } } }`;

async function responseCacheCounts(gw: TestGateway): Promise<Record<string, number>> {
  const res = await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': gw.key } });
  expect(res.status).toBe(200);
  const out: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^crossdock_response_cache_total\{result="(\w+)"\} (\d+)$/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

describe.each([
  ['second-ask (the default)', {}, ['first_ask', 'store', 'hit']],
  ['first-ask', { RESPONSE_CACHE_ADMIT: 'first-ask' }, ['store', 'hit', 'hit']],
] as const)('response cache admission: %s', (_name, env, expected) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ ...env });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers the same data each time, and keeps it when the admission says so', async () => {
    const seen: string[] = [];
    let first: unknown;
    for (let i = 0; i < 3; i++) {
      const before = await responseCacheCounts(gw);
      const res = await gw.gql(QUERY, { ids: ['1', '2', '3'] });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      if (i === 0) first = res.body.data;
      else expect(res.body.data).toEqual(first);
      const after = await responseCacheCounts(gw);
      const moved = Object.keys(after).filter((k) => (after[k] ?? 0) > (before[k] ?? 0));
      expect(moved, `request ${i + 1}`).toHaveLength(1);
      seen.push(moved[0] as string);
    }
    expect(seen).toEqual(expected);
  });
});

it('refuses an admission it does not know, at start (config.ts validates once)', async () => {
  await expect(startGateway({ RESPONSE_CACHE_ADMIT: 'always' })).rejects.toThrow(/RESPONSE_CACHE_ADMIT/);
});
