/**
 * The orders mirror exported as NDJSON and CSV (GET /export/orders), by the
 * real gateway after a FULL refresh from the Shopify twin: every order once,
 * with its line items, in the listing order; a filter narrows it to what the
 * graph counts for the same filter; the CSV is well-formed (parsed back by
 * csv-parse); bad filters are 400 BAD_USER_INPUT, a viewer key 403.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { ORDER_CSV_COLUMNS } from '../../src/server/orderExport.js';

const ORDERS = 800;
const VIEWER = 'export-viewer-key-bbbbbbbbbbbbbbb';

let gw: TestGateway;
let lineItems = 0;
beforeAll(async () => {
  gw = await startGateway({ ORDER_MIRROR_POLL_MS: '100', CROSSDOCK_API_KEYS: `ops:admin:export-admin-key-aaaaaaaaaaaaa,reader:viewer:${VIEWER}` }, { parts: 100, shopify: { orders: ORDERS, bulkStartDelayMs: 50 } });
  const started = await gw.gql(`mutation { refreshOrderMirror(input: { channel: SHOPIFY, mode: FULL }) { job { id } } }`);
  const id = (started.body.data as any).refreshOrderMirror.job.id;
  const deadline = Date.now() + 40_000;
  for (;;) {
    const s = ((await gw.gql(`query($id: ID!) { syncJob(id: $id) { status } }`, { id })).body.data as any).syncJob.status;
    if (s === 'SUCCEEDED') break;
    if (s === 'FAILED' || Date.now() > deadline) throw new Error(`the backfill ended ${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  lineItems = ((await (await fetch(`${gw.shopifyUrl}/__sandbox/orders`)).json()) as { lineItems: number }).lineItems;
}, 60_000);
afterAll(async () => gw?.close());

const exportOf = (query: string, key = gw.key) => fetch(`${gw.url}/export/orders${query}`, { headers: { 'x-api-key': key } });

describe('the orders export', () => {
  it('streams every order once as NDJSON, with its line items, oldest first', async () => {
    const res = await exportOf('?format=ndjson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="orders-shopify-.*\.ndjson"/);
    const records = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(ORDERS);
    expect(new Set(records.map((r) => r.id)).size).toBe(ORDERS);
    expect(records.reduce((n, r) => n + r.line_items.length, 0)).toBe(lineItems);
    const created = records.map((r) => r.created_at);
    expect([...created].sort()).toEqual(created);
    expect(records[0]).toMatchObject({ currency: 'USD', total: expect.stringMatching(/^\d+(\.\d+)?$/) });
  });

  it('streams CSV that parses back: a header and one row per order', async () => {
    const res = await exportOf('?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(ORDERS);
    expect(Object.keys(rows[0] ?? {})).toEqual([...ORDER_CSV_COLUMNS]);
    expect(rows.every((r) => r.id?.startsWith('gid://shopify/Order/'))).toBe(true);
  });

  it.each([
    ['csv', ORDERS + 1],
    ['ndjson', ORDERS],
  ])('compresses %s as the client asks (br, gzip, deflate, none), each decoding to the same export', async (format, lines) => {
    const bodies = new Map<string, string>();
    for (const encoding of ['br', 'gzip', 'deflate', 'identity']) {
      const res = await fetch(`${gw.url}/export/orders?format=${format}`, { headers: { 'x-api-key': gw.key, 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding === 'identity' ? null : encoding);
      bodies.set(encoding, await res.text());
    }
    const plain = bodies.get('identity') ?? '';
    expect(plain.split('\n').filter(Boolean)).toHaveLength(lines);
    for (const body of bodies.values()) expect(body).toBe(plain);
  });

  it('narrows to a filter, as the graph counts it', async () => {
    const graph = ((await gw.gql(`{ orders(filter: { channel: SHOPIFY, financialStatus: ["PAID"], status: [OPEN] }, first: 1) { totalCount } }`)).body.data as any).orders.totalCount as number;
    const res = await exportOf('?format=ndjson&financialStatus=PAID&status=OPEN');
    const records = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(graph).toBeGreaterThan(0);
    expect(records).toHaveLength(graph);
    expect(records.every((r) => r.financial_status === 'PAID' && r.status === 'OPEN')).toBe(true);
  });

  it('refuses a bad filter (400), an unknown format or channel (400) and a viewer key (403)', async () => {
    for (const q of ['?financialStatus=RICH', '?createdSince=yesterday', '?customerEmail=nobody', '?format=xml', '?channel=AMAZON', '?channel=BIGCOMMERCE', '?sku=a&sku=b']) {
      const res = await exportOf(q);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as any).errors[0].extensions.code, q).toBe('BAD_USER_INPUT');
    }
    expect((await exportOf('?format=csv', VIEWER)).status).toBe(403);
  });
});
