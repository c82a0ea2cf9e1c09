/**
 * The exporter's decisions (src/orders/erpExporter.ts) on a real record
 * store (SQLite) against a scripted ERP — the paths the sandbox twin does
 * not produce on demand:
 *
 * - a call that was not sent (429s given up on, an open circuit): the
 *   export stays where it was, nothing is looked up or marked unknown;
 * - a 5xx answered to a write: may have landed, so the next step looks the
 *   order up by CUOR (upstreams.md: CUOR is the dedupe reference) — never
 *   a blind resend;
 * - the call cap: an export that keeps failing waits in FAILED, and a
 *   retry after an unknown outcome looks up before it sends;
 * - one holder at a time: two advances of one export at once make one call;
 * - a store line the ERP item rule cannot map is refused without a call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpLineOutcome, ErpOrderHead, ErpOrdering } from '../../src/domain/ports.js';
import type { StoreOrder, StoreOrderLine } from '../../src/domain/types.js';
import { ErrorCode, crossdockError } from '../../src/errors/crossdockError.js';
import { createLogger } from '../../src/observability/logger.js';
import { createErpExporter, type ErpExporter } from '../../src/orders/erpExporter.js';
import type { ErpExportStore } from '../../src/orders/erpExportStore.js';
import { createSqlErpExportStore } from '../../src/orders/sqlErpExportStore.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

/** A scripted ERP: each call takes the next scripted answer (or succeeds), and is counted. */
function scriptedErp() {
  const heads: Array<ErpOrderHead & { lines: number }> = [];
  const calls: string[] = [];
  const script: Record<string, Array<() => never>> = { addHead: [], addLines: [], confirm: [], findByReference: [] };
  let gate: Promise<void> | undefined;
  let next = 1;
  const take = (name: string) => {
    calls.push(name);
    const fail = script[name]!.shift();
    if (fail) fail();
  };
  const ordering: ErpOrdering = {
    enteredAs: 'customer TEST, order type T',
    async addHead(reference) {
      if (gate) await gate;
      take('addHead');
      const orderNumber = `T${next++}`;
      heads.push({ orderNumber, customerReference: reference, confirmed: false, status: '05', lines: 0 });
      return orderNumber;
    },
    async addLines(batch, lines): Promise<ErpLineOutcome[]> {
      take('addLines');
      const head = heads.find((h) => h.orderNumber === batch)!;
      return lines.map(() => ({ ok: true, lineNumber: String(++head.lines) }));
    },
    async confirm(batch) {
      take('confirm');
      const head = heads.find((h) => h.orderNumber === batch)!;
      Object.assign(head, { orderNumber: `100${next++}`, confirmed: true, status: '22' });
      return { ...head };
    },
    async findByReference(reference) {
      take('findByReference');
      return heads.filter((h) => h.customerReference === reference).map((h) => ({ ...h }));
    },
  };
  return {
    ordering,
    heads,
    calls,
    failNext(name: keyof typeof script, err: Error) {
      script[name]!.push(() => {
        throw err;
      });
    },
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

let n = 0;
const storeOrder = (): StoreOrder => ({
  orderId: String(1000 + n++),
  statusId: 11,
  status: 'Awaiting Fulfillment',
  cancelled: false,
  customerId: null,
  createdAt: null,
  updatedAt: null,
  subtotal: null,
  total: null,
  itemsTotal: 1,
  currency: 'USD',
});
const line = (sku: string): StoreOrderLine => ({ lineId: `l-${sku}`, orderId: 'x', productId: null, variantId: null, sku, name: sku, quantity: 2, unitPrice: null, total: null });

let store: ErpExportStore;
beforeAll(async () => {
  store = createSqlErpExportStore(await engines.fresh('sqlite'));
});

function exporterOn(erp: ReturnType<typeof scriptedErp>, maxCalls?: number): ErpExporter {
  return createErpExporter({ store, ordering: erp.ordering, itemRule: { forSku: (sku) => (sku.startsWith('NOMAP') ? null : sku) }, logger: createLogger({ level: 'silent' }), maxCalls });
}

describe('the ERP exporter', () => {
  it('a write that was not sent (429s given up on, an open circuit) leaves the export where it was: no look-up, no unknown', async () => {
    const erp = scriptedErp();
    const x = exporterOn(erp);
    erp.failNext('addHead', new UpstreamError('rateLimited', 'ion', 'upstream quota exhausted for now', { status: 429 }));
    const { record } = await x.intend(storeOrder(), [line('A')], null);
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'PENDING', step: null, sendingSince: null, attempts: 1, lastError: { code: 'UPSTREAM_RATE_LIMITED' } });
    erp.failNext('confirm', new UpstreamError('unavailable', 'ion', 'circuit open: upstream failing'));
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'OPEN', step: null, sendingSince: null, lastError: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(erp.calls).toEqual(['addHead', 'addHead', 'addLines', 'confirm']);
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'CONFIRMED', lastError: null });
    expect(erp.calls.filter((c) => c === 'findByReference')).toHaveLength(0);
    expect(erp.heads).toHaveLength(1);
  });

  it('a 5xx answered to AddBatchHead may have landed: the next step looks the order up by CUOR and adopts the head', async () => {
    const erp = scriptedErp();
    const x = exporterOn(erp);
    const { record } = await x.intend(storeOrder(), [line('A')], null);
    // The ERP entered the head and then answered 500 (the scripted failure runs after the head is kept).
    const addHead = erp.ordering.addHead;
    erp.ordering.addHead = async (ref, lane, signal) => {
      await addHead(ref, lane, signal);
      throw new UpstreamError('unavailable', 'ion', 'HTTP 500', { status: 500 });
    };
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'UNKNOWN', step: 'HEAD', sendingSince: null });
    erp.ordering.addHead = addHead;
    const done = await x.advance(record.id, 'bulk');
    expect(done).toMatchObject({ status: 'CONFIRMED', batchOrderNumber: 'T1' });
    expect(erp.calls).toEqual(['addHead', 'findByReference', 'addLines', 'confirm']);
    expect(erp.heads).toHaveLength(1);
  });

  it('the call cap: an export whose calls keep failing waits in FAILED (each resend after a look-up found nothing); a retry takes it up again', async () => {
    const erp = scriptedErp();
    // A clean export makes 3 calls (head, lines, confirmation): the cap is 3 here.
    const x = exporterOn(erp, 3);
    const { record } = await x.intend(storeOrder(), [line('A')], null);
    for (let i = 0; i < 3; i++) erp.failNext('addHead', new UpstreamError('timeout', 'ion', 'timed out', { outcomeUnknown: true }));
    // Each run: a look-up finding nothing, then the head again (timed out again) — until the cap.
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'UNKNOWN', attempts: 1 });
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'UNKNOWN', attempts: 2 });
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'UNKNOWN', attempts: 3 });
    const capped = await x.advance(record.id, 'bulk');
    expect(capped).toMatchObject({ status: 'FAILED', step: null, attempts: 3, lastError: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(capped?.lastError?.message).toMatch(/timed out/);
    expect(erp.calls).toEqual(['addHead', 'findByReference', 'addHead', 'findByReference', 'addHead', 'findByReference']);
    // Left alone, nothing more happens.
    expect(await x.advance(record.id, 'bulk')).toMatchObject({ status: 'FAILED' });
    expect(erp.calls).toHaveLength(6);
    const retried = await x.retry(record.id, 'interactive');
    expect(retried).toMatchObject({ status: 'CONFIRMED', attempts: 3 });
    // The last look-up found nothing, and no call was made since: the head is sent.
    expect(erp.calls.slice(6)).toEqual(['addHead', 'addLines', 'confirm']);
    expect(erp.heads).toHaveLength(1);
  });

  it('two advances of one export at once: one holder, one head', async () => {
    const erp = scriptedErp();
    const x = exporterOn(erp);
    const { record } = await x.intend(storeOrder(), [line('A')], null);
    const release = erp.hold();
    const first = x.advance(record.id, 'bulk');
    await new Promise((r) => setTimeout(r, 50));
    // The lease is held by the first: the second answers at once, having sent nothing.
    expect(await x.advance(record.id, 'bulk')).toBeUndefined();
    release();
    expect(await first).toMatchObject({ status: 'CONFIRMED' });
    expect(erp.calls.filter((c) => c === 'addHead')).toHaveLength(1);
  });

  it('a line the item rule cannot map is refused without a call; a refused line keeps the batch unconfirmed', async () => {
    const erp = scriptedErp();
    const x = exporterOn(erp);
    const { record } = await x.intend(storeOrder(), [line('A'), line('NOMAP-1')], null);
    expect(record.lines.map((l) => l.itemNumber)).toEqual(['A', null]);
    const partial = await x.advance(record.id, 'bulk');
    expect(partial).toMatchObject({ status: 'PARTIAL', lines: [{ status: 'ADDED', erpLineNumber: '1' }, { status: 'REFUSED', error: { code: ErrorCode.BAD_USER_INPUT, field: 'ITNO' } }] });
    expect(erp.calls).toEqual(['addHead', 'addLines']);
    // A business refusal of the confirmation (M3 answered): FAILED with the typed error, retryable.
    erp.failNext('confirm', crossdockError(ErrorCode.UPSTREAM_ERROR, 'OIS100MI/Confirm refused (field ORNO): Order has no lines', { program: 'OIS100MI', transaction: 'Confirm', field: 'ORNO', errorType: 'ServerReturnedNOK', errorCode: 'WORNO22' }));
    const other = await x.intend(storeOrder(), [line('B')], null);
    expect(await x.advance(other.record.id, 'bulk')).toMatchObject({ status: 'FAILED', lastError: { code: 'UPSTREAM_ERROR', field: 'ORNO', errorCode: 'WORNO22', transaction: 'OIS100MI/Confirm' } });
  });

  it('a store order the store will not fulfil, or without lines, is SKIPPED without a call', async () => {
    const erp = scriptedErp();
    const x = exporterOn(erp);
    expect((await x.intend({ ...storeOrder(), cancelled: true, status: 'Cancelled' }, [line('A')], null)).record).toMatchObject({ status: 'SKIPPED', lines: [] });
    expect((await x.intend(storeOrder(), [], null)).record).toMatchObject({ status: 'SKIPPED' });
    expect(erp.calls).toEqual([]);
  });
});
