/**
 * The sandbox's admin route that changes a part's fitments at run time
 * (`POST /__sandbox/parts/{partNumber}/fitments`), so a test can change what
 * the supplier says a part fits and see a sync carry it to the store. The
 * change shows in every read of the part and in the fitment search; a data
 * reset drops it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, startSandbox } from '../support/sandbox.js';

type Json = any;
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ parts: 300, finditparts: { ratePerSecond: 100_000, burst: 100_000, perMinute: 10_000_000 } });
});
afterAll(async () => sb?.close());

async function get(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sb.finditparts.apiBase}${path}`, { headers: { 'x-api-key': sb.options.finditparts.apiKey } });
  return { status: res.status, body: await res.json() };
}

async function setFitments(partNumber: string, fitments: unknown) {
  const res = await fetch(`${sb.finditparts.url}/__sandbox/parts/${encodeURIComponent(partNumber)}/fitments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fitments }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

it('replaces a part fitments in every read and in the fitment search until a data reset', async () => {
  const part = (await get('/products/7')).body.product;
  const vehicle = { year: 2003, make: 'Mack', model: 'Granite' };
  // 2003 is outside the generated years, so only this part can match it.
  const before = await get('/products?fitment_year=2003&fitment_make=mack&fitment_model=granite');
  expect(before.body.pagination.total_count).toBe(0);

  const set = await setFitments(part.part_number, [vehicle]);
  expect(set.status).toBe(200);
  expect(set.body.product.fitments).toEqual([vehicle]);
  expect((await get('/products/7')).body.product.fitments).toEqual([vehicle]);
  expect((await get(`/products/lookup?part_number=${part.part_number}`)).body.product.fitments).toEqual([vehicle]);
  expect((await get('/products/6,7/multi')).body.products.find((p: Json) => p.id === 7).fitments).toEqual([vehicle]);
  const found = await get('/products?fitment_year=2003&fitment_make=mack&fitment_model=granite');
  expect(found.body.products.map((p: Json) => p.id)).toEqual([7]);

  await resetSandbox(sb.finditparts.url, true);
  expect((await get('/products/7')).body.product.fitments).toEqual(part.fitments);
  expect((await get('/products?fitment_year=2003&fitment_make=mack&fitment_model=granite')).body.pagination.total_count).toBe(0);
});

it('refuses an unknown part and a malformed body', async () => {
  expect((await setFitments('ZZ-0000000', [])).status).toBe(404);
  expect((await setFitments((await get('/products/8')).body.product.part_number, [{ year: 'x' }])).status).toBe(400);
});
