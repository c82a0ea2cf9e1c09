/**
 * Durable product messages (src/records/migrations/0007): the outbox's
 * intents, their history, and the customers' windows. Implemented once on
 * the record layer (sqlMessageStore.ts: SQLite, or PostgreSQL with
 * DATABASE_URL). Every write that decides something is one transaction:
 * the creation (once per client and key, for good) and every change, which
 * reads the message locked and lets a pure function decide (`change`).
 */
import type { MessageErrorRecord, MessageEventRecord, MessageProductRef, MessageStatus, ProductMessageRecord } from './types.js';

export interface NewMessage {
  client: string;
  idempotencyKey: string;
  requestHash: string;
  recipient: string;
  products: MessageProductRef[];
  body: string;
}

/** Fields a change may write with the status. */
export type MessagePatch = Partial<Pick<ProductMessageRecord, 'kind' | 'templateOnly' | 'statusAt' | 'vendorMessageId' | 'attempts' | 'nextAttemptAt' | 'sendingSince' | 'lastError'>>;

/** What a decision writes: the status (the same one: bookkeeping, no history entry), fields, errors to add. */
export interface MessageUpdate {
  to: MessageStatus;
  reason: string;
  set?: MessagePatch;
  addErrors?: MessageErrorRecord[];
  /** The vendor's time, for the history entry of a change a status event made. */
  vendorAt?: string | null;
}

/** Given the message as it is now (read locked), the change to make, or null for none. Pure: it runs inside the transaction. */
export type MessageDecision = (current: ProductMessageRecord) => MessageUpdate | null;

export type ChangeResult = { applied: boolean; message: ProductMessageRecord };

export interface ContactWindow {
  /** When the customer last wrote to the business number. */
  lastInboundAt: string | null;
  /** When the vendor last refused an interactive message to them as outside the window. */
  windowRefusedAt: string | null;
}

export interface MessageStore {
  /** Creates the message, or answers the one that already exists for its client and key (`created: false`). */
  create(message: NewMessage): Promise<{ created: boolean; message: ProductMessageRecord }>;
  get(id: string): Promise<ProductMessageRecord | undefined>;
  byKey(client: string, key: string): Promise<ProductMessageRecord | undefined>;
  byVendorId(vendorMessageId: string): Promise<ProductMessageRecord | undefined>;
  /** Reads the message locked, asks `decide`, writes what it says (with its history entry) in one transaction. Throws for an unknown id. */
  change(id: string, decide: MessageDecision): Promise<ChangeResult>;
  /** QUEUED messages whose next attempt is due by `now`, oldest first. */
  due(now: string, limit: number): Promise<ProductMessageRecord[]>;
  /** SENDING messages whose send started before `before` (their sender may have died). */
  stalled(before: string, limit: number): Promise<ProductMessageRecord[]>;
  events(id: string): Promise<MessageEventRecord[]>;
  contact(recipient: string): Promise<ContactWindow | undefined>;
  /** The customer wrote at `at`: kept if later than what is recorded (events may arrive out of order, or twice). */
  recordInbound(recipient: string, at: string): Promise<void>;
  /** The vendor refused an interactive message to them as outside the window, at `at`. */
  refuseWindow(recipient: string, at: string): Promise<void>;
}
