/**
 * Kill -9 around order placement: exactly one supplier order whatever the
 * moment of the crash. The supplier sandbox runs in this test process so its
 * orders outlive the gateway; the gateway is a child process on a data dir
 * that the restarted gateway reuses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { pollUntil, sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ parts: 200, finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 }, bigcommerce: { quota: 3000 } });
});
afterAll(async () => {
  await stopAllGatewayProcesses();
  await sandbox?.close();
});

const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { order { id status poNumber } } } }`;

async function ordersAtSupplier(poNumber: string): Promise<number> {
  const res = await fetch(`${sandbox.finditparts.apiBase}/orders/search?po_number=${encodeURIComponent(poNumber)}`, { headers: { 'x-api-key': 'sandbox-api-key' } });
  return ((await res.json()) as { orders: unknown[] }).orders.length;
}

async function orderablePart(gw: GatewayProcess): Promise<string> {
  const res = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
  const edges = (res.body as { data: { searchParts: { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> } } }).data.searchParts.edges;
  const found = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1);
  if (!found) throw new Error('no orderable part');
  return found.node.supplierId;
}

async function finalState(gw: GatewayProcess, id: string) {
  return pollUntil(
    async () => {
      const r = await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status attempts poNumber history { to reason } } }`, { id });
      return (r.body as { data: { supplierOrder: { status: string; attempts: number; poNumber: string; history: Array<{ to: string; reason: string }> } } }).data.supplierOrder;
    },
    (o) => ['SUBMITTED', 'PROCESSING', 'SHIPPED'].includes(o.status),
    { timeoutMs: 20_000, what: 'the order to reach the supplier after the restart' },
  );
}

describe('kill -9 and supplier orders', () => {
  it('after the intent is stored and before the upstream call: the restarted gateway sends it, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-order-crash-'));
    const env = { ...sandboxUpstreamEnv(sandbox), ORDER_DISPATCH_DELAY_MS: '3000', ORDER_PLACE_WAIT_MS: '0', ORDER_RETRY_STEP_MS: '200' };
    const a = await startGatewayProcess({ env, dataDir });
    const partId = await orderablePart(a);
    const before = (await sandboxStats(sandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
    const placed = await a.gql(PLACE, { in: { idempotencyKey: 'crash-before-send', lines: [{ partId, quantity: 1 }] } });
    const order = (placed.body as { data: { placeSupplierOrder: { order: { id: string; status: string; poNumber: string } } } }).data.placeSupplierOrder.order;
    expect(order.status).toBe('PENDING');
    a.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await sandboxStats(sandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0).toBe(before);

    const b = await startGatewayProcess({ env: { ...env, ORDER_DISPATCH_DELAY_MS: '0' }, dataDir });
    const settled = await finalState(b, order.id);
    expect(await ordersAtSupplier(order.poNumber)).toBe(1);
    expect(settled.attempts).toBe(1);
    // The same key on the new process replays the stored answer: still one order.
    await b.gql(PLACE, { in: { idempotencyKey: 'crash-before-send', lines: [{ partId, quantity: 1 }] } });
    expect(await ordersAtSupplier(order.poNumber)).toBe(1);
    await b.stop();
  }, 60_000);

  it('between the idempotency claim and its completion: the same key on the restarted gateway gets the stored order once the claim lease runs out; one supplier order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-order-crash-'));
    // The mutation waits (up to 30 s) for the first send, which the supplier records and never answers:
    // the key stays claimed, the order is stored, and the gateway dies in between.
    const env = { ...sandboxUpstreamEnv(sandbox), ORDER_PLACE_WAIT_MS: '30000', ORDER_RETRY_STEP_MS: '200', IDEMPOTENCY_CLAIM_LEASE_MS: '3000' };
    const a = await startGatewayProcess({ env, dataDir });
    const partId = await orderablePart(a);
    const input = { idempotencyKey: 'crash-mid-claim', lines: [{ partId, quantity: 1 }] };
    const PLACED = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { replayed order { id status poNumber } } } }`;
    await setFaults(sandbox.finditparts.url, { acceptThenHang: true, match: { methods: ['POST'], path: 'place_order' } });
    const placeCalls = async () => (await sandboxStats(sandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
    const before = await placeCalls();
    const first = a.gql(PLACED, { in: input }).then(
      () => 'answered',
      () => 'connection lost',
    );
    await pollUntil(placeCalls, (n) => n === before + 1, { timeoutMs: 10_000, what: 'the first send to reach the supplier' });
    a.kill('SIGKILL');
    await a.exited;
    // The caller never got an answer: the claim was neither completed nor released.
    expect(await first).toBe('connection lost');
    await setFaults(sandbox.finditparts.url, {});

    const b = await startGatewayProcess({ env, dataDir });
    // The client retries with the same key: IN_FLIGHT (retryable) while the dead claim's lease holds,
    // then the order the first request stored — not a second one.
    const answer = await pollUntil(
      async () => {
        const r = await b.gql(PLACED, { in: input });
        const body = r.body as { data?: { placeSupplierOrder?: { replayed: boolean; order?: { id: string; status: string; poNumber: string } } }; errors?: Array<{ extensions?: { code?: string; reason?: string } }> };
        const err = body.errors?.[0]?.extensions;
        if (err && !(err.code === 'IDEMPOTENCY_CONFLICT' && err.reason === 'IN_FLIGHT')) throw new Error(`unexpected answer ${JSON.stringify(body)}`);
        return body.data?.placeSupplierOrder ?? null;
      },
      (v) => Boolean(v?.order),
      { timeoutMs: 15_000, intervalMs: 250, what: 'the same key to answer with the stored order' },
    );
    const order = answer?.order as { id: string; poNumber: string };
    expect(answer?.replayed).toBe(true);
    await finalState(b, order.id);
    expect(await ordersAtSupplier(order.poNumber)).toBe(1);
    expect(await placeCalls()).toBe(before + 1);
    // And the key now replays that answer.
    const again = await b.gql(PLACED, { in: input });
    expect((again.body as { data: { placeSupplierOrder: { order: { id: string } } } }).data.placeSupplierOrder.order.id).toBe(order.id);
    const listed = await b.gql(`{ supplierOrders(first: 1) { totalCount } }`);
    expect((listed.body as { data: { supplierOrders: { totalCount: number } } }).data.supplierOrders.totalCount).toBe(1);
    await b.stop();
  }, 90_000);

  it('while the order request is in flight: the restarted gateway finds it by po_number and sends nothing again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-order-crash-'));
    const env = { ...sandboxUpstreamEnv(sandbox), ORDER_PLACE_WAIT_MS: '0', ORDER_RETRY_STEP_MS: '200' };
    const a = await startGatewayProcess({ env, dataDir });
    const partId = await orderablePart(a);
    // The supplier records the order and never answers: the gateway dies waiting for it.
    await setFaults(sandbox.finditparts.url, { acceptThenHang: true, match: { methods: ['POST'], path: 'place_order' } });
    const before = (await sandboxStats(sandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
    const placed = await a.gql(PLACE, { in: { idempotencyKey: 'crash-in-flight', lines: [{ partId, quantity: 1 }] } });
    const order = (placed.body as { data: { placeSupplierOrder: { order: { id: string; poNumber: string } } } }).data.placeSupplierOrder.order;
    await pollUntil(() => ordersAtSupplier(order.poNumber), (n) => n === 1, { timeoutMs: 5_000, what: 'the supplier to record the order' });
    a.kill('SIGKILL');
    await a.exited;
    await setFaults(sandbox.finditparts.url, {});

    const b = await startGatewayProcess({ env, dataDir });
    const settled = await finalState(b, order.id);
    expect(settled.history.at(-1)?.reason).toMatch(/po_number/);
    expect((await sandboxStats(sandbox.finditparts.url)).endpoints['POST /api/v1/partners/place_order']).toBe(before + 1);
    expect(await ordersAtSupplier(order.poNumber)).toBe(1);
    await b.stop();
  }, 60_000);
});
