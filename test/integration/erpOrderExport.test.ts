/**
 * Orders into the ERP (issue 15, part B; README "Orders into the ERP"), over
 * real HTTP: the embedded gateway with its ION twin, checked from the twin's
 * side (its OIS100MI orders and transaction counts) and the store's.
 *
 * - acceptance 4: ERP_ORDER_EXPORT over the sandbox's 50 store orders
 *   enters one M3 order per store order the store will fulfil (the
 *   cancelled one is SKIPPED), confirmed where M3 has every item; a second
 *   run enters none and reads no store order's lines;
 * - a lost answer (AddBatchHead, Confirm: the twin runs the transaction and
 *   never answers) and a lost line call: the next run looks the order up by
 *   CUOR and adopts what landed — still one confirmed order per store order;
 * - a refused line: PARTIAL, recorded per line with M3's typed error, not
 *   confirmed; retryErpOrderExport after the item exists: the same batch
 *   head, confirmed;
 * - an M3 business error on the head (a blocked customer): FAILED with the
 *   typed error naming the field, nothing entered;
 * - the same run on PostgreSQL (DATABASE_URL), a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setFaults, sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';

interface M3Head {
  ORNO: string;
  tempOrno: string;
  CUNO: string;
  CUOR: string;
  STAT: string;
  lines: Array<{ PONR: string; ITNO: string; ORQT: string }>;
}
interface StoreOrderWire {
  id: number;
  status_id: number;
}
interface Export {
  id: string;
  storeOrderId: string;
  customerReference: string;
  status: string;
  orderNumber: string | null;
  batchOrderNumber: string | null;
  abandonedBatchNumbers: string[];
  attempts: number;
  lastError: { code: string; field: string | null; errorType: string | null; errorCode: string | null; transaction: string | null; message: string } | null;
  lines: Array<{ lineNumber: number; sku: string; itemNumber: string | null; quantity: number; status: string; erpLineNumber: string | null; error: { code: string; field: string | null; errorCode: string | null } | null }>;
  history: Array<{ from: string | null; to: string; reason: string }>;
}

const EXPORT_FIELDS = `id storeOrderId customerReference status orderNumber batchOrderNumber abandonedBatchNumbers attempts
  lastError { code field errorType errorCode transaction message }
  lines { lineNumber sku itemNumber quantity status erpLineNumber error { code field errorCode } }
  history { from to reason }`;
const UNFULFILLED = new Set([0, 4, 5, 6]);

let gw: TestGateway;
/** Store order id → its line SKUs (the sandbox's SKUs are the part numbers: SKU_PREFIX is empty). */
const storeLines = new Map<number, string[]>();
let storeOrders: StoreOrderWire[] = [];
/** Store orders kept with an item M3 does not have (PARTIAL), the rest made whole. */
let partialIds: number[] = [];

async function bc<T>(path: string): Promise<T> {
  const res = await fetch(`${gw.bcUrl}/stores/sandbox${path}`, { headers: { accept: 'application/json', 'x-auth-token': 'sandbox-token' } });
  if (res.status !== 200) throw new Error(`store ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
async function ionAdmin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${gw.ionUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`ION ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
const m3Orders = async () => (await ionAdmin<{ orders: M3Head[] }>('/__sandbox/orders')).orders;
const headsFor = async (cuor: string | number) => (await m3Orders()).filter((h) => h.CUOR === String(cuor));
const miCount = async (transaction: string) => (await ionAdmin<{ transactions: Record<string, number> }>('/__sandbox/mi')).transactions[`OIS100MI/${transaction}`] ?? 0;
const lineReads = async () => (await sandboxStats(gw.bcUrl)).endpoints['GET /stores/sandbox/v2/orders/:id/products'] ?? 0;

async function runExport(scope?: { limit: number }, g: TestGateway = gw) {
  const started = await g.gql(`mutation($in: StartSyncInput!) { startSync(input: $in) { job { id } } }`, { in: { kind: 'ERP_ORDER_EXPORT', ...(scope ? { scope } : {}) } });
  expect(started.body.errors).toBeUndefined();
  const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await g.gql(`query($id: ID!) { syncJob(id: $id) { status error progress { processed created unchanged failed } failures(first: 100) { totalCount nodes { sku code message } } } }`, { id });
    const job = s.body.data?.syncJob as { status: string; error: string | null; progress: { processed: number; created: number; unchanged: number; failed: number }; failures: { totalCount: number; nodes: Array<{ sku: string; code: string; message: string }> } };
    if (job.status !== 'QUEUED' && job.status !== 'RUNNING') return job;
    if (Date.now() > deadline) throw new Error(`export job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exportOf(storeOrderId: number | string, g: TestGateway = gw): Promise<Export | null> {
  const res = await g.gql(`query($id: ID!) { erpOrderExports(first: 1, filter: { storeOrderId: $id }) { nodes: edges { node { ${EXPORT_FIELDS} } } } }`, { id: String(storeOrderId) });
  expect(res.body.errors).toBeUndefined();
  return ((res.body.data?.erpOrderExports as { nodes: Array<{ node: Export }> }).nodes[0]?.node ?? null) as Export | null;
}

/**
 * The store order a run with `limit: 1` exports next (the oldest without an export); one the store will
 * not fulfil is let through first (skipped), so the next is one M3 gets.
 */
async function nextUndecided(): Promise<StoreOrderWire> {
  for (const o of storeOrders) {
    if (await exportOf(o.id)) continue;
    if (UNFULFILLED.has(o.status_id)) {
      expect((await runExport({ limit: 1 })).status).toBe('SUCCEEDED');
      expect((await exportOf(o.id))?.status).toBe('SKIPPED');
      continue;
    }
    expect(partialIds).not.toContain(o.id);
    return o;
  }
  throw new Error('no store order left');
}

beforeAll(async () => {
  // Answers that never come are given up on after 1.5 s (the lost-answer tests).
  gw = await startGateway({ UPSTREAM_HEADERS_TIMEOUT_MS: '1500' }, { bigcommerce: { quota: 5_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } });
  storeOrders = (await bc<StoreOrderWire[]>('/v2/orders?limit=250')).sort((a, b) => a.id - b.id);
  expect(storeOrders).toHaveLength(50);
  for (const o of storeOrders) storeLines.set(o.id, (await bc<Array<{ sku: string }>>(`/v2/orders/${o.id}/products`)).map((l) => l.sku));
  // Which SKUs M3 has, asked through the graph (the default item rule: item number = part number = SKU here).
  const skus = [...new Set([...storeLines.values()].flat())];
  const items = await gw.gql(`query($n: [String!]!) { erpItems(itemNumbers: $n) { itemNumber } }`, { n: skus });
  expect(items.body.errors).toBeUndefined();
  const known = new Set((items.body.data?.erpItems as Array<{ itemNumber: string } | null>).filter((i) => i).map((i) => i!.itemNumber));
  const lacking = storeOrders.filter((o) => !UNFULFILLED.has(o.status_id) && storeLines.get(o.id)!.some((s) => !known.has(s)));
  // The seed leaves a share of the ordered items out of M3. Two orders keep theirs missing; the rest are added, as a person would in M3.
  expect(lacking.length).toBeGreaterThan(2);
  partialIds = lacking.slice(-2).map((o) => o.id);
  // Late in id order, so the lost-answer tests below (the oldest orders first) meet none of them.
  expect(partialIds[0]).toBeGreaterThan(storeOrders[10]!.id);
  const add = lacking.slice(0, -2).flatMap((o) => storeLines.get(o.id)!.filter((s) => !known.has(s)));
  const { added } = await ionAdmin<{ added: string[] }>('/__sandbox/items', { add: [...new Set(add)] });
  expect(added.length).toBeGreaterThan(0);
}, 60_000);
afterAll(async () => gw?.close());

describe('ERP_ORDER_EXPORT: lost answers', () => {
  it('AddBatchHead landed, its answer lost: the next run finds the batch head by CUOR and enters no second one', async () => {
    const order = await nextUndecided();
    await setFaults(gw.ionUrl, { acceptThenHang: true, match: { path: 'OIS100MI/AddBatchHead' } });
    const first = await runExport({ limit: 1 });
    await setFaults(gw.ionUrl, {});
    expect(first).toMatchObject({ status: 'SUCCEEDED', progress: { processed: 1, created: 0, failed: 1 } });
    const unknown = await exportOf(order.id);
    expect(unknown).toMatchObject({ status: 'UNKNOWN', batchOrderNumber: null, attempts: 1 });
    // The head is in M3 (the twin ran it), the gateway does not know its number.
    expect(await headsFor(order.id)).toHaveLength(1);
    const heads = await miCount('AddBatchHead');

    const second = await runExport({ limit: 1 });
    expect(second).toMatchObject({ status: 'SUCCEEDED', progress: { created: 1, failed: 0 } });
    const done = await exportOf(order.id);
    expect(done?.status).toBe('CONFIRMED');
    expect(done?.history.map((h) => h.reason).join('\n')).toMatch(/found batch head .* by CUOR/);
    expect(await miCount('AddBatchHead')).toBe(heads);
    const inM3 = await headsFor(order.id);
    expect(inM3).toHaveLength(1);
    expect(inM3[0]).toMatchObject({ STAT: '22', ORNO: done?.orderNumber, tempOrno: done?.batchOrderNumber });
    expect(inM3[0]!.lines.map((l) => l.ITNO)).toEqual(storeLines.get(order.id));
  });

  it('Confirm landed, its answer lost: the next run finds the order confirmed by CUOR and confirms nothing again', async () => {
    const order = await nextUndecided();
    await setFaults(gw.ionUrl, { acceptThenHang: true, match: { path: 'OIS100MI/Confirm' } });
    await runExport({ limit: 1 });
    await setFaults(gw.ionUrl, {});
    expect(await exportOf(order.id)).toMatchObject({ status: 'UNKNOWN', orderNumber: null });
    expect((await headsFor(order.id))[0]?.STAT).toBe('22');
    const confirms = await miCount('Confirm');

    await runExport({ limit: 1 });
    const done = await exportOf(order.id);
    expect(done?.status).toBe('CONFIRMED');
    expect(done?.history.at(-1)?.reason).toMatch(/found confirmed in the ERP by CUOR/);
    expect(await miCount('Confirm')).toBe(confirms);
    const inM3 = await headsFor(order.id);
    expect(inM3).toHaveLength(1);
    expect(inM3[0]!.ORNO).toBe(done?.orderNumber);
  });

  it('the line call lost (connection reset): that batch head is abandoned, never confirmed; the order is entered again and confirmed once', async () => {
    const order = await nextUndecided();
    await setFaults(gw.ionUrl, { resetRate: 1, match: { methods: ['POST'], path: 'm3api-rest/v2/execute$' } });
    await runExport({ limit: 1 });
    await setFaults(gw.ionUrl, {});
    const lost = await exportOf(order.id);
    expect(lost).toMatchObject({ status: 'UNKNOWN' });
    expect(lost?.batchOrderNumber).toEqual(expect.any(String));

    await runExport({ limit: 1 });
    const done = await exportOf(order.id);
    expect(done?.status).toBe('CONFIRMED');
    expect(done?.abandonedBatchNumbers).toEqual([lost?.batchOrderNumber]);
    const inM3 = await headsFor(order.id);
    expect(inM3).toHaveLength(2);
    // Exactly one confirmed customer order; the abandoned batch head stays a batch head.
    expect(inM3.filter((h) => h.STAT === '22').map((h) => h.ORNO)).toEqual([done?.orderNumber]);
    expect(inM3.find((h) => h.tempOrno === lost?.batchOrderNumber)).toMatchObject({ STAT: '05', lines: [] });
  });
});

describe('ERP_ORDER_EXPORT over the 50 sandbox store orders (acceptance 4)', () => {
  it('one M3 order per store order the store will fulfil, confirmed where M3 has every item; the cancelled one is skipped', async () => {
    const job = await runExport();
    expect(job.status).toBe('SUCCEEDED');
    const fulfilled = storeOrders.filter((o) => !UNFULFILLED.has(o.status_id));
    const unfulfilled = storeOrders.filter((o) => UNFULFILLED.has(o.status_id));
    expect(unfulfilled.length).toBeGreaterThan(0);
    const all = await m3Orders();
    for (const o of fulfilled) {
      const heads = all.filter((h) => h.CUOR === String(o.id));
      const e = await exportOf(o.id);
      const confirmed = heads.filter((h) => h.STAT === '22');
      if (partialIds.includes(o.id)) {
        // An item M3 does not have: the batch head holds the other lines, unconfirmed.
        expect(e?.status, `store order ${o.id}`).toBe('PARTIAL');
        expect(confirmed).toHaveLength(0);
        expect(heads.filter((h) => !e!.abandonedBatchNumbers.includes(h.tempOrno))).toHaveLength(1);
      } else {
        expect(e?.status, `store order ${o.id}`).toBe('CONFIRMED');
        expect(confirmed, `store order ${o.id}`).toHaveLength(1);
        expect(confirmed[0]!.ORNO).toBe(e?.orderNumber);
        expect(confirmed[0]!.CUNO).toBe('WEBSTORE');
        expect(confirmed[0]!.lines.map((l) => l.ITNO)).toEqual(storeLines.get(o.id));
        // Every head but the confirmed one was given up by the exporter itself.
        expect(heads.filter((h) => h.STAT !== '22').map((h) => h.tempOrno).sort()).toEqual([...e!.abandonedBatchNumbers].sort());
      }
    }
    for (const o of unfulfilled) {
      expect(await exportOf(o.id)).toMatchObject({ status: 'SKIPPED', lines: [], attempts: 0 });
      expect(all.filter((h) => h.CUOR === String(o.id))).toHaveLength(0);
    }
    // Every store order has one export; nothing else was entered.
    const count = await gw.gql(`{ erpOrderExports(first: 1) { totalCount } }`);
    expect((count.body.data?.erpOrderExports as { totalCount: number }).totalCount).toBe(50);
    expect(new Set(all.map((h) => h.CUOR)).size).toBe(fulfilled.length);
    // The refused ones are the job's failures, with M3's code.
    expect(job.failures.nodes.map((f) => f.sku).sort()).toEqual(partialIds.map((id) => `order:${id}`).sort());
    expect(job.failures.nodes.every((f) => f.code === 'UPSTREAM_ERROR')).toBe(true);
  });

  it('a refused line is recorded with M3\'s typed error naming the field, and the batch is not confirmed', async () => {
    const e = (await exportOf(partialIds[0]!))!;
    const refused = e.lines.filter((l) => l.status === 'REFUSED');
    expect(refused.length).toBeGreaterThan(0);
    for (const l of refused) expect(l).toMatchObject({ erpLineNumber: null, error: { code: 'UPSTREAM_ERROR', field: 'ITNO', errorCode: 'WITNO03' } });
    expect(e.lines.filter((l) => l.status === 'ADDED').every((l) => l.erpLineNumber !== null)).toBe(true);
    expect(e.lastError).toMatchObject({ field: 'ITNO', errorType: 'ServerReturnedNOK', transaction: 'OIS100MI/AddBatchLine' });
    // The store order shows its export.
    const order = await gw.gql(`query($id: ID!) { order(id: $id) { id erpExport { status customerReference } } }`, { id: String(partialIds[0]) });
    expect(order.body.errors, JSON.stringify(order.body.errors)).toBeUndefined();
    expect(order.body.data?.order).toMatchObject({ erpExport: { status: 'PARTIAL', customerReference: String(partialIds[0]) } });
  });

  it('a second run enters none, reads no store order\'s lines, and sends M3 nothing', async () => {
    const before = { heads: await miCount('AddBatchHead'), lines: await miCount('AddBatchLine'), confirms: await miCount('Confirm'), reads: await lineReads(), orders: (await m3Orders()).length };
    const job = await runExport();
    expect(job).toMatchObject({ status: 'SUCCEEDED', progress: { created: 0, failed: 0 } });
    expect({ heads: await miCount('AddBatchHead'), lines: await miCount('AddBatchLine'), confirms: await miCount('Confirm'), reads: await lineReads(), orders: (await m3Orders()).length }).toEqual(before);
  });

  it('retryErpOrderExport once M3 has the item: the refused lines go to the same batch head, which is confirmed', async () => {
    const id = partialIds[0]!;
    const before = (await exportOf(id))!;
    const missing = before.lines.filter((l) => l.status === 'REFUSED').map((l) => l.itemNumber!);
    // Retried while M3 still lacks it: PARTIAL again (an answer, not an error), and still one head.
    const RETRY = `mutation($id: ID!) { retryErpOrderExport(id: $id) { ${EXPORT_FIELDS} } }`;
    const again = await gw.gql(RETRY, { id: before.id });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data?.retryErpOrderExport).toMatchObject({ status: 'PARTIAL', batchOrderNumber: before.batchOrderNumber });
    await ionAdmin('/__sandbox/items', { add: missing });
    const retried = await gw.gql(RETRY, { id: before.id });
    expect(retried.body.errors).toBeUndefined();
    const done = retried.body.data?.retryErpOrderExport as Export;
    expect(done).toMatchObject({ status: 'CONFIRMED', batchOrderNumber: before.batchOrderNumber });
    expect(done.lines.every((l) => l.status === 'ADDED')).toBe(true);
    const inM3 = await headsFor(id);
    expect(inM3).toHaveLength(1);
    expect(inM3[0]).toMatchObject({ STAT: '22', ORNO: done.orderNumber, tempOrno: before.batchOrderNumber });
    expect(inM3[0]!.lines.map((l) => l.ITNO)).toEqual(storeLines.get(id));
    // A confirmed export is answered as it is: nothing is sent.
    const confirms = await miCount('Confirm');
    expect((await gw.gql(RETRY, { id: before.id })).body.data?.retryErpOrderExport).toMatchObject({ status: 'CONFIRMED' });
    expect(await miCount('Confirm')).toBe(confirms);
    // retrySyncFailures on an export job takes its failed exports up again: the other PARTIAL one.
    await ionAdmin('/__sandbox/items', { add: (await exportOf(partialIds[1]!))!.lines.filter((l) => l.status === 'REFUSED').map((l) => l.itemNumber!) });
    const jobs = await gw.gql(`{ syncJobs(first: 50, filter: { kind: [ERP_ORDER_EXPORT] }) { edges { node { id failures(first: 5) { totalCount } } } } }`);
    const withFailures = (jobs.body.data?.syncJobs as { edges: Array<{ node: { id: string; failures: { totalCount: number } } }> }).edges.find((e) => e.node.failures.totalCount === 2)!.node;
    const retry = await gw.gql(`mutation($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, { id: withFailures.id });
    expect(retry.body.errors).toBeUndefined();
    const retryJobId = (retry.body.data?.retrySyncFailures as { job: { id: string } }).job.id;
    for (let i = 0; i < 200; i++) {
      const s = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status } }`, { id: retryJobId });
      if ((s.body.data?.syncJob as { status: string }).status === 'SUCCEEDED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await exportOf(partialIds[1]!))?.status).toBe('CONFIRMED');
    expect((await headsFor(partialIds[1]!)).filter((h) => h.STAT === '22')).toHaveLength(1);
  });

  it('viewers read the exports; the export state is in the graph, newest first, filtered by status', async () => {
    const res = await gw.gql(`{ erpOrderExports(first: 100, filter: { status: [SKIPPED] }) { totalCount edges { node { storeOrderId history { to reason } } } } }`);
    expect(res.body.errors).toBeUndefined();
    const skipped = res.body.data?.erpOrderExports as { totalCount: number; edges: Array<{ node: { storeOrderId: string; history: Array<{ to: string; reason: string }> } }> };
    expect(skipped.edges.map((e) => Number(e.node.storeOrderId)).sort()).toEqual(storeOrders.filter((o) => UNFULFILLED.has(o.status_id)).map((o) => o.id));
    expect(skipped.edges[0]!.node.history[0]).toMatchObject({ to: 'SKIPPED', reason: expect.stringMatching(/will not fulfil/) });
  });
});

describe('an M3 business error on the head', () => {
  let blocked: TestGateway;
  beforeAll(async () => {
    // DEALER9 is a blocked customer in the twin: AddBatchHead answers HTTP 200 with ServerReturnedNOK on CUNO.
    blocked = await startGateway({ ION_ORDER_CUSTOMER: 'DEALER9', ION_ORDER_TYPE: 'WEB' }, { parts: 300, bigcommerce: { orders: 3, quota: 5_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } });
  });
  afterAll(async () => blocked?.close());

  it('is the export\'s typed error naming the field (FAILED), never data; nothing is entered', async () => {
    const job = await runExport(undefined, blocked);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.failures.totalCount).toBeGreaterThan(0);
    const failure = job.failures.nodes[0]!;
    const e = (await exportOf(failure.sku.replace('order:', ''), blocked))!;
    expect(e).toMatchObject({ status: 'FAILED', batchOrderNumber: null, lastError: { code: 'UPSTREAM_ERROR', field: 'CUNO', errorType: 'ServerReturnedNOK', errorCode: 'WCUNO13', transaction: 'OIS100MI/AddBatchHead' } });
    expect(failure.code).toBe('UPSTREAM_ERROR');
    const orders = (await (await fetch(`${blocked.ionUrl}/__sandbox/orders`)).json()) as { orders: unknown[] };
    expect(orders.orders).toHaveLength(0);
  });
});

describe.skipIf(!postgresServerAvailable())('on PostgreSQL (DATABASE_URL)', () => {
  let postgres: PostgresServer | undefined;
  let onPg: TestGateway;
  beforeAll(async () => {
    postgres = await startPostgresServer();
    onPg = await startGateway(
      { DATABASE_URL: await postgres.createDatabase(), CROSSDOCK_SINGLE_INSTANCE: 'true' },
      { parts: 300, ion: { itemShare: 1 }, bigcommerce: { orders: 12, quota: 5_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } },
    );
  }, 60_000);
  afterAll(async () => {
    await onPg?.close();
    await postgres?.destroy();
  });

  it('the same export: one confirmed M3 order per store order it fulfils; a second run enters none', async () => {
    const first = await runExport(undefined, onPg);
    expect(first).toMatchObject({ status: 'SUCCEEDED', progress: { failed: 0 } });
    const heads = ((await (await fetch(`${onPg.ionUrl}/__sandbox/orders`)).json()) as { orders: M3Head[] }).orders;
    const exports = await onPg.gql(`{ erpOrderExports(first: 50) { totalCount edges { node { storeOrderId status orderNumber } } } }`);
    const nodes = (exports.body.data?.erpOrderExports as { totalCount: number; edges: Array<{ node: { storeOrderId: string; status: string; orderNumber: string | null } }> }).edges.map((e) => e.node);
    expect(nodes).toHaveLength(12);
    const confirmed = nodes.filter((n) => n.status === 'CONFIRMED');
    expect(confirmed.length + nodes.filter((n) => n.status === 'SKIPPED').length).toBe(12);
    expect(first.progress.created).toBe(confirmed.length);
    expect(heads.map((h) => h.ORNO).sort()).toEqual(confirmed.map((n) => n.orderNumber).sort());
    const second = await runExport(undefined, onPg);
    expect(second).toMatchObject({ status: 'SUCCEEDED', progress: { created: 0, failed: 0 } });
    expect(((await (await fetch(`${onPg.ionUrl}/__sandbox/orders`)).json()) as { orders: M3Head[] }).orders).toHaveLength(heads.length);
  });
});
