/**
 * Contract tests for the simulated BigCommerce store information
 * (`GET /v2/store`): the default currency a client labels catalog prices
 * with, and the same currency on every order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStore, type Store } from './bigcommerce-support.js';

let usd: Store;
let eur: Store;

beforeAll(async () => {
  [usd, eur] = await Promise.all([startStore({ parts: 50 }), startStore({ parts: 50, bigcommerce: { currency: 'EUR' } })]);
});
afterAll(async () => Promise.all([usd?.close(), eur?.close()]));

describe('GET /v2/store', () => {
  it("names the store's default currency, USD unless configured", async () => {
    const a = await usd.get('/v2/store');
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: 'sandbox', currency: 'USD', currency_symbol: '$', decimal_places: 2 });
    const b = await eur.get('/v2/store');
    expect(b.body).toMatchObject({ currency: 'EUR', currency_symbol: '€' });
  });

  it('is a store API call: X-Auth-Token required, quota headers on the answer', async () => {
    const refused = await eur.get('/v2/store', { 'X-Auth-Token': 'wrong' });
    expect(refused.status).toBe(401);
    const ok = await eur.get('/v2/store');
    expect(ok.headers.get('x-rate-limit-requests-left')).toMatch(/^\d+$/);
  });

  it("labels every order with the store's currency", async () => {
    const orders = await eur.get<Array<{ currency_code: string; default_currency_code: string; store_default_currency_code: string }>>('/v2/orders?limit=5');
    expect(orders.status).toBe(200);
    for (const o of orders.body) expect(o).toMatchObject({ currency_code: 'EUR', default_currency_code: 'EUR', store_default_currency_code: 'EUR' });
  });
});
