/**
 * UPSTREAM_MAX_BODY_BYTES through the real gateway and its sandbox: a
 * supplier answer larger than the limit is an UPSTREAM_ERROR for the field
 * that needed it (named upstream, no URL), and the gateway keeps serving.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  // A search page of 100 parts is tens of kilobytes; one part is well under 4 KiB.
  gw = await startGateway({ UPSTREAM_MAX_BODY_BYTES: '4096' }, { parts: 200 });
});
afterAll(async () => gw?.close());

it('answers UPSTREAM_ERROR for a supplier answer over the limit, and still serves small ones', async () => {
  const big = await gw.gql(`{ searchParts(first: 100) { totalCount edges { node { partNumber } } } }`);
  expect(big.status).toBe(200);
  expect(big.body.data).toBeNull();
  const error = big.body.errors?.[0];
  expect(error?.extensions?.code).toBe('UPSTREAM_ERROR');
  expect(error?.extensions?.upstream).toBe('finditparts');
  expect(error?.message).toMatch(/4096/);
  expect(error?.message).not.toMatch(/127\.0\.0\.1|http:/);

  const small = await gw.gql(`{ part(id: "7") { supplierId } }`);
  expect(small.body.errors).toBeUndefined();
  expect(small.body.data).toEqual({ part: { supplierId: '7' } });
});
