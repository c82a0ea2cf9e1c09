/**
 * The ERP's `orders` capability on M3 (upstreams.md, "Programs a parts
 * seller uses"): customer orders entered through OIS100MI's batch
 * transactions — `AddBatchHead` (CUNO, ORTP, CUOR → a temporary ORNO),
 * `AddBatchLine` (ORNO, ITNO, ORQT → PONR) for every line in one bulk call,
 * `Confirm` (ORNO → the final ORNO and its status) — and `LstHead` by CUNO
 * and CUOR to find what landed. CUOR is the dedupe reference ("as po_number
 * is for FinditParts"): M3 itself dedupes nothing.
 *
 * Every write goes with `idempotent: false`: the shared client then never
 * resends one whose outcome is unknown (DESIGN.md, retry policy), and the
 * exporter looks the order up by CUOR before it sends again. A business
 * error (HTTP 200 with an errorType) is a typed error naming the field
 * (m3Errors.ts), never a result.
 */
import type { ErpLineOutcome, ErpOrderHead, ErpOrdering } from '../../domain/ports.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { M3Client } from './m3Client.js';
import { miError } from './m3Errors.js';
import { text } from './m3Values.js';

const PROGRAM = 'OIS100MI';
const HEAD_COLUMNS = ['ORNO', 'CUNO', 'CUOR', 'ORST'];
/** Heads one reference may have: the confirmed order and batches given up; far more means something else uses the reference. */
const MAX_HEADS = 50;

export interface M3CustomerOrdersOptions {
  /** The connector's name (`upstream` in errors). */
  name: string;
  m3: M3Client;
  /** M3 customer number (CUNO) the store's orders are entered for. */
  customer: string;
  /** M3 customer order type (ORTP). */
  orderType: string;
}

/**
 * M3 customer order status (ORST): a batch head waits at 05 ("preliminary")
 * until Confirm; a confirmed order is at a higher status (the sandbox twin
 * answers 22). Anything that is not a number is read as not confirmed.
 */
export function isConfirmedStatus(orst: string): boolean {
  return /^\d{1,2}$/.test(orst) && Number(orst) > 5;
}

export function createM3CustomerOrders(options: M3CustomerOrdersOptions): ErpOrdering {
  const { name, m3, customer, orderType } = options;
  const refused = (transaction: string, failure: Parameters<typeof miError>[3]) => miError(name, PROGRAM, transaction, failure);

  function headOf(r: Readonly<Record<string, string>>): ErpOrderHead {
    const status = text(r, 'ORST');
    return { orderNumber: text(r, 'ORNO'), customerReference: text(r, 'CUOR'), confirmed: isConfirmedStatus(status), status };
  }

  return {
    enteredAs: `customer ${customer}, order type ${orderType}`,

    async addHead(reference, lane, signal) {
      const r = await m3.execute(PROGRAM, 'AddBatchHead', { CUNO: customer, ORTP: orderType, CUOR: reference }, { lane, idempotent: false, maxRecords: 1, signal });
      if (r.failure) throw refused('AddBatchHead', r.failure);
      const orno = r.records[0] ? text(r.records[0], 'ORNO') : '';
      // An answer without the number is an answer we cannot act on; the head may exist: the caller looks it up.
      if (!orno) throw new UpstreamError('unavailable', name, `${PROGRAM}/AddBatchHead answered no order number`, { outcomeUnknown: true });
      return orno;
    },

    async addLines(batchOrderNumber, lines, lane, signal) {
      if (lines.length === 0) return [];
      const results = await m3.executeBulk(
        PROGRAM,
        lines.map((l) => ({ transaction: 'AddBatchLine', record: { ORNO: batchOrderNumber, ITNO: l.itemNumber, ORQT: String(l.quantity) } })),
        { lane, idempotent: false, maxRecords: 1, signal },
      );
      return results.map((r): ErpLineOutcome => {
        if (r.failure) return { ok: false, error: refused('AddBatchLine', r.failure) };
        return { ok: true, lineNumber: r.records[0] ? text(r.records[0], 'PONR') : '' };
      });
    },

    async confirm(batchOrderNumber, lane, signal) {
      const r = await m3.execute(PROGRAM, 'Confirm', { ORNO: batchOrderNumber }, { lane, idempotent: false, maxRecords: 1, signal });
      if (r.failure) throw refused('Confirm', r.failure);
      const record = r.records[0] ?? {};
      const status = text(record, 'STAT');
      const orderNumber = text(record, 'ORNO');
      if (!orderNumber) throw new UpstreamError('unavailable', name, `${PROGRAM}/Confirm answered no order number`, { outcomeUnknown: true });
      return { orderNumber, customerReference: '', confirmed: status === '' || isConfirmedStatus(status), status };
    },

    async findByReference(reference, lane, signal) {
      const r = await m3.execute(PROGRAM, 'LstHead', { CUNO: customer, CUOR: reference }, { lane, maxRecords: MAX_HEADS, returnColumns: HEAD_COLUMNS, signal });
      if (r.failure) throw refused('LstHead', r.failure);
      // LstHead filters by CUOR upstream; the reference is matched again here (trimmed, as M3 stores it).
      return r.records.map(headOf).filter((h) => h.customerReference === reference.trim());
    },
  };
}
