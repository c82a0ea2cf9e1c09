/**
 * The product-message outbox worker. A message intent is stored before any
 * call to the vendor; this worker sends it, one instance at a time (a lease
 * per message, `message:{id}`), each attempt counted and marked in flight
 * (SENDING) before it is made, every outcome recorded compare-and-set on the
 * state it read.
 *
 * WhatsApp has no idempotency keys and no lookup by a client's reference,
 * so a send whose outcome is unknown (a timeout or lost connection after
 * sending, a 5xx, an instance that died mid-send) is never sent again: the
 * message is UNKNOWN until a status event that echoes its reference resolves
 * it. Everything the vendor refused without taking the message is safe to
 * send again, and is, on the vendor's terms:
 *
 * | reason (vendor code) | then |
 * | --- | --- |
 * | THROUGHPUT (130429), ACCOUNT_RATE (80007), AUTH (190), UNAVAILABLE | again after a delay, up to `maxAttempts` |
 * | PAIR_RATE (131056), or the recipient paced here | again once the recipient interval has passed (a local deferral is not an attempt) |
 * | WINDOW_CLOSED (131047) | as the template, when one is configured; else FAILED |
 * | UNDELIVERABLE (131026), REJECTED | FAILED |
 * | OUTCOME_UNKNOWN | UNKNOWN, never resent |
 *
 * Which form a message takes is decided at each send: interactive (one
 * product, or a product list) inside the customer's 24-hour window, the
 * template outside it (customerWindow.ts).
 */
import type { Messaging, OutgoingMessageKind } from '../domain/messagingPorts.js';
import { MessagingError } from '../domain/messagingError.js';
import type { Logger } from '../observability/logger.js';
import { createPassLoop } from '../orders/passLoop.js';
import { createLocalLeases, holdLease, type Leases } from '../storage/leases.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';
import { windowOpen } from './customerWindow.js';
import type { MessageStore, MessageUpdate } from './messageStore.js';
import { referenceOf } from './reference.js';
import type { ProductMessageRecord } from './types.js';

export interface MessageOutboxOptions {
  store: MessageStore;
  messaging: Messaging;
  logger: Logger;
  /** Every change this worker recorded. */
  publish(message: ProductMessageRecord): void;
  /** Attempts before a message that keeps being refused is FAILED. @default 8 */
  maxAttempts?: number;
  /** The delay before a retry after refused attempt n is this doubling n - 1 times, at most 10 minutes (rate limits: the vendor's own wait). @default 5000 */
  retryStepMs?: number;
  /** How often the worker looks for due messages. @default 250 */
  tickMs?: number;
  /** Messages read per pass. @default 200 */
  batch?: number;
  /** Sends in flight at once (each waits for the number's budget). @default 200 */
  concurrency?: number;
  /** Send leases (shared by every instance with REDIS_URL). @default in-process */
  leases?: Leases;
  /** Send lease length, renewed every third of it; a send older than twice this with no lease was interrupted. @default 15000 */
  leaseMs?: number;
  /** The clock the customer window is judged by, ms since the epoch. @default Date.now */
  now?: () => number;
}

export interface MessageOutbox {
  start(): void;
  /** Look for due messages now. */
  kick(): void;
  stop(): Promise<void>;
}

/** The wait the vendor's refusals ask for, when they name none. */
const DEFAULT_WAIT_MS: Partial<Record<MessagingError['reason'], number>> = { THROUGHPUT: 1_000, ACCOUNT_RATE: 60_000 };

export function createMessageOutbox(options: MessageOutboxOptions): MessageOutbox {
  const { store, messaging, logger, publish } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const retryStepMs = options.retryStepMs ?? 5_000;
  const batch = options.batch ?? 200;
  const leases = options.leases ?? createLocalLeases();
  const leaseMs = options.leaseMs ?? 15_000;
  const now = options.now ?? Date.now;
  const concurrency = options.concurrency ?? 200;
  const working = new Set<string>();
  const busyRecipients = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let nextSweepAt = 0;
  let timer: NodeJS.Timeout | undefined;

  const later = (ms: number) => new Date(Date.now() + ms).toISOString();
  /** After refused attempt n: the step doubling, at most 10 minutes (an expired token is fixed by a person). */
  const backoff = (attempt: number) => Math.min(600_000, retryStepMs * 2 ** (attempt - 1));
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

  async function record(id: string, decide: (m: ProductMessageRecord) => MessageUpdate | null, how: { quiet?: boolean } = {}): Promise<ProductMessageRecord | null> {
    const result = await store.change(id, decide);
    // Bookkeeping that changes nothing a subscriber sees (when to try next) is not published.
    if (result.applied && !how.quiet) publish(result.message);
    return result.applied ? result.message : null;
  }

  /** The form this send takes, or why it cannot go. */
  async function formOf(m: ProductMessageRecord): Promise<OutgoingMessageKind | null> {
    const open = !m.templateOnly && windowOpen(await store.contact(m.recipient), now(), messaging.customerWindowMs);
    if (open) return m.products.length === 1 ? 'PRODUCT' : 'PRODUCT_LIST';
    return messaging.template ? 'TEMPLATE' : null;
  }

  async function sendOne(queued: ProductMessageRecord, signal: AbortSignal): Promise<void> {
    const kind = await formOf(queued);
    if (kind === null) {
      await record(queued.id, (m) =>
        m.status === 'QUEUED' && m.attempts === queued.attempts
          ? {
              to: 'FAILED',
              reason: 'outside the customer’s 24-hour window, and no template is configured (WHATSAPP_TEMPLATE_NAME)',
              set: { nextAttemptAt: null, lastError: 'outside the customer window; no template configured' },
              addErrors: [{ code: 'WINDOW_CLOSED', title: 'Outside the customer window', message: 'no template is configured for customers who have not written in 24 hours', reason: 'WINDOW_CLOSED', at: new Date().toISOString() }],
            }
          : null,
      );
      return;
    }
    const attempt = queued.attempts + 1;
    // Counted and marked in flight before the call: after a crash the next worker knows it may have gone.
    const begun = await record(queued.id, (m) =>
      m.status === 'QUEUED' && m.attempts === queued.attempts
        ? { to: 'SENDING', reason: `attempt ${attempt} as ${kind}`, set: { attempts: attempt, kind, sendingSince: new Date().toISOString(), nextAttemptAt: null } }
        : null,
    );
    if (!begun) return;
    const inFlight = (m: ProductMessageRecord) => m.status === 'SENDING' && m.attempts === attempt;
    let vendorMessageId: string;
    try {
      ({ vendorMessageId } = await messaging.send({ kind, to: begun.recipient, products: begun.products, body: begun.body, reference: referenceOf(begun.id, attempt) }, signal));
    } catch (err) {
      if (signal.aborted) throw err; // the lease was lost: this instance records nothing
      await recordFailure(begun, attempt, kind, err, inFlight);
      return;
    }
    // A status event may have recorded the send already (it echoes the reference): then nothing to do.
    await record(begun.id, (m) =>
      inFlight(m) ? { to: 'SENT', reason: `sent as ${kind} on attempt ${attempt}`, set: { vendorMessageId, sendingSince: null, lastError: null } } : null,
    );
  }

  async function recordFailure(m0: ProductMessageRecord, attempt: number, kind: OutgoingMessageKind, err: unknown, inFlight: (m: ProductMessageRecord) => boolean): Promise<void> {
    const failure = err instanceof MessagingError ? err : new MessagingError('OUTCOME_UNKNOWN', errorText(err));
    const at = new Date().toISOString();
    const detail = failure.vendorCode ? `${failure.vendorCode}: ${failure.message}` : failure.message;
    const errorRecord = { code: failure.vendorCode ?? failure.reason, title: failure.reason, message: failure.message, reason: failure.reason, at };
    const done = { sendingSince: null, lastError: detail };
    switch (failure.reason) {
      case 'OUTCOME_UNKNOWN':
        await record(m0.id, (m) => (inFlight(m) ? { to: 'UNKNOWN', reason: `attempt ${attempt}: outcome unknown (${detail}); not resent`, set: { ...done, nextAttemptAt: null }, addErrors: [errorRecord] } : null));
        return;
      case 'WINDOW_CLOSED': {
        await store.refuseWindow(m0.recipient, at);
        const asTemplate = kind !== 'TEMPLATE' && messaging.template !== null;
        await record(m0.id, (m) =>
          !inFlight(m)
            ? null
            : asTemplate
              ? { to: 'QUEUED', reason: `refused as outside the customer's window (${detail}): the template goes instead`, set: { ...done, templateOnly: true, nextAttemptAt: at }, addErrors: [errorRecord] }
              : { to: 'FAILED', reason: `refused as outside the customer's window (${detail})`, set: { ...done, nextAttemptAt: null }, addErrors: [errorRecord] },
        );
        if (asTemplate) schedule();
        return;
      }
      case 'UNDELIVERABLE':
      case 'REJECTED':
        await record(m0.id, (m) => (inFlight(m) ? { to: 'FAILED', reason: `the vendor refused it: ${detail}`, set: { ...done, nextAttemptAt: null }, addErrors: [errorRecord] } : null));
        return;
      case 'PAIR_RATE':
      case 'THROUGHPUT':
      case 'ACCOUNT_RATE':
      case 'AUTH':
      case 'UNAVAILABLE': {
        // Paced here before any call (the recipient's interval, the number's budget): not an attempt, no error to show.
        const deferred = failure.deferred;
        const wait = failure.retryInMs || DEFAULT_WAIT_MS[failure.reason] || (failure.reason === 'PAIR_RATE' ? messaging.recipientIntervalMs : backoff(attempt));
        if (!deferred && attempt >= maxAttempts) {
          await record(m0.id, (m) => (inFlight(m) ? { to: 'FAILED', reason: `${attempt} attempts refused; last: ${detail}`, set: { ...done, nextAttemptAt: null }, addErrors: [errorRecord] } : null));
          return;
        }
        await record(m0.id, (m) =>
          inFlight(m)
            ? {
                to: 'QUEUED',
                reason: deferred ? `paced: the recipient was messaged moments ago` : `attempt ${attempt} refused (${detail}); again in ${Math.ceil(wait / 1000)} s`,
                set: { ...done, ...(deferred ? { attempts: attempt - 1, lastError: m.lastError } : {}), nextAttemptAt: later(wait) },
                addErrors: deferred ? [] : [errorRecord],
              }
            : null,
        );
        return;
      }
      default: {
        const never: never = failure.reason;
        throw new Error(`unknown messaging failure ${String(never)}`);
      }
    }
  }

  /** A send older than twice the lease whose lease is free: its sender died mid-send. It may have gone. */
  async function sweepStalled(): Promise<void> {
    const before = new Date(Date.now() - 2 * leaseMs).toISOString();
    for (const m of await store.stalled(before, 50)) {
      if (working.has(m.id)) continue;
      const lease = await leases.acquire(`message:${m.id}`, leaseMs);
      if (!lease) continue;
      try {
        await record(m.id, (cur) =>
          cur.status === 'SENDING' && cur.attempts === m.attempts
            ? { to: 'UNKNOWN', reason: `attempt ${m.attempts} was interrupted (its sender stopped); its outcome is unknown, so it is not resent`, set: { sendingSince: null } }
            : null,
        );
      } finally {
        await lease.release();
      }
    }
  }

  /** One message, under its send lease: paced, or sent. */
  async function attemptOne(m: ProductMessageRecord): Promise<void> {
    try {
      const ready = messaging.readyIn(m.recipient);
      if (ready > 0) {
        // Bookkeeping, no history: when the recipient may be messaged again.
        await record(m.id, (cur) => (cur.status === 'QUEUED' && cur.attempts === m.attempts ? { to: 'QUEUED', reason: 'paced', set: { nextAttemptAt: later(ready) } } : null), { quiet: true });
        return;
      }
      const lease = await leases.acquire(`message:${m.id}`, leaseMs);
      if (!lease) return; // another instance is sending it
      const held = holdLease(lease, leaseMs, (why) => logger.warn({ messageId: m.id, why }, 'message send lease lost: aborting the send in flight'));
      try {
        const current = await store.get(m.id);
        if (!current || current.status !== 'QUEUED' || (current.nextAttemptAt && current.nextAttemptAt > new Date().toISOString())) return;
        await sendOne(current, held.signal).catch((err: unknown) => {
          if (!held.signal.aborted) throw err;
        });
      } finally {
        await held.end();
      }
    } catch (err) {
      logger.warn({ messageId: m.id, err: errorText(err) }, 'message send deferred: the store is unreachable');
    }
  }

  /**
   * Fills the sends in flight up to `concurrency` and returns without waiting for them: a send
   * that ends makes room, and once half the room is free the next pass refills it, so the
   * number's budget is never idle while messages are due (a pass that waited for all its sends
   * would leave it idle at each pass's end).
   */
  async function drain(): Promise<boolean> {
    if (Date.now() >= nextSweepAt) {
      nextSweepAt = Date.now() + Math.min(leaseMs, 5_000);
      await sweepStalled();
    }
    const room = concurrency - working.size;
    if (room <= 0) return false;
    const due = (await store.due(new Date().toISOString(), Math.min(batch, room) + working.size)).filter((m) => !working.has(m.id));
    // One message per recipient at a time: the next waits for the recipient's interval anyway.
    const recipients = new Set(busyRecipients);
    const pass = due.filter((m) => (recipients.has(m.recipient) ? false : (recipients.add(m.recipient), true))).slice(0, room);
    for (const m of pass) {
      working.add(m.id);
      busyRecipients.add(m.recipient);
      const sending = attemptOne(m).finally(() => {
        working.delete(m.id);
        busyRecipients.delete(m.recipient);
        inFlight.delete(sending);
        if (working.size <= concurrency / 2) schedule();
      });
      inFlight.add(sending);
    }
    // More due than taken (a full batch, or recipients already busy): look again once room frees.
    return false;
  }

  const passes = createPassLoop(drain, (err) => {
    if (isStoreUnavailable(err)) logger.warn({ err: err.message }, 'message outbox pass skipped: the store is unreachable');
    else logger.error({ err: errorText(err) }, 'message outbox pass failed');
  });
  const schedule = passes.kick;

  return {
    start() {
      timer = setInterval(schedule, options.tickMs ?? 250);
      timer.unref();
      schedule();
    },
    kick: schedule,
    async stop() {
      if (timer) clearInterval(timer);
      await passes.stop();
      // The sends in flight end on their own (each bounded by its deadline); the lifecycle's grace bounds the wait.
      await Promise.allSettled([...inFlight]);
    },
  };
}
