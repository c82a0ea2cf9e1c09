/**
 * Contract tests for the simulated BigCommerce v2 orders API: bare arrays,
 * 204 on empty results, money as four-decimal strings, RFC-2822 dates,
 * filters, sub-resources and status updates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectV2Error, startStore, type Store } from './bigcommerce-support.js';

const MONEY = /^-?\d+\.\d{4}$/;
const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const STATUS_NAMES: Record<number, string> = {
  0: 'Incomplete',
  1: 'Pending',
  2: 'Shipped',
  3: 'Partially Shipped',
  4: 'Refunded',
  5: 'Cancelled',
  6: 'Declined',
  7: 'Awaiting Payment',
  8: 'Awaiting Pickup',
  9: 'Awaiting Shipment',
  10: 'Completed',
  11: 'Awaiting Fulfillment',
  12: 'Manual Verification Required',
  13: 'Disputed',
  14: 'Partially Refunded',
};
const ORDERS = 60;

let s: Store;

beforeAll(async () => {
  s = await startStore({ parts: 500, seed: 5, bigcommerce: { orders: ORDERS } });
});
afterAll(async () => {
  await s?.close();
});

const cents = (money: string) => Math.round(Number(money) * 100);

describe('GET /v2/orders', () => {
  it('answers a bare array of 50 by default, ids ascending from 100, and the rest on page 2', async () => {
    const res = await s.get('/v2/orders');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((o: any) => o.id)).toEqual(Array.from({ length: 50 }, (_, n) => 100 + n));
    const page2 = await s.get('/v2/orders?page=2');
    expect(page2.body.map((o: any) => o.id)).toEqual(Array.from({ length: ORDERS - 50 }, (_, n) => 150 + n));
    const small = await s.get('/v2/orders?limit=5&page=3');
    expect(small.body.map((o: any) => o.id)).toEqual([110, 111, 112, 113, 114]);
  });

  it('uses the vendor field formats: money strings, RFC-2822 dates, status names, links', async () => {
    const [o] = (await s.get('/v2/orders?limit=1')).body;
    for (const key of ['subtotal_ex_tax', 'subtotal_inc_tax', 'total_ex_tax', 'total_inc_tax', 'shipping_cost_inc_tax']) {
      expect(o[key], key).toMatch(MONEY);
    }
    expect(o.date_created).toMatch(RFC2822);
    expect(o.date_modified).toMatch(RFC2822);
    expect(Date.parse(o.date_modified)).toBeGreaterThanOrEqual(Date.parse(o.date_created));
    expect(o.status).toBe(STATUS_NAMES[o.status_id]);
    expect(o.currency_code).toBe('USD');
    expect(typeof o.customer_id).toBe('number');
    expect(Object.keys(o.billing_address)).toEqual(
      expect.arrayContaining(['first_name', 'last_name', 'street_1', 'city', 'state', 'zip', 'country', 'email', 'phone']),
    );
    expect(o.products).toEqual({ url: `${s.api}/v2/orders/${o.id}/products`, resource: `/orders/${o.id}/products` });
    expect(o.shipping_addresses.resource).toBe(`/orders/${o.id}/shipping_addresses`);
    // The link is usable as given.
    const lines = await s.get(o.products.url);
    expect(lines.status).toBe(200);
    // Totals add up.
    const subtotal = lines.body.reduce((sum: number, l: any) => sum + cents(l.total_ex_tax), 0);
    expect(cents(o.subtotal_ex_tax)).toBe(subtotal);
    expect(cents(o.total_inc_tax)).toBe(cents(o.subtotal_inc_tax) + cents(o.shipping_cost_inc_tax));
    expect(o.items_total).toBe(lines.body.reduce((n: number, l: any) => n + l.quantity, 0));
  });

  it('seeds most orders Awaiting Fulfillment and some in other statuses', async () => {
    const all = [...(await s.get('/v2/orders?limit=250')).body];
    const awaiting = all.filter((o) => o.status_id === 11).length;
    expect(awaiting).toBeGreaterThan(ORDERS / 2);
    expect(awaiting).toBeLessThan(ORDERS);
  });

  it('filters by min_id, max_id and status_id, and sorts by id:desc', async () => {
    const range = await s.get('/v2/orders?min_id=120&max_id=124');
    expect(range.body.map((o: any) => o.id)).toEqual([120, 121, 122, 123, 124]);
    const awaiting = await s.get('/v2/orders?status_id=11&limit=250');
    expect(awaiting.body.length).toBeGreaterThan(0);
    expect(awaiting.body.every((o: any) => o.status_id === 11 && o.status === 'Awaiting Fulfillment')).toBe(true);
    const desc = await s.get('/v2/orders?sort=id:desc&limit=3');
    expect(desc.body.map((o: any) => o.id)).toEqual([100 + ORDERS - 1, 100 + ORDERS - 2, 100 + ORDERS - 3]);
  });

  it('answers 204 with an empty body when nothing matches', async () => {
    const res = await s.get(`/v2/orders?min_id=${100 + ORDERS}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const late = await s.get('/v2/orders?page=99');
    expect(late.status).toBe(204);
  });

  it('answers 400 with a v2 error for limit 251 or a bad filter', async () => {
    const limit = await s.get('/v2/orders?limit=251');
    expect(limit.status).toBe(400);
    expectV2Error(limit.body, 400);
    const bad = await s.get('/v2/orders?min_date_modified=yesterday-ish');
    expect(bad.status).toBe(400);
    expectV2Error(bad.body, 400);
  });

  it('counts orders by status', async () => {
    const res = await s.get('/v2/orders/count');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(ORDERS);
    expect(res.body.statuses.reduce((n: number, st: any) => n + st.count, 0)).toBe(ORDERS);
    const awaiting = res.body.statuses.find((st: any) => st.id === 11);
    expect(awaiting.name).toBe('Awaiting Fulfillment');
  });
});

describe('GET /v2/orders/{id} and sub-resources', () => {
  it('answers one order, and a v2 error array for an unknown one', async () => {
    const res = await s.get('/v2/orders/105');
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(105);
    const missing = await s.get('/v2/orders/99999');
    expect(missing.status).toBe(404);
    expectV2Error(missing.body, 404);
  });

  it('lists order products with 4-decimal money referencing present store products', async () => {
    const res = await s.get('/v2/orders/101/products');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    for (const line of res.body) {
      expect(line.order_id).toBe(101);
      for (const key of ['base_price', 'price_ex_tax', 'price_inc_tax', 'total_ex_tax', 'total_inc_tax']) {
        expect(line[key], key).toMatch(MONEY);
      }
      expect(cents(line.total_ex_tax)).toBe(cents(line.price_ex_tax) * line.quantity);
      const product = await s.get(`/v3/catalog/products/${line.product_id}`);
      expect(product.status).toBe(200);
      expect(product.body.data.sku).toBe(line.sku);
      expect(product.body.data.base_variant_id).toBe(line.variant_id);
    }
  });

  it('lists the shipping address', async () => {
    const res = await s.get('/v2/orders/102/shipping_addresses');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ order_id: 102, country_iso2: 'US' });
    expect(res.body[0].cost_inc_tax).toMatch(MONEY);
  });
});

describe('PUT /v2/orders/{id}', () => {
  it('updates the status and date_modified, visible to later reads and date filters', async () => {
    const before = (await s.get('/v2/orders/110')).body;
    const cutoff = new Date(Date.now() - 1000).toUTCString().replace('GMT', '+0000');
    const res = await s.call('PUT', '/v2/orders/110', { status_id: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 110, status_id: 2, status: 'Shipped' });
    expect(Date.parse(res.body.date_modified)).toBeGreaterThan(Date.parse(before.date_modified));
    expect((await s.get('/v2/orders/110')).body.status_id).toBe(2);
    const recent = await s.get(`/v2/orders?min_date_modified=${encodeURIComponent(cutoff)}`);
    expect(recent.body.map((o: any) => o.id)).toEqual([110]);
  });

  it('answers 400 for an unknown status and 404 for an unknown order', async () => {
    const bad = await s.call('PUT', '/v2/orders/111', { status_id: 99 });
    expect(bad.status).toBe(400);
    expectV2Error(bad.body, 400);
    const missing = await s.call('PUT', '/v2/orders/99999', { status_id: 2 });
    expect(missing.status).toBe(404);
    expectV2Error(missing.body, 404);
  });
});

/**
 * Order shipments (BigCommerce's Orders v2 reference, "Create Order Shipment":
 * `order_address_id` and `items: [{order_product_id, quantity}]` required,
 * `tracking_number` at most 50 characters; the order becomes Shipped once
 * every item has shipped, Partially Shipped before).
 */
describe('/v2/orders/{id}/shipments', () => {
  it('answers 204 while an order has none, then creates one (201) that is listed and read back', async () => {
    const id = 120;
    await s.call('PUT', `/v2/orders/${id}`, { status_id: 11 });
    expect((await s.get(`/v2/orders/${id}/shipments`)).status).toBe(204);
    const lines = (await s.get(`/v2/orders/${id}/products`)).body as Array<{ id: number; product_id: number; quantity: number; order_address_id: number }>;
    const address = (await s.get(`/v2/orders/${id}/shipping_addresses`)).body[0] as { id: number };
    const created = await s.call('POST', `/v2/orders/${id}/shipments`, {
      order_address_id: address.id,
      tracking_number: '1ZTEST0000000001',
      shipping_provider: '',
      comments: 'dropship',
      items: lines.map((l) => ({ order_product_id: l.id, quantity: l.quantity })),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ order_id: id, order_address_id: address.id, tracking_number: '1ZTEST0000000001', comments: 'dropship' });
    expect(created.body.id).toEqual(expect.any(Number));
    expect(created.body.date_created).toMatch(RFC2822);
    expect(created.body.items).toEqual(lines.map((l) => ({ order_product_id: l.id, product_id: l.product_id, quantity: l.quantity })));
    const listed = await s.get(`/v2/orders/${id}/shipments`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([created.body]);
    expect((await s.get(`/v2/orders/${id}/shipments/${created.body.id}`)).body).toEqual(created.body);
    // Every item shipped: the order is Shipped, with its shipped date and counts.
    const order = (await s.get(`/v2/orders/${id}`)).body;
    expect(order).toMatchObject({ status_id: 2, status: 'Shipped', items_shipped: order.items_total });
    expect(order.date_shipped).toMatch(RFC2822);
    const products = (await s.get(`/v2/orders/${id}/products`)).body as Array<{ quantity: number; quantity_shipped: number }>;
    for (const p of products) expect(p.quantity_shipped).toBe(p.quantity);
  });

  it('a shipment of some items leaves the order Partially Shipped', async () => {
    // An order with a line of more than one unit.
    let found: { id: number; line: { id: number; quantity: number } } | undefined;
    for (let id = 121; id < 160 && !found; id++) {
      const lines = (await s.get(`/v2/orders/${id}/products`)).body as Array<{ id: number; quantity: number }>;
      const line = lines.find((l) => l.quantity > 1);
      if (line) found = { id, line };
    }
    if (!found) throw new Error('no seeded order has a line of more than one unit');
    await s.call('PUT', `/v2/orders/${found.id}`, { status_id: 11 });
    const address = (await s.get(`/v2/orders/${found.id}/shipping_addresses`)).body[0] as { id: number };
    const created = await s.call('POST', `/v2/orders/${found.id}/shipments`, { order_address_id: address.id, items: [{ order_product_id: found.line.id, quantity: 1 }] });
    expect(created.status).toBe(201);
    expect((await s.get(`/v2/orders/${found.id}`)).body).toMatchObject({ status_id: 3, status: 'Partially Shipped' });
  });

  it('refuses a missing address or items, unknown lines, more than was ordered, a long tracking number, and an unknown order', async () => {
    const id = 130;
    await s.call('PUT', `/v2/orders/${id}`, { status_id: 11 });
    const lines = (await s.get(`/v2/orders/${id}/products`)).body as Array<{ id: number; quantity: number }>;
    const address = (await s.get(`/v2/orders/${id}/shipping_addresses`)).body[0] as { id: number };
    const line = lines[0] as { id: number; quantity: number };
    for (const body of [
      { items: [{ order_product_id: line.id, quantity: 1 }] },
      { order_address_id: address.id },
      { order_address_id: address.id + 999, items: [{ order_product_id: line.id, quantity: 1 }] },
      { order_address_id: address.id, items: [{ order_product_id: 1, quantity: 1 }] },
      { order_address_id: address.id, items: [{ order_product_id: line.id, quantity: line.quantity + 1 }] },
      { order_address_id: address.id, tracking_number: 'X'.repeat(51), items: [{ order_product_id: line.id, quantity: 1 }] },
    ]) {
      const res = await s.call('POST', `/v2/orders/${id}/shipments`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectV2Error(res.body, 400);
    }
    expect((await s.get(`/v2/orders/${id}/shipments`)).status).toBe(204);
    const missing = await s.call('POST', '/v2/orders/99999/shipments', { order_address_id: 1, items: [{ order_product_id: 1, quantity: 1 }] });
    expect(missing.status).toBe(404);
    expectV2Error(missing.body, 404);
    expect((await s.get(`/v2/orders/${id}/shipments/424242`)).status).toBe(404);
  });

  it('staff_notes written with PUT are read back', async () => {
    const res = await s.call('PUT', '/v2/orders/131', { staff_notes: 'routed\nsecond line' });
    expect(res.status).toBe(200);
    expect((await s.get('/v2/orders/131')).body.staff_notes).toBe('routed\nsecond line');
  });
});
