/**
 * Dropship routing writes its outcome back to the store order, in both
 * record stores (SQLite embedded, and PostgreSQL + Redis on a real PostgreSQL and redis-server): a staff
 * note and Awaiting Shipment once the supplier has the order, and a shipment
 * with the supplier's tracking number once it ships (the store order then
 * shows Shipped). Over real HTTP against the BigCommerce and FinditParts
 * simulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const modes: Array<[string, () => Promise<Record<string, string>>]> = [
  ['SQLite (embedded)', async () => ({})],
  ['PostgreSQL + Redis', async () => ({ REDIS_URL: redis?.url ?? '', REDIS_KEY_PREFIX: `writeback${Date.now()}:`, DATABASE_URL: (await postgres?.createDatabase()) ?? '' })],
];

for (const [mode, env] of modes) {
  describe.skipIf(mode !== 'SQLite (embedded)' && !scaleOut)(`routing write-back (${mode})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway(
        { ...(await env()), ORDER_PLACE_WAIT_MS: '0', ORDER_RETRY_STEP_MS: '100', ORDER_POLL_INTERVAL_MS: '300' },
        { parts: 300, finditparts: { ratePerSecond: 1_000, burst: 1_000, perMinute: 60_000 }, bigcommerce: { quota: 5_000 } },
      );
    });
    afterAll(async () => gw?.close());

    it('writes the outcome back to the store order: a staff note and Awaiting Shipment once placed, a shipment with the tracking number once shipped', async () => {
      const bc = (path: string, init: RequestInit = {}) =>
        fetch(`${gw.bcUrl}/stores/sandbox/v2${path}`, { ...init, headers: { 'content-type': 'application/json', 'x-auth-token': 'sandbox-token', ...(init.headers ?? {}) } });
      // Three store orders awaiting fulfillment; the rest completed, so routing sees only these.
      const routed = [100, 101, 102];
      for (let id = 100; id < 150; id++) expect((await bc(`/orders/${id}`, { method: 'PUT', body: JSON.stringify({ status_id: routed.includes(id) ? 11 : 10 }) })).status).toBe(200);
      const started = await gw.gql(`mutation { startSync(input: { kind: ORDER_ROUTING }) { job { id } } }`);
      expect(started.body.errors).toBeUndefined();
      const supplierOrderOf = async (storeOrderId: number) => {
        const r = await gw.gql(`{ supplierOrders(first: 5, filter: { storeOrderId: "${storeOrderId}" }) { edges { node { id status poNumber supplierOrderId } } } }`);
        return (r.body.data?.supplierOrders as { edges: Array<{ node: { id: string; status: string; poNumber: string; supplierOrderId: string | null } }> }).edges[0]?.node;
      };
      const until = async <T,>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const v = await read();
          if (done(v)) return v;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      for (const id of routed) {
        const placed = await until(() => supplierOrderOf(id), (o) => o?.status === 'SUBMITTED' || o?.status === 'PROCESSING', `store order ${id}'s supplier order to be placed`);
        const store = await until(
          async () => {
            const o = (await (await bc(`/orders/${id}`)).json()) as { status_id: number; staff_notes: string };
            return { status_id: o.status_id, staff_notes: o.staff_notes };
          },
          (o) => o.status_id === 9 && o.staff_notes.includes(String(placed?.supplierOrderId)),
          `store order ${id} to show it was routed`,
        );
        expect(store.staff_notes).toContain(placed?.poNumber);
      }
      // The supplier ships the first: the store order gets a shipment with the supplier's tracking number.
      const first = (await supplierOrderOf(100)) as { id: string; supplierOrderId: string };
      await fetch(`${gw.fipUrl}/__sandbox/orders/${first.supplierOrderId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'shipped' }) });
      const shipped = await until(
        async () => (await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status trackingNumber } }`, { id: first.id })).body.data?.supplierOrder as { status: string; trackingNumber: string | null },
        (o) => o.status === 'SHIPPED',
        'the supplier order to be shipped',
      );
      expect(shipped.trackingNumber).toBeTruthy();
      const shipments = await until(
        async () => {
          const r = await bc('/orders/100/shipments');
          return r.status === 204 ? [] : ((await r.json()) as Array<{ tracking_number: string; items: Array<{ quantity: number }> }>);
        },
        (list) => list.length > 0,
        'a shipment on store order 100',
      );
      expect(shipments).toHaveLength(1);
      expect(shipments[0]?.tracking_number).toBe(shipped.trackingNumber);
      // The shipment first (it makes the store order Shipped), then the note: two writes, so the note is waited for too.
      const storeOrder = await until(
        async () => (await (await bc('/orders/100')).json()) as { status_id: number; staff_notes: string },
        (o) => o.staff_notes.includes(String(shipped.trackingNumber)),
        "store order 100's note to name the tracking number",
      );
      expect(storeOrder.status_id).toBe(2);
      // A second write-back pass adds nothing: still one shipment.
      await new Promise((r) => setTimeout(r, 700));
      expect(((await (await bc('/orders/100/shipments')).json()) as unknown[]).length).toBe(1);
    }, 60_000);
  });
}
