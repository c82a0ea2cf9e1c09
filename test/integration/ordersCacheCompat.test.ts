/**
 * The old orders-cache server's six endpoints under /compat/orders-cache
 * (issue 14, acceptance 4), answered from the Shopify mirror by the real
 * gateway against the Shopify twin: health with no key, the key required
 * elsewhere, 503 "No cached data" while empty, 202 triggered / already in
 * progress, fetch-data with every order, fetch-data?refresh=true, and the
 * SSE `cached` → `updated` → `done` sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const ORDERS = 300;
const OPERATOR = 'compat-operator-key-aaaaaaaaaaaa';
const VIEWER = 'compat-viewer-key-bbbbbbbbbbbbbb';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway(
    { CROSSDOCK_API_KEYS: `legacy:operator:${OPERATOR},reader:viewer:${VIEWER}`, ORDER_MIRROR_POLL_MS: '100' },
    // A slow bulk export, so a refresh is still running when the second one is asked for.
    { parts: 100, shopify: { orders: ORDERS, bulkStartDelayMs: 50, bulkObjectsPerSecond: 400 } },
  );
}, 60_000);
afterAll(async () => gw?.close());

const url = (path: string) => `${gw.url}/compat/orders-cache${path}`;
const get = (path: string, key: string | null = OPERATOR) => fetch(url(path), { headers: key ? { 'x-api-key': key } : {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitIdle() {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const s = (await (await get('/status')).json()) as { is_refreshing: boolean };
    if (!s.is_refreshing) return;
    if (Date.now() > deadline) throw new Error('the refresh did not end');
    await sleep(100);
  }
}

/** Reads an event stream to its end: each event's name and parsed data. */
async function events(res: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}

describe('the orders cache drop-in', () => {
  it('GET /health answers with no key; every other endpoint wants one', async () => {
    const health = await get('/health', null);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    expect((await get('/status', null)).status).toBe(401);
    expect((await get('/fetch-data', null)).status).toBe(401);
    expect((await get('/status', 'not-a-key-at-all-xxxxxxxx')).status).toBe(401);
  });

  it('while empty: status says so, fetch-data is 503 "No cached data"', async () => {
    const status = await get('/status');
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ has_data: false, record_count: 0, last_updated: null, is_refreshing: false });
    const fetched = await get('/fetch-data');
    expect(fetched.status).toBe(503);
    expect(await fetched.json()).toEqual({ error: 'No cached data' });
  });

  it('POST /refresh is 202 triggered, then 202 already in progress while it runs; a viewer key may not', async () => {
    expect((await fetch(url('/refresh'), { method: 'POST', headers: { 'x-api-key': VIEWER } })).status).toBe(403);
    const first = await fetch(url('/refresh'), { method: 'POST', headers: { 'x-api-key': OPERATOR } });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'triggered' });
    const second = await fetch(url('/refresh'), { method: 'POST', headers: { 'x-api-key': OPERATOR } });
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ status: 'already in progress' });
    await waitIdle();
    expect(await (await get('/status')).json()).toMatchObject({ has_data: true, record_count: ORDERS, is_refreshing: false, last_error: null });
  }, 60_000);

  it('GET /fetch-data returns every order; ?refresh=true the same at once with a refresh started', async () => {
    const res = await get('/fetch-data');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { record_count: number; last_updated: string; data: Array<Record<string, unknown>> };
    expect(body.record_count).toBe(ORDERS);
    expect(body.data).toHaveLength(ORDERS);
    expect(body.last_updated).not.toBeNull();
    expect(body.data[0]).toMatchObject({ id: expect.stringMatching(/^gid:\/\/shopify\/Order\//), currency: 'USD' });
    expect(new Set(body.data.map((o) => o.id)).size).toBe(ORDERS);
    const refreshed = await get('/fetch-data?refresh=true');
    expect(refreshed.status).toBe(200);
    const again = (await refreshed.json()) as { refresh: string; data: unknown[] };
    expect(again.refresh).toBe('triggered');
    expect(again.data).toHaveLength(ORDERS);
    await waitIdle();
  }, 60_000);

  it('GET /fetch-data?stream=true&refresh=true sends cached at once, updated when the refresh ends, then done', async () => {
    await fetch(`${gw.shopifyUrl}/__sandbox/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ create: 2, webhooks: false }) });
    const res = await get('/fetch-data?stream=true&refresh=true');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const got = await events(res);
    expect(got.map((e) => e.event)).toEqual(['cached', 'updated', 'done']);
    expect(got[0]?.data).toMatchObject({ record_count: ORDERS, refresh: 'triggered' });
    expect(got[0]?.data.data).toHaveLength(ORDERS);
    // The refresh read the two orders made without webhooks: the updated event has them.
    expect(got[1]?.data.record_count).toBe(ORDERS + 2);
    expect(got[1]?.data.data).toHaveLength(ORDERS + 2);
  }, 60_000);
});
