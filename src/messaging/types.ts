/**
 * Product messages to customers (README "WhatsApp"): the record the outbox
 * sends from, and its lifecycle.
 *
 *   QUEUED → SENDING → SENT → DELIVERED → READ
 *                    ↘ UNKNOWN (the send's outcome is unknown: never resent; a status event resolves it)
 *            any before DELIVERED → FAILED
 *   SENT → QUEUED once, as the template, when the vendor refused an interactive message as outside the window
 *
 * READ and FAILED are final. The vendor's statuses move a message only
 * forwards (statusRules.ts): a `read` never goes back to `delivered`.
 */
import type { MessageErrorDetail, OutgoingMessageKind } from '../domain/messagingPorts.js';

export type MessageStatus = 'QUEUED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | 'UNKNOWN';

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'UNKNOWN'];

/** A store product in a message, as it was when the message was asked for. */
export interface MessageProductRef {
  /** The store product id. */
  storeId: string;
  /** The id the vendor's catalog knows it by (the store SKU; README "WhatsApp"). */
  retailerId: string;
  name: string;
}

export interface MessageErrorRecord extends MessageErrorDetail {
  /** When the gateway learnt of it. */
  at: string;
}

export interface ProductMessageRecord {
  id: string;
  client: string;
  idempotencyKey: string;
  requestHash: string;
  /** E.164 (never shown: maskPhone). */
  recipient: string;
  products: MessageProductRef[];
  body: string;
  /** The form the latest send took; null before the first. */
  kind: OutgoingMessageKind | null;
  /** Only the template may go (the vendor refused an interactive message as outside the customer's window). */
  templateOnly: boolean;
  status: MessageStatus;
  /** The vendor's time of the current status, when a status event set it. */
  statusAt: string | null;
  vendorMessageId: string | null;
  /** Sends started (each counted before it is made). */
  attempts: number;
  nextAttemptAt: string | null;
  /** A send is in flight since then. */
  sendingSince: string | null;
  errors: MessageErrorRecord[];
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageEventRecord {
  messageId: string;
  at: string;
  from: MessageStatus | null;
  to: MessageStatus;
  reason: string;
  /** The vendor's time, for a change a status event made. */
  vendorAt: string | null;
}

export const isFinalMessage = (status: MessageStatus): boolean => status === 'READ' || status === 'FAILED';
