/**
 * Exactly-once supplier orders over real HTTP: idempotency under
 * concurrency, unknown outcomes resolved by po_number, 5xx retries and
 * manual review, dropship routing, and refusals that send nothing upstream.
 * Orders are counted by the supplier sandbox itself.
 */
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats, setFaults } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const OPERATOR = 'ops-key-aaaaaaaaaaaaaaaa';
const VIEWER = 'view-key-bbbbbbbbbbbbbbbb';
const OPERATOR_2 = 'ops2-key-cccccccccccccccc';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway(
    {
      CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},viewer:viewer:${VIEWER},ops2:operator:${OPERATOR_2}`,
      ORDER_PLACE_WAIT_MS: '1500',
      ORDER_RETRY_STEP_MS: '100',
      ORDER_POLL_INTERVAL_MS: '300',
      UPSTREAM_HEADERS_TIMEOUT_MS: '1000',
      BREAKER_FAILURE_THRESHOLD: '100',
    },
    { parts: 300, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 }, bigcommerce: { quota: 5000 } },
  );
});
afterAll(async () => gw?.close());
beforeEach(async () => {
  await Promise.all([resetSandbox(gw.fipUrl, true), resetSandbox(gw.bcUrl, true)]);
});

const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) {
  __typename
  ... on SupplierOrderPlaced { replayed order { id status poNumber supplierOrderId attempts } }
  ... on SupplierOrderRejected { reason message lineIndex replayed } } }`;
const place = (input: Record<string, unknown>, key = OPERATOR) => gw.gql(PLACE, { in: input }, { 'x-api-key': key });
const placedOrders = async () => (await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
type Placed = { __typename: 'SupplierOrderPlaced'; replayed: boolean; order: { id: string; status: string; poNumber: string; supplierOrderId: string | null; attempts: number } };

async function orderState(id: string) {
  const res = await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status attempts supplierOrderId poNumber history { from to reason } } }`, { id }, { 'x-api-key': OPERATOR });
  return res.body.data?.supplierOrder as { status: string; attempts: number; supplierOrderId: string | null; poNumber: string; history: Array<{ to: string; reason: string }> };
}
async function waitForStatus(id: string, statuses: string[], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await orderState(id);
    if (statuses.includes(state.status)) return state;
    if (Date.now() > deadline) throw new Error(`order ${id} stayed ${state.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A part the supplier can sell in quantity 1 (sellable, in stock, minimum 1). */
async function orderablePart(): Promise<string> {
  const res = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`, {}, { 'x-api-key': OPERATOR });
  const edges = (res.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
  const found = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1);
  if (!found) throw new Error('no orderable part in the first 50');
  return found.node.supplierId;
}

describe('idempotency', () => {
  it('200 concurrent calls with one key place exactly one supplier order, and every non-conflicting caller gets the same answer', async () => {
    const partId = await orderablePart();
    const input = { idempotencyKey: 'burst-1', lines: [{ partId, quantity: 1 }] };
    const results = await Promise.all(Array.from({ length: 200 }, () => place(input)));
    const answers = results.filter((r) => !r.body.errors).map((r) => (r.body.data?.placeSupplierOrder as Placed).order);
    const conflicts = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'IDEMPOTENCY_CONFLICT');
    expect(answers.length + conflicts.length).toBe(200);
    expect(answers.length).toBeGreaterThanOrEqual(1);
    for (const c of conflicts) expect(c.body.errors?.[0]?.extensions).toMatchObject({ reason: 'IN_FLIGHT', retryable: true });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // Callers that retry after the first finished get the same answer, marked replayed.
    const again = await place(input);
    const replay = again.body.data?.placeSupplierOrder as Placed;
    expect(replay.replayed).toBe(true);
    expect(replay.order).toEqual(answers[0]);
    expect(await placedOrders()).toBe(1);
  });

  it('the same key with a different input is IDEMPOTENCY_CONFLICT and sends nothing', async () => {
    const partId = await orderablePart();
    await place({ idempotencyKey: 'reuse-1', lines: [{ partId, quantity: 1 }] });
    const before = await placedOrders();
    const res = await place({ idempotencyKey: 'reuse-1', lines: [{ partId, quantity: 2 }] });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', reason: 'KEY_REUSED' });
    expect(await placedOrders()).toBe(before);
  });

  it('keys are per client: another client may use the same key for its own order', async () => {
    const partId = await orderablePart();
    const a = await place({ idempotencyKey: 'shared-key', lines: [{ partId, quantity: 1 }] });
    const b = await place({ idempotencyKey: 'shared-key', lines: [{ partId, quantity: 1 }] }, OPERATOR_2);
    expect((a.body.data?.placeSupplierOrder as Placed).order.id).not.toBe((b.body.data?.placeSupplierOrder as Placed).order.id);
    expect(await placedOrders()).toBe(2);
  });
});

describe('refusals', () => {
  it.each([
    ['an empty key', { idempotencyKey: '', lines: [{ partId: '5', quantity: 1 }] }, 'idempotencyKey'],
    ['a key with spaces', { idempotencyKey: 'a b', lines: [{ partId: '5', quantity: 1 }] }, 'idempotencyKey'],
    ['zero quantity', { idempotencyKey: 'q0', lines: [{ partId: '5', quantity: 0 }] }, 'quantity'],
    ['negative quantity', { idempotencyKey: 'q-1', lines: [{ partId: '5', quantity: -3 }] }, 'quantity'],
    ['no lines', { idempotencyKey: 'none', lines: [] }, 'at least one line'],
    ['51 lines (over the documented 50)', { idempotencyKey: 'big', lines: Array.from({ length: 51 }, () => ({ partId: '5', quantity: 1 })) }, 'at most 50 lines'],
    ['both partId and sku', { idempotencyKey: 'both', lines: [{ partId: '5', sku: 'X-1', quantity: 1 }] }, 'exactly one of partId and sku'],
    ['a hostile part id', { idempotencyKey: 'evil', lines: [{ partId: '../orders', quantity: 1 }] }, 'not a Part id'],
    // The same SKU rule as everywhere else, `..` included (it once had a copy of its own without it).
    ['a SKU with a dot-dot', { idempotencyKey: 'dots', lines: [{ sku: 'AB..12', quantity: 1 }] }, 'not a SKU'],
    ['a SKU with a slash', { idempotencyKey: 'slash', lines: [{ sku: 'AB/12', quantity: 1 }] }, 'not a SKU'],
  ])('%s: BAD_USER_INPUT, nothing sent', async (_name, input, message) => {
    const res = await place(input);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toContain(message);
    expect(await placedOrders()).toBe(0);
  });

  it('a missing key is a GraphQL validation error', async () => {
    const res = await gw.gql(`mutation { placeSupplierOrder(input: { lines: [{ partId: "5", quantity: 1 }] }) { __typename } }`, {}, { 'x-api-key': OPERATOR });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await placedOrders()).toBe(0);
  });

  it('an unknown part is a typed UNKNOWN_PART rejection, replayed for the same key, nothing sent', async () => {
    const first = await place({ idempotencyKey: 'unknown-1', lines: [{ partId: '299999', quantity: 1 }] });
    expect(first.body.data?.placeSupplierOrder).toMatchObject({ __typename: 'SupplierOrderRejected', reason: 'UNKNOWN_PART', lineIndex: 0, replayed: false });
    const again = await place({ idempotencyKey: 'unknown-1', lines: [{ partId: '299999', quantity: 1 }] });
    expect(again.body.data?.placeSupplierOrder).toMatchObject({ reason: 'UNKNOWN_PART', replayed: true });
    expect(await placedOrders()).toBe(0);
  });

  it('a viewer key is FORBIDDEN', async () => {
    const res = await place({ idempotencyKey: 'viewer-1', lines: [{ partId: '5', quantity: 1 }] }, VIEWER);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await placedOrders()).toBe(0);
  });
});

describe('unknown outcomes and retries', () => {
  it('accept-then-hang: the caller sees a pending order, the worker proves it landed by po_number, nothing is sent twice', async () => {
    const partId = await orderablePart();
    await setFaults(gw.fipUrl, { acceptThenHang: true, match: { methods: ['POST'], path: 'place_order' } });
    const res = await place({ idempotencyKey: 'hang-1', lines: [{ partId, quantity: 1 }] });
    const placed = res.body.data?.placeSupplierOrder as Placed;
    expect(['PENDING', 'UNKNOWN']).toContain(placed.order.status);
    expect(placed.order.supplierOrderId).toBeNull();
    const settled = await waitForStatus(placed.order.id, ['SUBMITTED', 'PROCESSING']);
    expect(settled.supplierOrderId).not.toBeNull();
    expect(settled.history.map((h) => h.to)).toContain('UNKNOWN');
    expect(settled.history.at(-1)?.reason).toMatch(/po_number/);
    expect(await placedOrders()).toBe(1);
    const search = (await (await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${settled.poNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } })).json()) as { orders: unknown[] };
    expect(search.orders).toHaveLength(1);
  });

  it('three 500s then success: one order after four attempts', async () => {
    const partId = await orderablePart();
    await setFaults(gw.fipUrl, { failNext: { status: 500, count: 3 }, match: { methods: ['POST'], path: 'place_order' } });
    const res = await place({ idempotencyKey: 'five-hundred-3', lines: [{ partId, quantity: 1 }] });
    const id = (res.body.data?.placeSupplierOrder as Placed).order.id;
    const settled = await waitForStatus(id, ['SUBMITTED', 'PROCESSING']);
    expect(settled.attempts).toBe(4);
    expect(await placedOrders()).toBe(4); // three refused before processing, one placed
    const search = (await (await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${settled.poNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } })).json()) as { orders: unknown[] };
    expect(search.orders).toHaveLength(1);
  });

  it('five 500s: MANUAL_REVIEW, then a retry through the mutation places it once', async () => {
    const partId = await orderablePart();
    await setFaults(gw.fipUrl, { failNext: { status: 500, count: 5 }, match: { methods: ['POST'], path: 'place_order' } });
    const res = await place({ idempotencyKey: 'five-hundred-5', lines: [{ partId, quantity: 1 }] });
    const id = (res.body.data?.placeSupplierOrder as Placed).order.id;
    const review = await waitForStatus(id, ['MANUAL_REVIEW']);
    expect(review.attempts).toBe(4);
    const viewer = await gw.gql(`mutation($id: ID!) { retrySupplierOrder(id: $id) { status } }`, { id }, { 'x-api-key': VIEWER });
    expect(viewer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const retried = await gw.gql(`mutation($id: ID!) { retrySupplierOrder(id: $id) { status } }`, { id }, { 'x-api-key': OPERATOR });
    expect(retried.body.data).toEqual({ retrySupplierOrder: { status: 'RETRY_WAIT' } });
    const settled = await waitForStatus(id, ['SUBMITTED', 'PROCESSING']);
    expect(settled.history.map((h) => h.to)).toEqual(expect.arrayContaining(['MANUAL_REVIEW', 'RETRY_WAIT', 'SUBMITTED']));
    const search = (await (await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${settled.poNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } })).json()) as { orders: unknown[] };
    expect(search.orders).toHaveLength(1);
    const again = await gw.gql(`mutation($id: ID!) { retrySupplierOrder(id: $id) { status } }`, { id }, { 'x-api-key': OPERATOR });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a supplier that never answers and never records the order: four timed-out attempts, each resend after a po_number lookup, then MANUAL_REVIEW', async () => {
    const partId = await orderablePart();
    await setFaults(gw.fipUrl, { hangRate: 1, match: { methods: ['POST'], path: 'place_order' } });
    const res = await place({ idempotencyKey: 'hang-forever-1', lines: [{ partId, quantity: 1 }] });
    const id = (res.body.data?.placeSupplierOrder as Placed).order.id;
    const review = await waitForStatus(id, ['MANUAL_REVIEW'], 20_000);
    expect(review.attempts).toBe(4);
    expect(review.history.map((h) => h.to)).toEqual(['PENDING', 'UNKNOWN', 'MANUAL_REVIEW']);
    expect(review.history.at(-1)?.reason).toMatch(/4 attempts failed.*outcome unknown/);
    const stats = await sandboxStats(gw.fipUrl);
    expect(stats.endpoints['POST /api/v1/partners/place_order']).toBe(4);
    expect(stats.endpoints['GET /api/v1/orders/search'] ?? 0).toBeGreaterThanOrEqual(3);
    const search = (await (await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${review.poNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } })).json()) as { orders: unknown[] };
    expect(search.orders).toHaveLength(0);
  }, 30_000);

  it('tracks the supplier status and pushes it on orderUpdated (over graphql-sse)', async () => {
    const partId = await orderablePart();
    const res = await place({ idempotencyKey: 'track-1', lines: [{ partId, quantity: 1 }] });
    const placed = (res.body.data?.placeSupplierOrder as Placed).order;
    const supplierId = (await waitForStatus(placed.id, ['SUBMITTED', 'PROCESSING'])).supplierOrderId;

    const client = createClient({ url: `${gw.url}/graphql/stream`, headers: { 'x-api-key': OPERATOR }, retryAttempts: 0 });
    const seen: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ orderUpdated: { status: string } }>(
        { query: `subscription($id: ID!) { orderUpdated(id: $id) { status } }`, variables: { id: placed.id } },
        { next: (msg) => void seen.push(msg.data?.orderUpdated.status ?? 'error'), error: reject, complete: resolve },
      );
    });
    await new Promise((r) => setTimeout(r, 200));
    await fetch(`${gw.fipUrl}/__sandbox/orders/${supplierId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'shipped' }) });
    await done; // completes after the final status
    client.dispose();
    expect(['SUBMITTED', 'PROCESSING']).toContain(seen[0]);
    expect(seen.at(-1)).toBe('SHIPPED');
    const shipped = await orderState(placed.id);
    expect(shipped.history.at(-1)?.reason).toContain('shipped');
  });
});

describe('dropship routing', () => {
  it('routes 50 store orders awaiting fulfillment to 50 supplier orders; running it again creates none', async () => {
    const totalOrders = async () => {
      const r = await gw.gql(`{ supplierOrders(first: 1) { totalCount } }`, {}, { 'x-api-key': OPERATOR });
      return (r.body.data?.supplierOrders as { totalCount: number }).totalCount;
    };
    const before = await totalOrders();
    // Put every seeded store order into Awaiting Fulfillment through the store's own API.
    for (let id = 100; id < 150; id++) {
      const r = await fetch(`${gw.bcUrl}/stores/sandbox/v2/orders/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-auth-token': 'sandbox-token' },
        body: JSON.stringify({ status_id: 11 }),
      });
      expect(r.status).toBe(200);
    }
    const run = async () => {
      const started = await gw.gql(`mutation { startSync(input: { kind: ORDER_ROUTING }) { job { id } } }`, {}, { 'x-api-key': OPERATOR });
      const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
      for (;;) {
        const s = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { processed created unchanged failed } } }`, { id }, { 'x-api-key': OPERATOR });
        const job = s.body.data?.syncJob as { status: string; progress: { processed: number; created: number; unchanged: number; failed: number } };
        if (job.status !== 'QUEUED' && job.status !== 'RUNNING') return job;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const first = await run();
    expect(first).toMatchObject({ status: 'SUCCEEDED', progress: { processed: 50, created: 50, failed: 0 } });
    // The job stores 50 intents; the outbox sends them.
    const submitted = async () => {
      const r = await gw.gql(`{ supplierOrders(first: 100, filter: { status: [SUBMITTED, PROCESSING, SHIPPED] }) { edges { node { storeOrderId } } } }`, {}, { 'x-api-key': OPERATOR });
      return (r.body.data?.supplierOrders as { edges: Array<{ node: { storeOrderId: string | null } }> }).edges.filter((e) => e.node.storeOrderId !== null).length;
    };
    for (let i = 0; i < 200 && (await submitted()) < 50; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await submitted()).toBe(50);
    expect(await placedOrders()).toBe(50);
    // The outcome is written back: the store no longer lists them as awaiting fulfillment.
    const awaiting = async () => {
      const r = await fetch(`${gw.bcUrl}/stores/sandbox/v2/orders?status_id=11`, { headers: { 'x-auth-token': 'sandbox-token' } });
      return r.status === 204 ? 0 : ((await r.json()) as unknown[]).length;
    };
    for (let i = 0; i < 200 && (await awaiting()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await awaiting()).toBe(0);
    const second = await run();
    expect(second).toMatchObject({ status: 'SUCCEEDED', progress: { processed: 0, created: 0 } });
    // Set back to awaiting fulfillment (by a merchant, say): routing again still creates none.
    for (let id = 100; id < 150; id++) {
      await fetch(`${gw.bcUrl}/stores/sandbox/v2/orders/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-auth-token': 'sandbox-token' }, body: JSON.stringify({ status_id: 11 }) });
    }
    const third = await run();
    expect(third).toMatchObject({ status: 'SUCCEEDED', progress: { processed: 50, created: 0, unchanged: 50 } });
    expect(await placedOrders()).toBe(50);

    const order = await gw.gql(`{ order(id: "100") { storeOrderId supplierOrders { status storeOrderId lines { sku } } } }`, {}, { 'x-api-key': OPERATOR });
    const o = order.body.data?.order as { supplierOrders: Array<{ storeOrderId: string }> };
    expect(o.supplierOrders).toHaveLength(1);
    expect(o.supplierOrders[0]?.storeOrderId).toBe('100');
    const list = await gw.gql(`{ supplierOrders(first: 100, filter: { storeOrderId: "101" }) { totalCount } }`, {}, { 'x-api-key': OPERATOR });
    expect(list.body.data).toEqual({ supplierOrders: { totalCount: 1 } });
    expect(await totalOrders()).toBe(before + 50);
  }, 60_000);
});

