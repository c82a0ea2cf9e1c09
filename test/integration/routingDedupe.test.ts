/**
 * Dropship routing dedupes by store order for good, in both record stores
 * (SQLite embedded, and PostgreSQL + Redis on a real PostgreSQL and redis-server): routing the same
 * store orders again with the gateway's clock 25 h later — past the
 * idempotency keys' 24 h — places no second supplier order and fails none.
 * The clock is injected (GatewayOptions.clock), nothing sleeps a day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';

const scaleOut = redisServerAvailable() && postgresServerAvailable();
let redis: RedisServer | undefined;
let postgres: PostgresServer | undefined;
beforeAll(async () => {
  if (scaleOut) [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([redis?.destroy(), postgres?.destroy()]);
});

const HOUR = 3_600_000;
const FIRST_STORE_ORDER = 100;
const STORE_ORDERS = 50;

async function setStoreStatus(gw: TestGateway, id: number, statusId: number): Promise<void> {
  const r = await fetch(`${gw.bcUrl}/stores/sandbox/v2/orders/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-auth-token': 'sandbox-token' },
    body: JSON.stringify({ status_id: statusId }),
  });
  if (r.status !== 200) throw new Error(`store order ${id}: HTTP ${r.status}`);
}

async function route(gw: TestGateway) {
  const started = await gw.gql(`mutation { startSync(input: { kind: ORDER_ROUTING }) { job { id } } }`);
  const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { processed created unchanged failed } failures(first: 3) { nodes { code message } } } }`, { id });
    const job = s.body.data?.syncJob as { status: string; progress: { processed: number; created: number; unchanged: number; failed: number }; failures: unknown };
    if (job.status !== 'QUEUED' && job.status !== 'RUNNING') return job;
    if (Date.now() > deadline) throw new Error(`routing job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Until every routed store order shows Shipped (BigCommerce status 2): the supplier's orders are
 * pinned shipped on the sandbox (its admin route; left alone it ships them 10 s after they were
 * placed, src/sandbox/finditparts/orders.ts), the poller sees it and the write-back adds the
 * shipment. Until then each supplier status change is written back on its own clock, and one
 * written after the merchant sets the orders back below would move them on again.
 */
async function waitForLifecycleEnd(gw: TestGateway, ids: number[]): Promise<void> {
  const placed = await gw.gql(`{ supplierOrders(first: ${ids.length}) { edges { node { supplierOrderId } } } }`);
  const supplierIds = (placed.body.data?.supplierOrders as { edges: Array<{ node: { supplierOrderId: string | null } }> }).edges.map((e) => e.node.supplierOrderId);
  expect(supplierIds.filter(Boolean)).toHaveLength(ids.length);
  for (const id of supplierIds) {
    const res = await fetch(`${gw.fipUrl}/__sandbox/orders/${id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'shipped' }) });
    expect(res.status).toBe(200);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const statuses = await Promise.all(
      ids.map(async (id) => ((await (await fetch(`${gw.bcUrl}/stores/sandbox/v2/orders/${id}`, { headers: { accept: 'application/json', 'x-auth-token': 'sandbox-token' } })).json()) as { status_id: number }).status_id),
    );
    if (statuses.every((s) => s === 2)) return;
    if (Date.now() > deadline) throw new Error(`the store orders were not all shipped and written back within 60 s: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForSent(gw: TestGateway, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await gw.gql(`{ supplierOrders(first: 1, filter: { status: [SUBMITTED, PROCESSING, SHIPPED] }) { totalCount } }`);
    if ((r.body.data?.supplierOrders as { totalCount: number }).totalCount >= count) return;
    if (Date.now() > deadline) throw new Error('supplier orders were not sent within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const modes: Array<[string, () => Promise<Record<string, string>>]> = [
  ['SQLite (embedded)', async () => ({})],
  ['PostgreSQL + Redis', async () => ({ REDIS_URL: redis?.url ?? '', REDIS_KEY_PREFIX: `routing${Date.now()}:`, DATABASE_URL: (await postgres?.createDatabase()) ?? '' })],
];

for (const [mode, env] of modes) {
  describe.skipIf(mode !== 'SQLite (embedded)' && !scaleOut)(`routing again 25 h later (${mode})`, () => {
    let gw: TestGateway;
    let offsetMs = 0;
    beforeAll(async () => {
      gw = await startGateway(
        { ...(await env()), ORDER_PLACE_WAIT_MS: '0', ORDER_RETRY_STEP_MS: '100', ORDER_POLL_INTERVAL_MS: '300' },
        { parts: 300, finditparts: { ratePerSecond: 1_000, burst: 1_000, perMinute: 60_000 }, bigcommerce: { quota: 5_000 } },
        { clock: () => Date.now() + offsetMs },
      );
    });
    afterAll(async () => gw?.close());

    it('places zero new supplier orders and fails none', async () => {
      for (let id = FIRST_STORE_ORDER; id < FIRST_STORE_ORDER + STORE_ORDERS; id++) await setStoreStatus(gw, id, 11);
      const first = await route(gw);
      expect(first).toMatchObject({ status: 'SUCCEEDED', progress: { processed: STORE_ORDERS, created: STORE_ORDERS, failed: 0 } });
      await waitForSent(gw, STORE_ORDERS);
      const placed = (await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'];
      expect(placed).toBe(STORE_ORDERS);
      // The first orders' lifecycle (and its write-back) is over before the merchant sets the store
      // orders back below; a write-back still to come would move some on again, unseen by the second run.
      await waitForLifecycleEnd(gw, Array.from({ length: STORE_ORDERS }, (_, i) => FIRST_STORE_ORDER + i));

      // A day and an hour later every idempotency key has expired. The store orders are (again)
      // awaiting fulfillment — as a merchant may set them, or as a write-back that failed left them.
      offsetMs = 25 * HOUR;
      for (let id = FIRST_STORE_ORDER; id < FIRST_STORE_ORDER + STORE_ORDERS; id++) await setStoreStatus(gw, id, 11);
      const second = await route(gw);
      expect(second).toMatchObject({ status: 'SUCCEEDED', progress: { processed: STORE_ORDERS, created: 0, unchanged: STORE_ORDERS, failed: 0 } });
      // Give the outbox a few ticks: nothing new to send.
      await new Promise((r) => setTimeout(r, 500));
      expect((await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order']).toBe(STORE_ORDERS);
      const total = await gw.gql(`{ supplierOrders(first: 1) { totalCount } }`);
      expect(total.body.data).toEqual({ supplierOrders: { totalCount: STORE_ORDERS } });
      const one = await gw.gql(`{ order(id: "${FIRST_STORE_ORDER}") { supplierOrders { storeOrderId } } }`);
      expect((one.body.data?.order as { supplierOrders: unknown[] }).supplierOrders).toHaveLength(1);
    }, 120_000);

    it('placeSupplierOrder: the same key 25 h later answers the order it placed; other input under it is KEY_REUSED', async () => {
      const parts = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
      const edges = (parts.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
      const partId = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)?.node.supplierId;
      const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { replayed order { id } } } }`;
      const input = { idempotencyKey: 'day-later-1', lines: [{ partId, quantity: 1 }] };
      const first = (await gw.gql(PLACE, { in: input })).body.data?.placeSupplierOrder as { replayed: boolean; order: { id: string } };
      expect(first.replayed).toBe(false);
      for (let i = 0; ; i++) {
        const r = await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status } }`, { id: first.order.id });
        if ((r.body.data?.supplierOrder as { status: string }).status === 'SUBMITTED') break;
        if (i > 200) throw new Error('the order was not sent');
        await new Promise((res) => setTimeout(res, 50));
      }
      const before = (await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'];
      offsetMs += 25 * HOUR;
      const again = (await gw.gql(PLACE, { in: input })).body.data?.placeSupplierOrder as { replayed: boolean; order: { id: string } };
      expect(again).toEqual({ replayed: true, order: { id: first.order.id } });
      offsetMs += 25 * HOUR;
      const other = await gw.gql(PLACE, { in: { ...input, lines: [{ partId, quantity: 2 }] } });
      expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', reason: 'KEY_REUSED' });
      await new Promise((r) => setTimeout(r, 300));
      expect((await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order']).toBe(before);
    }, 30_000);
  });
}
