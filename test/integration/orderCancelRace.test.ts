/**
 * cancelSupplierOrder against a send in flight, over real HTTP: 200 orders,
 * each cancelled after a different delay while the supplier sandbox answers
 * place_order slowly (latency fault). Whatever the interleaving, an order
 * ends CANCELLED with nothing at the supplier, or SUBMITTED with exactly one
 * supplier order — never a cancel that was answered and then undone by the
 * send, never a cancelled order at the supplier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats, setFaults } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway(
    {
      // Answer with the stored intent at once; the first send waits 200 ms (a window for a cancel
      // that beats it), and the supplier then takes 100–300 ms to answer (a window inside the send).
      ORDER_PLACE_WAIT_MS: '0',
      ORDER_DISPATCH_DELAY_MS: '200',
      ORDER_RETRY_STEP_MS: '100',
      BREAKER_FAILURE_THRESHOLD: '1000',
    },
    { parts: 300, finditparts: { ratePerSecond: 2_000, burst: 2_000, perMinute: 120_000 }, bigcommerce: { quota: 5000 } },
  );
});
afterAll(async () => gw?.close());

const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { order { id status } } } }`;
const CANCEL = `mutation($id: ID!) { cancelSupplierOrder(id: $id) { status } }`;

async function orderablePart(): Promise<string> {
  const res = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
  const edges = (res.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
  const found = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1);
  if (!found) throw new Error('no orderable part in the first 50');
  return found.node.supplierId;
}

interface Outcome {
  id: string;
  /** What cancelSupplierOrder answered: the status, or the error code. */
  cancel: string;
}

async function placeThenCancel(i: number, partId: string): Promise<Outcome> {
  const placed = await gw.gql(PLACE, { in: { idempotencyKey: `race-${i}`, lines: [{ partId, quantity: 1 }] } });
  const order = (placed.body.data?.placeSupplierOrder as { order?: { id: string } } | undefined)?.order;
  if (!order) throw new Error(`order ${i} was not placed: ${JSON.stringify(placed.body)}`);
  // Spread the cancels over 0–900 ms (deterministic): before the send, during it, and after it.
  await new Promise((r) => setTimeout(r, (i * 211) % 900));
  const res = await gw.gql(CANCEL, { id: order.id });
  const status = (res.body.data?.cancelSupplierOrder as { status?: string } | null | undefined)?.status;
  const ext = res.body.errors?.[0]?.extensions;
  return { id: order.id, cancel: status ?? [ext?.code ?? 'no answer', ext?.reason].filter(Boolean).join(':') };
}

describe('cancel against a send in flight', () => {
  it('200 interleavings: CANCELLED with zero supplier orders or SUBMITTED with exactly one, never both', async () => {
    const partId = await orderablePart();
    await setFaults(gw.fipUrl, { latencyMs: 100, latencyJitterMs: 200, match: { methods: ['POST'], path: 'place_order' } });
    const outcomes: Outcome[] = [];
    for (let batch = 0; batch < 4; batch++) {
      outcomes.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => placeThenCancel(batch * 50 + k, partId)))));
    }
    // Every order settles: nothing left waiting to be sent or resolved.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const open = await gw.gql(`{ supplierOrders(first: 1, filter: { status: [PENDING, RETRY_WAIT, UNKNOWN] }) { totalCount } }`);
      if ((open.body.data?.supplierOrders as { totalCount: number }).totalCount === 0) break;
      if (Date.now() > deadline) throw new Error('orders did not settle within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const listed = await gw.gql(`{ supplierOrders(first: 200) { totalCount edges { node { id status poNumber history { from to } } } } }`);
    const nodes = (listed.body.data?.supplierOrders as { totalCount: number; edges: Array<{ node: { id: string; status: string; poNumber: string; history: Array<{ from: string | null; to: string }> } }> });
    expect(nodes.totalCount).toBe(200);
    const byId = new Map(nodes.edges.map((e) => [e.node.id, e.node]));

    const atSupplier = async (po: string) => {
      const r = await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${encodeURIComponent(po)}`, { headers: { 'x-api-key': 'sandbox-api-key' } });
      return ((await r.json()) as { orders: unknown[] }).orders.length;
    };
    const problems: string[] = [];
    let cancelled = 0;
    let submitted = 0;
    for (let i = 0; i < outcomes.length; i += 50) {
      await Promise.all(
        outcomes.slice(i, i + 50).map(async (o) => {
          const order = byId.get(o.id);
          if (!order) return void problems.push(`${o.id}: missing`);
          const landed = await atSupplier(order.poNumber);
          const everCancelled = order.history.some((h) => h.to === 'CANCELLED');
          if (order.status === 'CANCELLED') {
            cancelled++;
            if (landed !== 0) problems.push(`${o.id}: CANCELLED but ${landed} order(s) at the supplier`);
            if (o.cancel !== 'CANCELLED') problems.push(`${o.id}: CANCELLED but the cancel was answered ${o.cancel}`);
          } else if (order.status === 'SUBMITTED' || order.status === 'PROCESSING') {
            submitted++;
            if (landed !== 1) problems.push(`${o.id}: ${order.status} with ${landed} order(s) at the supplier`);
            if (everCancelled || o.cancel === 'CANCELLED') problems.push(`${o.id}: the cancel was answered ${o.cancel}, yet the order went on to ${order.status} (history ${order.history.map((h) => h.to).join('>')})`);
          } else {
            problems.push(`${o.id}: ended ${order.status}`);
          }
        }),
      );
    }
    expect(problems).toEqual([]);
    expect(cancelled + submitted).toBe(200);
    // The delays really did interleave: some cancels beat the send, some came too late.
    expect(cancelled).toBeGreaterThan(0);
    expect(submitted).toBeGreaterThan(0);
    // One place_order call per SUBMITTED order and none for a CANCELLED one.
    expect((await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'] ?? 0).toBe(submitted);
  }, 60_000);
});
