/**
 * Sending one message on the shared HTTP machinery: `POST
 * /{phone-number-id}/messages` with the bearer token, never resent blind
 * (`idempotent: false`: the Cloud API has no idempotency keys), paced by the
 * number's budget and by the recipient (the pacing key; the pair rate), on
 * the bulk lane (the message outbox sends, nobody's read waits on it).
 *
 * Every refusal becomes a MessagingError: by the vendor's code when it gave
 * one (errorCodes.ts), else by what the shared client knows — pacing
 * refused it unsent (a deferral, not an attempt), nothing was sent (no
 * connection, the breaker open), or it may have been (a timeout, a lost
 * connection, a 5xx). A vendor text that quotes the recipient's number has
 * it masked before it goes anywhere.
 */
import { MessagingError } from '../../domain/messagingError.js';
import { digitsOf } from '../../domain/phoneNumber.js';
import type { MessageAck, OutgoingMessage } from '../../domain/messagingPorts.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { reasonOfCode } from './errorCodes.js';
import { wireMessage, type MessageSettings } from './messages.js';
import { withoutNumber } from './webhookEvents.js';
import type { WireErrorBody, WireSendReply } from './wire.js';

export function whatsAppVendor(accessToken: string): UpstreamVendor {
  return {
    authHeaders: () => ({ authorization: `Bearer ${accessToken}` }),
    quotaReport: (_status, headers) => {
      const retryAfterMs = parseRetryAfter(headers['retry-after']);
      return retryAfterMs !== undefined ? { retryAfterMs } : {};
    },
    errorMessage: (body) => {
      const message = (body as WireErrorBody | undefined)?.error?.message;
      return typeof message === 'string' ? message.slice(0, 300) : undefined;
    },
    errorCode: (body) => {
      const code = (body as WireErrorBody | undefined)?.error?.code;
      return typeof code === 'number' || (typeof code === 'string' && /^\d{1,9}$/.test(code)) ? String(code) : undefined;
    },
  };
}

export interface SenderOptions extends MessageSettings {
  phoneNumberId: string;
  /** How long a send may wait for the recipient's slot before it is deferred. @default 250 */
  recipientWaitMs?: number;
  /** Deadline of one send, pacing included. @default 30000 */
  timeoutMs?: number;
  /** Told when the credentials were refused (190), and when a send went through again. */
  onAuth?(refused: boolean): void;
}

export interface WhatsAppSender {
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<MessageAck>;
}

export function createWhatsAppSender(http: UpstreamClient, options: SenderOptions): WhatsAppSender {
  return {
    async send(message, signal) {
      const digits = digitsOf(message.to);
      let res;
      try {
        res = await http.request({
          method: 'POST',
          path: [options.phoneNumberId, 'messages'],
          body: wireMessage(message, options),
          endpoint: 'messages',
          lane: 'bulk',
          idempotent: false,
          timeoutMs: options.timeoutMs ?? 30_000,
          pacingKey: { key: message.to, maxWaitMs: options.recipientWaitMs ?? 250 },
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        throw messagingErrorOf(err, digits, options);
      }
      if (res.status === 404) throw new MessagingError('REJECTED', `the phone number id is unknown to the API (HTTP 404)`);
      const id = (res.body as WireSendReply | undefined)?.messages?.[0]?.id;
      // A 2xx without a message id: the vendor may hold it, and nothing names it.
      if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new MessagingError('OUTCOME_UNKNOWN', `HTTP ${res.status} without a message id`);
      options.onAuth?.(false);
      return { vendorMessageId: id };
    },
  };
}

function messagingErrorOf(err: unknown, digits: string, options: SenderOptions): unknown {
  if (!(err instanceof UpstreamError)) return err;
  const message = withoutNumber(err.message, digits);
  if (err.paced) {
    // The gateway's own pacing refused it before any call: not an attempt.
    return new MessagingError(err.paced === 'key' ? 'PAIR_RATE' : 'THROUGHPUT', message, { retryInMs: err.retryInMs, deferred: true });
  }
  if (err.vendorCode !== undefined) {
    const reason = reasonOfCode(err.vendorCode);
    if (reason === 'AUTH') options.onAuth?.(true);
    return new MessagingError(reason, message, { vendorCode: err.vendorCode, retryInMs: err.retryInMs });
  }
  switch (err.kind) {
    case 'unauthorized':
      options.onAuth?.(true);
      return new MessagingError('AUTH', message);
    case 'rateLimited':
      // 429s the shared client gave up on: refused before processing.
      return new MessagingError('THROUGHPUT', message, { retryInMs: err.retryInMs });
    case 'rejected':
      return new MessagingError('REJECTED', message);
    case 'tooLarge':
    case 'timeout':
      return new MessagingError('OUTCOME_UNKNOWN', message);
    case 'unavailable':
      // A 5xx answer to a write, or a connection lost after sending, may have landed; no connection
      // or an open breaker sent nothing.
      return new MessagingError(err.outcomeUnknown || err.status !== undefined ? 'OUTCOME_UNKNOWN' : 'UNAVAILABLE', message, { retryInMs: err.retryInMs });
    default: {
      const never: never = err.kind;
      return new MessagingError('OUTCOME_UNKNOWN', `${String(never)}: ${message}`);
    }
  }
}
