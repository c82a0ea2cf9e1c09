/**
 * The orders mirror's records (src/mirror/sqlMirrorStore.ts) on both
 * engines, a SQLite file and a real PostgreSQL:
 *
 * - the version rule: an order is written only when the copy given is newer
 *   than the one kept (older or equal copies change nothing, lines included);
 * - a batch commits its orders, lines, failures, the backfill checkpoint and
 *   the cursor together; the checkpoint and the cursor never go back;
 * - a bulk file's late lines join their order once;
 * - filters and exact counts, keyset pages in the listing order;
 * - the NDJSON export's pages (ndjsonPage): the listing's orders, each as
 *   the JSON text of its record, the last position and hasNext as list's;
 * - webhook events: recorded once per id, applied oldest version first, an
 *   older event after a newer one changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChannelOrder } from '../../src/domain/channelOrders.js';
import type { OrderEvent } from '../../src/domain/orderSourcePorts.js';
import { ZERO_COUNTERS } from '../../src/jobs/types.js';
import { createSqlMirrorStore } from '../../src/mirror/sqlMirrorStore.js';
import { createSqlJobStore } from '../../src/jobs/store/sqlJobStore.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

const T0 = Date.UTC(2030, 0, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function order(n: number, updatedMinutes: number, over: Partial<ChannelOrder> = {}): ChannelOrder {
  return {
    channel: 'SHOPIFY',
    id: `gid://shopify/Order/${5_600_000_000_000 + n}`,
    number: String(5_600_000_000_000 + n),
    name: `#${1000 + n}`,
    createdAt: at(n),
    updatedAt: at(updatedMinutes),
    closedAt: null,
    cancelledAt: null,
    status: 'OPEN',
    financialStatus: n % 2 === 0 ? 'PAID' : 'PENDING',
    fulfillmentStatus: 'UNFULFILLED',
    currency: 'USD',
    subtotal: '10.10',
    total: '12.34',
    customer: { id: `gid://shopify/Customer/${n % 3}`, email: `buyer${n % 3}@example.com`, firstName: 'A', lastName: 'B' },
    shippingAddress: null,
    billingAddress: null,
    lines: [{ lineId: `gid://shopify/LineItem/${n}1`, sku: `SKU-${n % 4}`, name: 'Thing', quantity: 2, unitPrice: '5.05' }],
    ...over,
  };
}

describe.each(RECORD_ENGINES.filter(engineAvailable))('mirror store on %s', (engine) => {
  const open = async () => {
    const records = await engines.fresh(engine);
    return { store: createSqlMirrorStore(records), jobs: createSqlJobStore(records) };
  };

  it('keeps the newest version of an order: older and equal copies change nothing, lines included', async () => {
    const { store } = await open();
    const first = await store.applyBatch('SHOPIFY', { orders: [order(1, 10)] });
    expect(first).toMatchObject({ created: 1, updated: 0, unchanged: 0 });
    const newer = order(1, 20, { financialStatus: 'REFUNDED', lines: [{ lineId: 'gid://shopify/LineItem/9', sku: 'NEW', name: 'New', quantity: 1, unitPrice: '1.00' }] });
    expect(await store.applyBatch('SHOPIFY', { orders: [newer] })).toMatchObject({ created: 0, updated: 1 });
    const older = order(1, 15, { financialStatus: 'VOIDED' });
    expect(await store.applyBatch('SHOPIFY', { orders: [older, order(1, 20, { financialStatus: 'VOIDED' })] })).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const kept = (await store.get('SHOPIFY', [newer.id])).get(newer.id);
    expect(kept?.financialStatus).toBe('REFUNDED');
    expect(kept?.updatedAt).toBe(at(20));
    expect(kept?.lines.map((l) => l.sku)).toEqual(['NEW']);
    expect(kept?.total).toBe('12.34');
    // The channel's count (kept as orders are inserted): one order, however many versions.
    expect(await store.count({ channel: 'SHOPIFY' })).toBe(1);
  });

  it('commits a batch with its failures, checkpoint and cursor; neither goes back', async () => {
    const { store, jobs } = await open();
    const { job } = await jobs.createOrGetActive({ kind: 'ORDER_MIRROR', scope: { channel: 'SHOPIFY', mode: 'FULL' }, scopeKey: 'k1', dryRun: false, startedBy: 't' });
    await store.saveBackfill({ jobId: job.id, channel: 'SHOPIFY', bulkId: 'gid://shopify/BulkOperation/1', bulkCreatedAt: at(0), url: 'http://x/file' });
    const outcome = await store.applyBatch('SHOPIFY', {
      orders: [order(1, 1), order(2, 2)],
      failures: { jobId: job.id, items: [{ key: 'line:3', message: 'not JSON' }] },
      counters: ZERO_COUNTERS,
      backfill: { jobId: job.id, linesCommitted: 5 },
      cursor: at(2),
    });
    expect(outcome.counters).toMatchObject({ processed: 3, created: 2, failed: 1 });
    await store.applyBatch('SHOPIFY', { orders: [], backfill: { jobId: job.id, linesCommitted: 3 }, cursor: at(1) });
    expect((await store.backfill(job.id))?.linesCommitted).toBe(5);
    expect((await store.backfill(job.id))?.counters).toMatchObject({ processed: 3 });
    expect((await store.state('SHOPIFY')).cursorUpdatedAt).toBe(at(2));
    const failures = await jobs.failures(job.id, 0, 10);
    expect(failures.total).toBe(1);
    expect(failures.items[0]?.message).toBe('not JSON');
  });

  it('joins late lines of a bulk file to their order once', async () => {
    const { store } = await open();
    await store.applyBatch('SHOPIFY', { orders: [order(1, 1)] });
    const late = { orderId: order(1, 1).id, lines: [{ lineId: 'gid://shopify/LineItem/77', sku: 'LATE', name: 'Late', quantity: 3, unitPrice: '2.00' }] };
    await store.applyBatch('SHOPIFY', { orders: [], lateLines: [late] });
    await store.applyBatch('SHOPIFY', { orders: [], lateLines: [late] });
    const got = (await store.get('SHOPIFY', [late.orderId])).get(late.orderId);
    expect(got?.lines.map((l) => l.sku)).toEqual(['SKU-1', 'LATE']);
    const { orders } = await store.list({ channel: 'SHOPIFY' }, null, 10);
    expect(orders[0]).toMatchObject({ lineCount: 2, itemCount: 5 });
  });

  it('filters with exact counts and pages by keyset in the listing order', async () => {
    const { store } = await open();
    await store.applyBatch('SHOPIFY', { orders: Array.from({ length: 30 }, (_, i) => order(i + 1, i + 100)) });
    expect(await store.count({ channel: 'SHOPIFY' })).toBe(30);
    expect(await store.count({ channel: 'SHOPIFY', financialStatus: ['PAID'] })).toBe(15);
    expect(await store.count({ channel: 'SHOPIFY', customerEmail: 'buyer1@example.com' })).toBe(10);
    expect(await store.count({ channel: 'SHOPIFY', sku: 'SKU-0' })).toBe(7);
    expect(await store.count({ channel: 'SHOPIFY', createdFrom: at(10), createdTo: at(20) })).toBe(10);
    expect(await store.count({ channel: 'SHOPIFY', updatedFrom: at(125) })).toBe(5);
    const seen: string[] = [];
    let after = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof store.list>> = await store.list({ channel: 'SHOPIFY', financialStatus: ['PAID'] }, after, 4);
      seen.push(...page.orders.map((o) => o.name));
      const last = page.orders[page.orders.length - 1];
      if (!page.hasNext || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => `#${1000 + (i + 1) * 2}`));
  });

  it("pages the NDJSON export's lines as the listing pages its orders (ndjsonPage)", async () => {
    const { store } = await open();
    await store.applyBatch('SHOPIFY', { orders: Array.from({ length: 30 }, (_, i) => order(i + 1, i + 100)) });
    const filter = { channel: 'SHOPIFY' as const, financialStatus: ['PAID'] };
    const names: string[] = [];
    let after = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof store.ndjsonPage>> = await store.ndjsonPage(filter, after, 4);
      const listed = await store.list(filter, after, 4);
      expect(page.hasNext).toBe(listed.hasNext);
      expect(page.lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(listed.orders.map((o) => o.id));
      names.push(...page.lines.map((l) => (JSON.parse(l) as { name: string }).name));
      const last = listed.orders[listed.orders.length - 1];
      expect(page.last).toEqual(last ? { createdAt: last.createdAt, id: last.id } : null);
      if (!page.hasNext || !page.last) break;
      after = page.last;
    }
    expect(names).toEqual(Array.from({ length: 15 }, (_, i) => `#${1000 + (i + 1) * 2}`));
    expect(await store.ndjsonPage({ channel: 'SHOPIFY', sku: 'NONE' }, null, 4)).toEqual({ lines: [], last: null, hasNext: false });
  });

  it('records an event once per id and applies events oldest version first: an older one after a newer one changes nothing', async () => {
    const { store } = await open();
    const event = (id: string, o: ChannelOrder): OrderEvent => ({ eventId: id, topic: 'orders/updated', order: o, problem: null });
    expect(await store.recordEvent('SHOPIFY', event('e2', order(1, 20, { financialStatus: 'REFUNDED' })), at(30))).toBe(true);
    expect(await store.recordEvent('SHOPIFY', event('e2', order(1, 20, { financialStatus: 'REFUNDED' })), at(31))).toBe(false);
    expect(await store.recordEvent('SHOPIFY', event('e1', order(1, 10, { financialStatus: 'PAID' })), at(32))).toBe(true);
    const pending = await store.pendingEvents('SHOPIFY', 10);
    expect(pending.map((p) => p.eventId)).toEqual(['e1', 'e2']);
    expect(await Promise.all(pending.map((p) => store.applyEvent('SHOPIFY', p, at(33))))).toEqual(['APPLIED', 'APPLIED']);
    // A late older event (recorded after the newer was applied): OLDER, and the order stays.
    await store.recordEvent('SHOPIFY', event('e0', order(1, 5, { financialStatus: 'VOIDED' })), at(34));
    const [late] = await store.pendingEvents('SHOPIFY', 10);
    expect(late && (await store.applyEvent('SHOPIFY', late, at(35)))).toBe('OLDER');
    expect((await store.get('SHOPIFY', [order(1, 1).id])).get(order(1, 1).id)?.financialStatus).toBe('REFUNDED');
    expect(await store.pendingEvents('SHOPIFY', 10)).toEqual([]);
    expect(await store.count({ channel: 'SHOPIFY' })).toBe(1);
    // A signed body that is no order is listed, not queued.
    expect(await store.recordEvent('SHOPIFY', { eventId: 'bad', topic: 'orders/updated', order: null, problem: 'no id' }, at(36))).toBe(true);
    expect(await store.eventProblems('SHOPIFY', 5)).toEqual([{ eventId: 'bad', topic: 'orders/updated', problem: 'no id', receivedAt: at(36) }]);
    expect(await store.purgeEvents(at(100))).toBe(4);
  });
});
