/**
 * sendProductMessage: exactly one WhatsApp message per idempotency key.
 *
 * The intent is stored before anything is sent, once per API client and key
 * for good (a unique key in the record layer): the same key with the same
 * input answers that message (`replayed: true`, as it is now), the same key
 * with other input is IDEMPOTENCY_CONFLICT (`KEY_REUSED`). The outbox
 * (messageOutbox.ts) sends it; the mutation waits for the first send up to
 * `waitMs` and answers with the message as it then is.
 *
 * The vendor's events (webhooks, verified by the connector) arrive here:
 * statuses move a message forwards only (statusRules.ts), matched by the
 * vendor's message id or, before the send's answer was recorded, by the
 * reference echoed with them (the message id and attempt); customer messages
 * open their window.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import { isRecordId } from '../domain/codes.js';
import { parseE164 } from '../domain/phoneNumber.js';
import type { Messaging, MessagingEvent } from '../domain/messagingPorts.js';
import { waitUntilSettled } from '../events/waitUntilSettled.js';
import type { Logger } from '../observability/logger.js';
import type { MessageStore } from './messageStore.js';
import type { MessageOutbox } from './messageOutbox.js';
import { parseReference } from './reference.js';
import { statusVerdict } from './statusRules.js';
import type { MessageEventRecord, MessageProductRef, ProductMessageRecord } from './types.js';

export const MAX_KEY_LENGTH = 255;
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface SendMessageInput {
  /** As the client gave it; must be E.164. */
  to: string;
  /** The store products, in the order asked, as the graph layer found them. */
  products: MessageProductRef[];
  body?: string | null;
  idempotencyKey: string;
}

export interface SendMessageResult {
  message: ProductMessageRecord;
  replayed: boolean;
}

export interface MessageServiceOptions {
  store: MessageStore;
  outbox: MessageOutbox;
  messaging: Messaging;
  logger: Logger;
  /** Every change applied (the subscription's feed). */
  publish(message: ProductMessageRecord): void;
  /** Changes of one message, to answer as soon as its first send settles. */
  changes?: { subscribe(id: string | null, listener: (message: ProductMessageRecord) => void): () => void };
  /** How long the mutation waits for the first send. @default 5000 */
  waitMs?: number;
}

export interface MessageService {
  send(input: SendMessageInput, client: string): Promise<SendMessageResult>;
  get(id: string): Promise<ProductMessageRecord | undefined>;
  events(id: string): Promise<MessageEventRecord[]>;
  /** Applies the vendor's verified events; throws when they could not be recorded (the vendor then delivers them again). */
  handleEvents(events: readonly MessagingEvent[]): Promise<void>;
}

const bad = (argument: string, message: string) => crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument });

export function createMessageService(options: MessageServiceOptions): MessageService {
  const { store, outbox, messaging, logger } = options;
  const waitMs = options.waitMs ?? 5_000;

  function validate(input: SendMessageInput): { to: string; body: string } {
    if (!input.idempotencyKey || !KEY.test(input.idempotencyKey)) throw bad('idempotencyKey', `idempotencyKey is required: 1 to ${MAX_KEY_LENGTH} printable characters, no spaces`);
    // The message names the rule, never the value: a phone number is personal data.
    const to = parseE164(input.to);
    if (!to) throw bad('to', 'to must be a phone number in E.164 form: + and 8 to 15 digits, the country code first (e.g. +15550100123), no spaces');
    const n = input.products.length;
    if (n === 0 || n > messaging.maxProducts) throw bad('productIds', `productIds: 1 to ${messaging.maxProducts} store products (got ${n})`);
    if (new Set(input.products.map((p) => p.storeId)).size !== n) throw bad('productIds', 'productIds: each product once');
    const given = input.body?.trim() ?? '';
    if (input.body != null && given === '') throw bad('body', 'body: give text, or leave it out for the products’ names');
    if (given.length > messaging.maxBodyLength) throw bad('body', `body: at most ${messaging.maxBodyLength} characters`);
    // Without a body the products' names say what it is (a product list needs a body).
    const body = given || input.products.map((p) => p.name).join(', ').slice(0, messaging.maxBodyLength);
    return { to, body };
  }

  function requestHash(input: SendMessageInput, to: string): string {
    return createHash('sha256')
      .update(JSON.stringify({ to, productIds: input.products.map((p) => p.storeId), body: input.body ?? null }))
      .digest('hex');
  }

  function answer(existing: ProductMessageRecord, hash: string): SendMessageResult {
    if (existing.requestHash !== hash) {
      throw crossdockError(ErrorCode.IDEMPOTENCY_CONFLICT, 'this idempotencyKey was used with a different message', { reason: 'KEY_REUSED', retryable: false });
    }
    return { message: existing, replayed: true };
  }

  function waitForFirstSend(id: string): Promise<ProductMessageRecord> {
    return waitUntilSettled({
      id,
      read: async () => (await store.get(id)) as ProductMessageRecord,
      settled: (m) => m.status !== 'SENDING' && !(m.status === 'QUEUED' && m.attempts === 0),
      waitMs,
      pollMs: 1_000,
      changes: options.changes,
    });
  }

  async function applyStatus(event: Extract<MessagingEvent, { kind: 'status' }>): Promise<void> {
    const ref = parseReference(event.reference);
    const found = (await store.byVendorId(event.vendorMessageId)) ?? (ref ? await store.get(ref.messageId) : undefined);
    if (!found) {
      // Not one of ours (another system sending from the number), or a message of an earlier attempt.
      logger.debug({ vendorMessageId: event.vendorMessageId, status: event.status }, 'WhatsApp status for an unknown message ignored');
      return;
    }
    const windowClosed = event.status === 'FAILED' && event.errors.some((e) => e.reason === 'WINDOW_CLOSED');
    const at = new Date().toISOString();
    const result = await store.change(found.id, (m) => {
      // Nothing of this attempt has reached the vendor: the status is about an earlier one.
      if (m.status === 'QUEUED') return null;
      if (m.vendorMessageId !== null) {
        if (m.vendorMessageId !== event.vendorMessageId) return null;
      } else if (!ref || ref.messageId !== m.id || ref.attempt !== m.attempts) {
        return null;
      }
      const verdict = statusVerdict(m.status, event.status);
      if (!verdict.apply) return null;
      const addErrors = event.errors.map((e) => ({ ...e, at }));
      const adopt = m.vendorMessageId === null ? { vendorMessageId: event.vendorMessageId } : {};
      const detail = event.errors[0] ? `${event.errors[0].code} ${event.errors[0].title}` : '';
      if (windowClosed && m.kind !== 'TEMPLATE' && messaging.template) {
        // Refused as outside the customer's window: nothing reached them, so the template goes instead
        // (the vendor's id of the refused message is retired: its late events match nothing).
        return {
          to: 'QUEUED',
          reason: `the vendor refused it as outside the customer's window (${detail}): the template ${messaging.template.name} goes instead`,
          set: { templateOnly: true, vendorMessageId: null, sendingSince: null, nextAttemptAt: at, statusAt: event.at, lastError: detail },
          addErrors,
          vendorAt: event.at,
        };
      }
      return {
        to: verdict.to,
        reason: `the vendor reports it ${event.status.toLowerCase()}${detail ? ` (${detail})` : ''}`,
        set: { ...adopt, statusAt: event.at, sendingSince: null, ...(verdict.to === 'FAILED' ? { lastError: detail || 'failed', nextAttemptAt: null } : {}) },
        addErrors,
        vendorAt: event.at,
      };
    });
    if (windowClosed) await store.refuseWindow(found.recipient, at);
    if (result.applied) {
      options.publish(result.message);
      if (result.message.status === 'QUEUED') outbox.kick();
    }
  }

  return {
    async send(input, client) {
      const { to, body } = validate(input);
      const hash = requestHash(input, to);
      const earlier = await store.byKey(client, input.idempotencyKey);
      if (earlier) return answer(earlier, hash);
      const created = await store.create({ client, idempotencyKey: input.idempotencyKey, requestHash: hash, recipient: to, products: input.products, body });
      if (!created.created) return answer(created.message, hash);
      options.publish(created.message);
      outbox.kick();
      return { message: await waitForFirstSend(created.message.id), replayed: false };
    },
    get: async (id) => (isRecordId(id) ? store.get(id) : undefined),
    events: (id) => store.events(id),
    async handleEvents(events) {
      // In order: a batch may hold several statuses of one message.
      for (const event of events) {
        if (event.kind === 'inbound') await store.recordInbound(event.from, event.at);
        else await applyStatus(event);
      }
    },
  };
}
