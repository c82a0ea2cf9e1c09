/**
 * Supplier outage: cached parts are served stale (marked, no error), an
 * uncached part is null with UPSTREAM_UNAVAILABLE, the breaker opens, and it
 * closes again by itself once the faults are cleared.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setFaults } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway(
    {
      CACHE_TTL_PART_SECONDS: '1',
      CACHE_TTL_PRICE_SECONDS: '1',
      CACHE_TTL_STOCK_SECONDS: '1',
      CACHE_SWR_SECONDS: '0',
      RETRY_DELAY_SCALE: '0.01',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_COOLDOWN_MS: '800',
    },
    { parts: 200 },
  );
});
afterAll(async () => gw?.close());

const PARTS = `{ parts(ids: ["1", "2", "3"]) { supplierId partNumber price { amount } supplierStock } }`;
const breakerOf = async (name: string) => {
  const res = await gw.gql(`{ upstreams { name breaker } }`);
  return (res.body.data?.upstreams as Array<{ name: string; breaker: string }>).find((u) => u.name === name)?.breaker;
};

it('serves stale, fails uncached parts with a code, opens and recloses the breaker', async () => {
  const fresh = await gw.gql(PARTS);
  expect(fresh.body.errors).toBeUndefined();
  expect(fresh.body.extensions?.stale).toBeUndefined();

  await new Promise((r) => setTimeout(r, 1_100)); // past every TTL
  await setFaults(gw.fipUrl, { errorRates: { '503': 1 } });

  const stale = await gw.gql(PARTS);
  expect(stale.status).toBe(200);
  expect(stale.body.errors).toBeUndefined();
  expect(stale.body.data).toEqual(fresh.body.data);
  expect(stale.body.extensions?.stale).toBe(true);

  const uncached = await gw.gql(`{ part(id: "150") { partNumber } }`);
  expect(uncached.body.data).toEqual({ part: null });
  expect(uncached.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  expect(uncached.body.errors?.[0]?.message).not.toMatch(/127\.0\.0\.1|http:|sandbox-/);

  expect(await breakerOf('finditparts')).toBe('OPEN');
  const ready = await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': gw.key } });
  expect(((await ready.json()) as { status: string }).status).toBe('degraded');

  await setFaults(gw.fipUrl, {});
  await new Promise((r) => setTimeout(r, 900)); // past the cooldown: the next call probes
  const recovered = await gw.gql(`{ part(id: "150") { supplierId } }`);
  expect(recovered.body.errors).toBeUndefined();
  expect(recovered.body.data).toEqual({ part: { supplierId: '150' } });
  expect(await breakerOf('finditparts')).toBe('CLOSED');

  const freshAgain = await gw.gql(PARTS);
  expect(freshAgain.body.extensions?.stale).toBeUndefined();
});
