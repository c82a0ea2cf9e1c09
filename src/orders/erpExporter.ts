/**
 * Enters store orders in the ERP as customer orders, exactly once — the
 * supplier outbox's discipline (outbox.ts) for M3's three calls
 * (upstreams.md: OIS100MI AddBatchHead → AddBatchLine… → Confirm, none
 * idempotent, CUOR the dedupe reference):
 *
 * - The intent is stored before any call, once per store order
 *   (`intend`); every call is marked in flight (`sendingSince`, `step`,
 *   the attempt counted) in a compare-and-set before it is made, and its
 *   outcome recorded in another, on the state read — or nothing.
 * - A call whose outcome is unknown (a timeout, a reset, a 5xx on a write,
 *   a crash or a lost lease mid-call: `sendingSince` still set) is never
 *   resent blind: the next step looks the order up by CUOR first and
 *   adopts what landed — a confirmed order (CONFIRMED), an open batch head
 *   (OPEN), nothing (the head is sent again), or, for the confirmation, the
 *   open head (confirmed again).
 * - The lines go in one bulk call. M3 lists no lines of a batch, so a line
 *   call whose outcome is unknown leaves them unknowable: that batch head is
 *   abandoned — never confirmed, kept in `abandoned` and ignored by every
 *   later lookup — and the order entered again under a new head. Only a
 *   confirmed order is a customer order, so there is still exactly one.
 * - A line M3 refuses (the item does not exist, a quantity) is recorded on
 *   the line with the typed error; the batch is PARTIAL and is not
 *   confirmed short of a line. `retry` sends the refused lines again (the
 *   item rule re-applied) to the same batch head, then confirms.
 * - An export is worked on by one holder at a time: a lease per export
 *   (`erp-export:{id}`, shared by the fleet with REDIS_URL); a lost lease
 *   aborts the call in flight and nothing more is recorded by that holder.
 */
import type { ErpItemRule } from '../domain/erpItemRule.js';
import type { ErpOrdering, Lane } from '../domain/ports.js';
import type { StoreOrder, StoreOrderLine } from '../domain/types.js';
import { ErrorCode, crossdockError, isClientFacing } from '../errors/crossdockError.js';
import type { Logger } from '../observability/logger.js';
import { redactText } from '../observability/redact.js';
import { createLocalLeases, holdLease, type Leases } from '../storage/leases.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { ErpExportChange, ErpExportPatch, ErpExportStore } from './erpExportStore.js';
import type { ErpExportError, ErpExportLine, ErpExportRecord, ErpExportStatus, ErpExportStep } from './erpExportTypes.js';
import { DRIVEN_EXPORTS, RETRYABLE_EXPORTS, isSettledExport } from './erpExportTypes.js';

export interface ErpExporterOptions {
  store: ErpExportStore;
  /** The ERP's order entry (domain/ports.ts). */
  ordering: ErpOrdering;
  /** Store SKU → ERP item number. */
  itemRule: Pick<ErpItemRule, 'forSku'>;
  logger: Logger;
  /** Where the per-export leases live. @default in-process leases */
  leases?: Leases;
  /** Lease length, renewed every third of it. @default 15000 */
  leaseMs?: number;
  /** ERP write calls an export may make before it waits in FAILED for a person (a clean export makes 3). @default 10 */
  maxCalls?: number;
  /** Every transition this exporter recorded, with the status it left. @default none */
  publish?(record: ErpExportRecord, from: ErpExportStatus): void;
}

export interface ErpExporter {
  /** Stores the intent for a store order (SKIPPED when the store will not fulfil it or it has no lines), or finds the one it has. */
  intend(order: StoreOrder, lines: readonly StoreOrderLine[], jobId: string | null): Promise<{ created: boolean; record: ErpExportRecord }>;
  /**
   * Drives an export as far as it goes now: to CONFIRMED, PARTIAL or
   * FAILED, or until a call fails in a way only time cures (it stays where
   * it is, for the next run). Undefined when another holder is working on it.
   */
  advance(id: string, lane: Lane, signal?: AbortSignal): Promise<ErpExportRecord | undefined>;
  /** Takes a PARTIAL or FAILED export up again (the refused lines re-mapped and resent), then advances it. */
  retry(id: string, lane: Lane, signal?: AbortSignal): Promise<ErpExportRecord>;
}

/** How a failed call ended: refused by the ERP (nothing happened), not sent (known), or may have landed. */
type CallFailure = { kind: 'refused' | 'notSent' | 'unknown'; error: ErpExportError };

/** Refused errors, by what M3's answer said (m3Errors.ts): the client's typed error, kept on the record. */
export function exportErrorOf(err: unknown, transaction: string): ErpExportError {
  if (isClientFacing(err)) {
    const ext = (err.extensions ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof ext[k] === 'string' ? (ext[k] as string) : undefined);
    const field = str('field');
    const errorType = str('errorType');
    const errorCode = str('errorCode');
    return {
      code: str('code') ?? ErrorCode.UPSTREAM_ERROR,
      message: redactText(err.message),
      ...(field ? { field } : {}),
      ...(errorType ? { errorType } : {}),
      ...(errorCode ? { errorCode } : {}),
      transaction: str('program') && str('transaction') ? `${str('program')}/${str('transaction')}` : transaction,
    };
  }
  const message = redactText(err instanceof Error ? err.message : String(err));
  if (err instanceof UpstreamError) {
    const code = err.kind === 'rateLimited' ? ErrorCode.UPSTREAM_RATE_LIMITED : err.kind === 'rejected' ? ErrorCode.UPSTREAM_ERROR : ErrorCode.UPSTREAM_UNAVAILABLE;
    return { code, message, transaction };
  }
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message, transaction };
}

/**
 * Whether a failed write may have landed. The retry table (retryPolicy.ts)
 * resends a non-idempotent write only where it did not land (a 429, a
 * refused connection); past that, a timeout, a reset, an answer over the
 * size limit or a 5xx (answered or not) may all have been processed.
 */
function classify(err: unknown, transaction: string): CallFailure | undefined {
  if (isClientFacing(err)) return { kind: 'refused', error: exportErrorOf(err, transaction) };
  if (!(err instanceof UpstreamError)) return undefined;
  const error = exportErrorOf(err, transaction);
  if (err.outcomeUnknown || err.kind === 'timeout' || err.kind === 'tooLarge' || (err.status !== undefined && err.status >= 500)) return { kind: 'unknown', error };
  // A 4xx other than 401/429: the gateway refused the request before M3 ran it.
  if (err.kind === 'rejected') return { kind: 'refused', error };
  // 429s given up on, no pacing slot, an open circuit, a refused connection, credentials refused: never sent.
  return { kind: 'notSent', error };
}

const noItemError = (sku: string): ErpExportError => ({
  code: ErrorCode.BAD_USER_INPUT,
  message: `the ERP item rule gives no ERP item number for store SKU ${sku.slice(0, 64)} (ERP_ITEM_IDENTITY, ERP_ITEM_PREFIX)`,
  field: 'ITNO',
  transaction: 'OIS100MI/AddBatchLine',
});

/** The record's steps as M3 names them, for history. */
const TRANSACTION: Record<ErpExportStep, string> = { HEAD: 'OIS100MI/AddBatchHead', LINES: 'OIS100MI/AddBatchLine', CONFIRM: 'OIS100MI/Confirm' };

export function createErpExporter(options: ErpExporterOptions): ErpExporter {
  const { store, ordering, itemRule, logger } = options;
  const leases = options.leases ?? createLocalLeases();
  const leaseMs = options.leaseMs ?? 15_000;
  const maxCalls = options.maxCalls ?? 10;

  /** The state a write expects: the status and call count read. */
  const asRead = (r: ErpExportRecord): ErpExportChange => ({ from: [r.status], attempts: r.attempts });

  async function move(r: ErpExportRecord, to: ErpExportStatus, reason: string, set: ErpExportPatch, expect: ErpExportChange = asRead(r)): Promise<ErpExportRecord | undefined> {
    const result = await store.transition(r.id, to, reason, { ...expect, set });
    if (result.applied) {
      options.publish?.(result.record, r.status);
      return result.record;
    }
    logger.info({ exportId: r.id, status: result.record.status, wanted: to }, 'ERP order export changed since it was read: outcome not recorded');
    return undefined;
  }

  /** Counts the call and marks it in flight, before it is made; undefined when the export moved meanwhile. */
  async function begin(r: ErpExportRecord, step: ErpExportStep): Promise<ErpExportRecord | undefined> {
    if (r.attempts >= maxCalls) {
      await move(r, 'FAILED', `${r.attempts} ERP calls made without settling it; last: ${r.lastError?.message ?? 'none'} (retryErpOrderExport takes it up again)`, {}, { ...asRead(r), idle: true });
      return undefined;
    }
    return move(r, r.status, `${TRANSACTION[step]} started`, { attempts: r.attempts + 1, sendingSince: new Date().toISOString(), step }, { ...asRead(r), idle: true });
  }

  /** The outcome of a failed call: refused → `refusedTo`; not sent → where it was; may have landed → UNKNOWN (step kept). */
  async function failed(r: ErpExportRecord, err: unknown, step: ErpExportStep, refusedTo: (error: ErpExportError) => [ErpExportStatus, ErpExportPatch]): Promise<void> {
    const f = classify(err, TRANSACTION[step]);
    if (!f) throw err;
    const done = { sendingSince: null, lastError: f.error };
    switch (f.kind) {
      case 'refused': {
        const [to, set] = refusedTo(f.error);
        await move(r, to, `${TRANSACTION[step]} refused: ${f.error.message}`, { ...done, step: null, ...set });
        return;
      }
      case 'notSent':
        await move(r, r.status, `${TRANSACTION[step]} not sent: ${f.error.message}`, { ...done, step: null });
        return;
      case 'unknown':
        await move(r, 'UNKNOWN', `${TRANSACTION[step]}: outcome unknown (${f.error.message}); the order is looked up by CUOR before anything is sent again`, { ...done, step });
        return;
      default: {
        const never: never = f.kind;
        throw new Error(`unknown call failure ${String(never)}`);
      }
    }
  }

  /** After an unknown outcome: what landed, by CUOR. */
  async function reconcile(r: ErpExportRecord, lane: Lane, signal: AbortSignal): Promise<ErpExportRecord | undefined> {
    const step: ErpExportStep = r.step ?? (r.batchOrderNumber === null ? 'HEAD' : 'LINES');
    let heads;
    try {
      heads = await ordering.findByReference(r.customerReference, lane, signal);
    } catch (err) {
      if (signal.aborted || !(err instanceof UpstreamError || isClientFacing(err))) throw err;
      // The lookup itself failed: nothing is sent until it answers (the next run asks again).
      await move(r, r.status, `the look-up by CUOR failed: ${exportErrorOf(err, 'OIS100MI/LstHead').message}`, { lastError: exportErrorOf(err, 'OIS100MI/LstHead') });
      return undefined;
    }
    const mine = heads.filter((h) => !r.abandoned.includes(h.orderNumber));
    const confirmed = mine.filter((h) => h.confirmed);
    const settled = { sendingSince: null, step: null };
    if (confirmed[0]) {
      if (confirmed.length > 1) logger.error({ exportId: r.id, reference: r.customerReference, orders: confirmed.map((h) => h.orderNumber) }, 'the ERP holds several confirmed orders for one store order');
      const lines = r.lines.map((l) => (l.status === 'PENDING' && step === 'CONFIRM' ? { ...l, status: 'ADDED' as const } : l));
      return move(r, 'CONFIRMED', `found confirmed in the ERP by CUOR after ${TRANSACTION[step]}: order ${confirmed[0].orderNumber}`, { ...settled, orderNumber: confirmed[0].orderNumber, lines, lastError: null });
    }
    const open = mine.filter((h) => !h.confirmed);
    const known = open.find((h) => h.orderNumber === r.batchOrderNumber);
    switch (step) {
      case 'HEAD': {
        const adopted = known ?? open[0];
        if (!adopted) return move(r, 'PENDING', 'no order in the ERP by CUOR: AddBatchHead did not land, and is sent again', { ...settled, batchOrderNumber: null });
        const extra = open.filter((h) => h !== adopted).map((h) => h.orderNumber);
        if (extra.length) logger.error({ exportId: r.id, reference: r.customerReference, extra }, 'several open batch heads for one store order: the others are abandoned');
        return move(r, 'OPEN', `found batch head ${adopted.orderNumber} in the ERP by CUOR after AddBatchHead`, { ...settled, batchOrderNumber: adopted.orderNumber, abandoned: [...r.abandoned, ...extra] });
      }
      case 'CONFIRM':
        if (known) return move(r, 'OPEN', `batch head ${known.orderNumber} is still unconfirmed: Confirm did not land, and is sent again`, settled);
        return abandon(r, `batch head ${r.batchOrderNumber ?? '?'} is not in the ERP any more after Confirm`);
      case 'LINES':
        return abandon(r, `the outcome of AddBatchLine on batch head ${r.batchOrderNumber ?? '?'} is unknown (M3 lists no batch lines)`);
      default: {
        const never: never = step;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }

  /** Gives up a batch head (never confirmed; later lookups ignore it): the order is entered again from its head. */
  function abandon(r: ErpExportRecord, why: string): Promise<ErpExportRecord | undefined> {
    const lines = r.lines.map((l): ErpExportLine => ({ ...l, status: 'PENDING', erpLineNumber: null, error: null }));
    const abandoned = r.batchOrderNumber ? [...r.abandoned, r.batchOrderNumber] : r.abandoned;
    return move(r, 'PENDING', `${why}: batch head abandoned (never confirmed), the order is entered again`, { sendingSince: null, step: null, batchOrderNumber: null, abandoned, lines });
  }

  async function sendHead(r: ErpExportRecord, lane: Lane, signal: AbortSignal): Promise<boolean> {
    const begun = await begin(r, 'HEAD');
    if (!begun) return false;
    let batch: string;
    try {
      batch = await ordering.addHead(begun.customerReference, lane, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      await failed(begun, err, 'HEAD', () => ['FAILED', {}]);
      return false;
    }
    return (await move(begun, 'OPEN', `batch head ${batch} added (${ordering.enteredAs})`, { sendingSince: null, step: null, batchOrderNumber: batch, lastError: null })) !== undefined;
  }

  async function sendLines(r: ErpExportRecord, lane: Lane, signal: AbortSignal): Promise<boolean> {
    const batch = r.batchOrderNumber as string;
    // A line the item rule gives no item number for is refused here, without a call.
    const mapped = r.lines.map((l): ErpExportLine => (l.status === 'PENDING' && l.itemNumber === null ? { ...l, status: 'REFUSED', error: noItemError(l.sku) } : l));
    const toSend = mapped.filter((l) => l.status === 'PENDING');
    const ended = (lines: ErpExportLine[], begun: ErpExportRecord, how: string) => {
      const refused = lines.filter((l) => l.status === 'REFUSED');
      if (refused.length === 0) return move(begun, 'OPEN', how, { sendingSince: null, step: null, lines, lastError: null });
      const first = refused[0]!.error;
      return move(begun, 'PARTIAL', `${how}; ${refused.length} of ${lines.length} refused (line ${refused.map((l) => l.lineNumber).join(', ')}): not confirmed short of a line`, {
        sendingSince: null,
        step: null,
        lines,
        lastError: first,
      });
    };
    if (toSend.length === 0) {
      await ended(mapped, r, 'no line to send');
      return false;
    }
    const begun = await begin(r, 'LINES');
    if (!begun) return false;
    let outcomes;
    try {
      outcomes = await ordering.addLines(batch, toSend.map((l) => ({ itemNumber: l.itemNumber as string, quantity: l.quantity })), lane, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      await failed(begun, err, 'LINES', (error) => ['PARTIAL', { lines: mapped.map((l) => (l.status === 'PENDING' ? { ...l, status: 'REFUSED', error } : l)) }]);
      return false;
    }
    const byLine = new Map(toSend.map((l, i) => [l.lineNumber, outcomes[i]]));
    const lines = mapped.map((l): ErpExportLine => {
      const o = byLine.get(l.lineNumber);
      if (!o) return l;
      return o.ok ? { ...l, status: 'ADDED', erpLineNumber: o.lineNumber || null, error: null } : { ...l, status: 'REFUSED', error: exportErrorOf(o.error, 'OIS100MI/AddBatchLine') };
    });
    const next = await ended(lines, begun, `${toSend.length} line${toSend.length === 1 ? '' : 's'} sent to batch head ${batch}`);
    return next?.status === 'OPEN';
  }

  async function sendConfirm(r: ErpExportRecord, lane: Lane, signal: AbortSignal): Promise<boolean> {
    const begun = await begin(r, 'CONFIRM');
    if (!begun) return false;
    let head;
    try {
      head = await ordering.confirm(begun.batchOrderNumber as string, lane, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      await failed(begun, err, 'CONFIRM', () => ['FAILED', {}]);
      return false;
    }
    await move(begun, 'CONFIRMED', `confirmed: customer order ${head.orderNumber}${head.status ? ` (status ${head.status})` : ''}`, { sendingSince: null, step: null, orderNumber: head.orderNumber, lastError: null });
    return false;
  }

  /** One step; true when there is more to do now. */
  async function step(r: ErpExportRecord, lane: Lane, signal: AbortSignal): Promise<boolean> {
    if (r.sendingSince !== null) {
      // Found in flight by a new holder: its sender stopped (a crash, a lost lease) mid-call.
      const step = r.step ?? (r.batchOrderNumber === null ? 'HEAD' : 'LINES');
      return (await move(r, 'UNKNOWN', `${TRANSACTION[step]} was in flight when its sender stopped (since ${r.sendingSince}): outcome unknown`, { sendingSince: null, step })) !== undefined;
    }
    if (r.status === 'UNKNOWN') return (await reconcile(r, lane, signal)) !== undefined;
    switch (r.status) {
      case 'PENDING':
        return sendHead(r, lane, signal);
      case 'OPEN':
        if (r.batchOrderNumber === null) return (await move(r, 'PENDING', 'no batch head recorded', {})) !== undefined;
        if (r.lines.some((l) => l.status === 'PENDING')) return sendLines(r, lane, signal);
        if (r.lines.some((l) => l.status === 'REFUSED')) {
          await move(r, 'PARTIAL', 'a line was refused', {});
          return false;
        }
        return sendConfirm(r, lane, signal);
      case 'PARTIAL':
      case 'FAILED':
      case 'CONFIRMED':
      case 'SKIPPED':
        return false;
      default: {
        const never: never = r.status;
        throw new Error(`unknown ERP export status ${String(never)}`);
      }
    }
  }

  async function advance(id: string, lane: Lane, outer?: AbortSignal): Promise<ErpExportRecord | undefined> {
    const lease = await leases.acquire(`erp-export:${id}`, leaseMs);
    if (!lease) return undefined;
    const held = holdLease(lease, leaseMs, (why) => logger.warn({ exportId: id, why }, 'ERP export lease lost: aborting the call in flight'));
    const signal = outer ? AbortSignal.any([outer, held.signal]) : held.signal;
    try {
      // Head, lines, confirmation, and a look-up or an abandoned batch in between: a bounded number of steps.
      for (let n = 0; n < 12; n++) {
        const current = await store.get(id);
        if (!current || !DRIVEN_EXPORTS.includes(current.status)) return current;
        if (!(await step(current, lane, signal))) break;
      }
      return await store.get(id);
    } catch (err) {
      // A lost lease or a stop: the call in flight stays marked; the next holder looks the order up first.
      if (signal.aborted) return undefined;
      throw err;
    } finally {
      await held.end();
    }
  }

  return {
    async intend(order, lines, jobId) {
      const base = { storeOrderId: order.orderId, customerReference: order.orderId, jobId };
      if (order.cancelled || lines.length === 0) {
        const why = order.cancelled ? `the store will not fulfil it (${order.status})` : 'the store order has no lines';
        return store.create({ ...base, status: 'SKIPPED', lines: [], lastError: null }, `not exported: ${why}`);
      }
      const mapped = lines.map((l, i): ErpExportLine => ({
        lineNumber: i + 1,
        storeLineId: l.lineId,
        sku: l.sku,
        itemNumber: itemRule.forSku(l.sku),
        quantity: l.quantity,
        status: 'PENDING',
        erpLineNumber: null,
        error: null,
      }));
      return store.create({ ...base, status: 'PENDING', lines: mapped, lastError: null }, `store order ${order.orderId} (${order.status}) to be entered in the ERP`);
    },

    advance,

    async retry(id, lane, signal) {
      const r = await store.get(id);
      if (!r) throw crossdockError(ErrorCode.NOT_FOUND, 'no such ERP order export', { argument: 'id' });
      if (isSettledExport(r.status)) return r;
      if (RETRYABLE_EXPORTS.includes(r.status)) {
        // The refused lines again, re-mapped (the item rule may have been fixed), to the same batch head.
        const lines = r.lines.map((l): ErpExportLine => (l.status === 'REFUSED' ? { ...l, status: 'PENDING', itemNumber: l.itemNumber ?? itemRule.forSku(l.sku), error: null } : l));
        const to: ErpExportStatus = r.step !== null ? 'UNKNOWN' : r.batchOrderNumber === null ? 'PENDING' : 'OPEN';
        await move(r, to, `retried (was ${r.status})`, { lines, attempts: 0 }, { from: RETRYABLE_EXPORTS, idle: true });
      }
      return (await advance(id, lane, signal)) ?? ((await store.get(id)) as ErpExportRecord);
    },
  };
}
