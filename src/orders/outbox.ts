/**
 * The order outbox worker. An order intent is stored before any upstream
 * call; this worker sends it. FinditParts has no idempotency keys, so every
 * attempt after the first (and every order found mid-send after a crash)
 * first looks the order up by its `po_number`: if an earlier attempt landed,
 * it is adopted, never sent again. Failed attempts retry three times —
 * whether the supplier answered 5xx or the outcome is unknown — then the
 * order waits in MANUAL_REVIEW for a person.
 *
 * Every write is compare-and-set on the state the worker read (status and
 * attempt count): starting an attempt marks it in flight (`sendingSince`),
 * which a cancel cannot overtake, and an outcome is recorded only if nobody
 * (a cancel, another instance after a lost lease) changed the order since.
 * A lost send lease aborts the call in flight; the instance that lost it
 * records nothing and the next holder looks the order up by po_number.
 */
import type { Logger } from '../observability/logger.js';
import { createLocalLeases, holdLease, type Leases } from '../storage/leases.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';
import type { SupplierOrderAck, SupplierOrdering } from '../domain/ports.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { OrderChange, OrderStore } from './orderStore.js';
import { createPassLoop } from './passLoop.js';
import type { SupplierOrderRecord, SupplierOrderStatus } from './types.js';
import { SENDABLE, TRACKED } from './types.js';

export interface OutboxOptions {
  store: OrderStore;
  /** The supplier's ordering (domain/ports.ts). */
  orders: SupplierOrdering;
  logger: Logger;
  publish(order: SupplierOrderRecord): void;
  /** Retries after the first attempt before MANUAL_REVIEW. @default 3 */
  maxRetries?: number;
  /** Delay before retry n is n × this. @default 5000 */
  retryStepMs?: number;
  /** How often the worker looks for due orders. @default 250 */
  tickMs?: number;
  /** How often placed orders' statuses are polled. @default 30000 */
  pollMs?: number;
  /**
   * Where per-order send leases live: an order is sent by one instance at a
   * time, and when that instance dies the lease runs out and another picks
   * the order up (looking it up by po_number first). @default in-process leases
   */
  leases?: Leases;
  /** Send lease length, renewed every third of it. @default 15000 */
  leaseMs?: number;
  /** How often expired idempotency keys are purged (also once at start). @default 3600000 */
  purgeEveryMs?: number;
  /** The clock idempotency keys expire by, ms since the epoch. @default Date.now */
  now?: () => number;
}

export interface Outbox {
  start(): void;
  /** Look for due orders now. */
  kick(): void;
  stop(): Promise<void>;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, orders, logger, publish } = options;
  const maxRetries = options.maxRetries ?? 3;
  const retryStepMs = options.retryStepMs ?? 5_000;
  const working = new Set<string>();
  const leases = options.leases ?? createLocalLeases();
  const leaseMs = options.leaseMs ?? 15_000;
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const later = (ms: number) => new Date(Date.now() + ms).toISOString();

  /** The state a write from this worker expects: the status and attempt count it read. */
  const asRead = (o: SupplierOrderRecord): OrderChange => ({ from: [o.status], attempts: o.attempts });

  async function record(order: SupplierOrderRecord, to: SupplierOrderStatus, reason: string, change: OrderChange): Promise<void> {
    const result = await store.transition(order.id, to, reason, change);
    if (result.applied) publish(result.order);
    else logger.info({ orderId: order.id, status: result.order.status, wanted: to }, 'order changed since it was read (cancelled, or taken over): outcome not recorded');
  }

  async function adopt(order: SupplierOrderRecord, found: SupplierOrderAck, reason: string, expected: OrderChange): Promise<void> {
    await record(order, found.state, reason, {
      ...expected,
      set: { supplierOrderId: found.id, nextAttemptAt: null, lastError: null, trackingNumber: found.trackingNumber, sendingSince: null },
    });
  }

  async function send(order: SupplierOrderRecord, signal: AbortSignal): Promise<void> {
    if (order.attempts > 0) {
      // An earlier attempt may have landed (timeout, reset, crash mid-send): ask before sending again.
      const existing = await orders.findByPoNumber(order.poNumber, 'bulk', signal);
      if (existing[0]) {
        if (existing.length > 1) logger.error({ orderId: order.id, poNumber: order.poNumber, count: existing.length }, 'supplier holds several orders for one po_number');
        await adopt(order, existing[0], `found at the supplier by po_number after attempt ${order.attempts}`, asRead(order));
        return;
      }
    }
    // Count the attempt and mark it in flight before sending, compare-and-set on what was read: a
    // cancel that landed since wins and nothing is sent; after a crash the next worker knows to look first.
    const begun = await store.transition(order.id, order.status, `attempt ${order.attempts + 1} started`, {
      ...asRead(order),
      set: { attempts: order.attempts + 1, sendingSince: new Date().toISOString() },
    });
    if (!begun.applied) {
      logger.info({ orderId: order.id, status: begun.order.status }, 'order changed before its send started: not sent');
      return;
    }
    const attempt = begun.order;
    let placed: SupplierOrderAck;
    try {
      const { street2, ...address } = attempt.address;
      placed = await orders.place(
        {
          poNumber: attempt.poNumber,
          shippingMethod: attempt.shippingMethod,
          address: street2 ? { ...address, street2 } : address,
          items: attempt.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
        },
        signal,
      );
    } catch (err) {
      // The lease was lost: another instance owns the order now; it looks it up by po_number.
      if (signal.aborted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const outcome = { ...asRead(attempt), set: { lastError: message, sendingSince: null } };
      if (err instanceof UpstreamError && err.kind === 'rejected') {
        await record(attempt, 'REJECTED', `the supplier refused it: ${message}`, { ...outcome, set: { ...outcome.set, nextAttemptAt: null } });
      } else if (attempt.attempts > maxRetries) {
        // The cap comes first: an attempt whose outcome is unknown counts as much as a 5xx, or a
        // supplier that never answers (and never records the order) would be asked forever.
        const unknown = err instanceof UpstreamError && err.outcomeUnknown ? ' (outcome unknown; a retry looks it up by po_number first)' : '';
        await record(attempt, 'MANUAL_REVIEW', `${attempt.attempts} attempts failed; last: ${message}${unknown}`, { ...outcome, set: { ...outcome.set, nextAttemptAt: null } });
      } else if (err instanceof UpstreamError && err.outcomeUnknown) {
        await record(attempt, 'UNKNOWN', `outcome unknown (${message}); will look it up by po_number`, { ...outcome, set: { ...outcome.set, nextAttemptAt: later(retryStepMs) } });
      } else {
        await record(attempt, 'RETRY_WAIT', `attempt ${attempt.attempts} failed: ${message}`, { ...outcome, set: { ...outcome.set, nextAttemptAt: later(retryStepMs * attempt.attempts) } });
      }
      return;
    }
    await adopt(attempt, placed, `placed with the supplier on attempt ${attempt.attempts}`, asRead(attempt));
  }

  async function drain(): Promise<void> {
    const due = (await store.due(new Date().toISOString(), SENDABLE)).filter((o) => !working.has(o.id));
    await Promise.all(
      due.map(async (order) => {
        working.add(order.id);
        try {
          const lease = await leases.acquire(`order:${order.id}`, leaseMs);
          if (!lease) return; // another instance is sending it
          const held = holdLease(lease, leaseMs, (why) => logger.warn({ orderId: order.id, why }, 'order send lease lost: aborting the send in flight'));
          try {
            // Read again under the lease: another instance may have sent it since the list was read.
            const current = await store.get(order.id);
            if (!current || !SENDABLE.includes(current.status) || (current.nextAttemptAt && current.nextAttemptAt > new Date().toISOString())) return;
            try {
              await send(current, held.signal);
            } catch (err) {
              if (held.signal.aborted) return; // nothing is recorded by an instance that lost the lease
              // The po_number lookup failed: try again on a later tick (if the order is still as read).
              await store.transition(current.id, current.status, 'lookup failed', {
                ...asRead(current),
                set: { lastError: err instanceof Error ? err.message : String(err), nextAttemptAt: later(retryStepMs) },
              });
            }
          } finally {
            await held.end();
          }
        } catch (err) {
          logger.warn({ orderId: order.id, err: err instanceof Error ? err.message : String(err) }, 'order send deferred: the store is unreachable');
        } finally {
          working.delete(order.id);
        }
      }),
    );
  }

  async function poll(): Promise<void> {
    // One instance polls per interval: the lease is left to run out, never released.
    if (!(await leases.acquire('outbox:poll', Math.max(100, Math.floor((options.pollMs ?? 30_000) * 0.9))))) return;
    for (const order of await store.inStatus(TRACKED)) {
      if (!order.supplierOrderId || stopped) continue;
      try {
        const found = await orders.get(order.supplierOrderId, 'bulk');
        if (!found) continue;
        if (found.state !== order.status) await adopt(order, found, `supplier reports ${found.statusText}`, { from: [order.status] });
      } catch (err) {
        logger.warn({ orderId: order.id, err: err instanceof Error ? err.message : String(err) }, 'order status poll failed');
      }
    }
  }

  const passes = createPassLoop(drain, (err) => {
    // A store outage is expected to pass (the next tick retries): a warning, not an error per tick.
    if (isStoreUnavailable(err)) logger.warn({ err: err.message }, 'outbox pass skipped: the store is unreachable');
    else logger.error({ err: err instanceof Error ? err.message : String(err) }, 'outbox pass failed');
  });
  const schedule = passes.kick;

  return {
    start() {
      timer = setInterval(schedule, options.tickMs ?? 250);
      timer.unref();
      const pollEvery = options.pollMs ?? 30_000;
      let polling = false;
      pollTimer = setInterval(() => {
        if (polling || stopped) return;
        polling = true;
        poll()
          .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'order status poll skipped'))
          .finally(() => {
            polling = false;
          });
      }, pollEvery);
      pollTimer.unref();
      // Idempotency keys past their TTL (IETF Idempotency-Key draft: kept for a bounded time). Every
      // instance may purge: deleting an expired key twice is harmless.
      const purge = () =>
        void store
          .purgeExpiredKeys(now())
          .then((n) => n > 0 && logger.info({ purged: n }, 'expired idempotency keys purged'))
          .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'idempotency key purge skipped'));
      purge();
      purgeTimer = setInterval(purge, options.purgeEveryMs ?? 3_600_000);
      purgeTimer.unref();
      schedule();
    },
    kick: schedule,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (pollTimer) clearInterval(pollTimer);
      if (purgeTimer) clearInterval(purgeTimer);
      await passes.stop();
    },
  };
}
