/**
 * placeSupplierOrder: exactly one supplier order per idempotency key.
 *
 * Idempotency follows the IETF Idempotency-Key draft and Stripe's practice:
 * the same key with the same input replays the first answer; the same key
 * with other input is IDEMPOTENCY_CONFLICT; a request arriving while the
 * first with its key is still in flight is a conflict the client may retry.
 * Keys are scoped to the API client and kept `keyTtlMs` (≥ 24 h).
 *
 * A claim is a lease (`claimLeaseMs`): a request that dies between the claim
 * and its answer (kill -9) holds its key only that long; the next request
 * with the key then takes the claim over and, when the dead one had already
 * stored its order, answers with that order — the outbox sends it once. An
 * order stays bound to its key for good, after the key itself expired: the
 * same key and input replay it, other input is a conflict.
 *
 * Business outcomes a client must handle (unknown part, out of stock…) are
 * typed rejections in the schema, not errors; they are replayed like any
 * answer, and nothing is sent upstream for them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SkuRule } from '../domain/skuRule.js';
import type { Part } from '../domain/types.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import { isCode, isRecordId } from '../domain/codes.js';
import type { SupplierCatalog } from '../domain/ports.js';
import { waitUntilSettled } from '../events/waitUntilSettled.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { OrderStore } from './orderStore.js';
import type { Outbox } from './outbox.js';
import { CANCELLABLE, type OrderLineIntent, type ShippingAddress, type SupplierOrderRecord } from './types.js';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 10_000;
export const MAX_KEY_LENGTH = 255;

export type RejectionReason = 'OUT_OF_STOCK' | 'NOT_SELLABLE' | 'BELOW_MINIMUM' | 'UNKNOWN_PART' | 'NO_PRICE';

export interface OrderLineInput {
  partId?: string | null;
  sku?: string | null;
  quantity: number;
}

export interface PlaceOrderInput {
  idempotencyKey: string;
  lines: OrderLineInput[];
  shippingMethod?: string | null;
  address?: ShippingAddress | null;
  storeOrderId?: string | null;
}

export interface PlacedModel {
  kind: 'placed';
  order: SupplierOrderRecord;
  replayed: boolean;
}
export interface RejectedModel {
  kind: 'rejected';
  reason: RejectionReason;
  message: string;
  lineIndex: number | null;
  replayed: boolean;
}
export type PlaceOrderResult = PlacedModel | RejectedModel;

/** What is stored as the key's answer and replayed verbatim. */
type StoredAnswer = { kind: 'placed'; order: SupplierOrderRecord } | { kind: 'rejected'; reason: RejectionReason; message: string; lineIndex: number | null };

export interface OrderServiceOptions {
  store: OrderStore;
  outbox: Outbox;
  /** The supplier's catalog: what an order's lines are checked against. */
  fip: SupplierCatalog;
  skuRule: SkuRule;
  defaults: { shippingMethod: string; address: ShippingAddress };
  /** How long the mutation waits for the first send before answering with the pending order. @default 5000 */
  placeWaitMs?: number;
  /** How long keys are kept. @default 24 h */
  keyTtlMs?: number;
  /** How long a claim holds before another request with its key may take it over (IDEMPOTENCY_CLAIM_LEASE_MS). @default 60000 */
  claimLeaseMs?: number;
  /** Delay before an order's first send. @default 0 */
  dispatchDelayMs?: number;
  /** The clock idempotency keys expire by, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** Order change events, to answer as soon as the first send settles. */
  changes?: { subscribe(id: string | null, listener: (order: SupplierOrderRecord) => void): () => void };
}

export interface OrderService {
  /** `wait: false` answers as soon as the intent is stored (routing jobs do not wait for each send). */
  place(input: PlaceOrderInput, client: string, options?: { wait?: boolean }): Promise<PlaceOrderResult>;
  retry(id: string): Promise<SupplierOrderRecord>;
  /** Cancels an order not yet at the supplier; never one whose send has started (its outcome decides). */
  cancel(id: string): Promise<SupplierOrderRecord>;
  get(id: string): Promise<SupplierOrderRecord | undefined>;
  /** The order stored for a client's key, whether or not the key itself has expired. */
  find(client: string, key: string): Promise<SupplierOrderRecord | undefined>;
}

const bad = (argument: string, message: string, extra: Record<string, unknown> = {}) => crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument, ...extra });
const keyReused = () => crossdockError(ErrorCode.IDEMPOTENCY_CONFLICT, 'this idempotencyKey was used with a different request', { reason: 'KEY_REUSED', retryable: false });
const KEY = /^[\x21-\x7e]{1,255}$/;
const LOCAL_ID = /^[1-9]\d{0,11}$/;

export function validatePlaceInput(input: PlaceOrderInput): void {
  if (!input.idempotencyKey || !KEY.test(input.idempotencyKey)) {
    throw bad('idempotencyKey', `idempotencyKey is required: 1 to ${MAX_KEY_LENGTH} printable characters, no spaces`);
  }
  if (input.lines.length === 0) throw bad('lines', 'an order needs at least one line');
  if (input.lines.length > MAX_ORDER_LINES) throw bad('lines', `an order takes at most ${MAX_ORDER_LINES} lines (got ${input.lines.length})`);
  input.lines.forEach((line, i) => {
    const hasPart = line.partId !== undefined && line.partId !== null;
    const hasSku = line.sku !== undefined && line.sku !== null;
    if (hasPart === hasSku) throw bad(`lines[${i}]`, `lines[${i}]: give exactly one of partId and sku`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw bad(`lines[${i}].quantity`, `lines[${i}].quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}`);
    }
    if (hasSku && !isCode(line.sku as string)) throw bad(`lines[${i}].sku`, `lines[${i}].sku is not a SKU`);
  });
  if (input.shippingMethod !== undefined && input.shippingMethod !== null && !/^[a-z0-9_]{1,32}$/.test(input.shippingMethod)) {
    throw bad('shippingMethod', 'shippingMethod is not a shipping method id');
  }
  const a = input.address;
  if (a) {
    for (const field of ['name', 'street1', 'city', 'state', 'zip', 'country'] as const) {
      const v = a[field];
      if (typeof v !== 'string' || v.trim().length === 0 || v.length > 200) throw bad(`address.${field}`, `address.${field} is required (at most 200 characters)`);
    }
  }
}

function requestHash(input: PlaceOrderInput): string {
  const canonical = {
    lines: input.lines.map((l) => ({ partId: l.partId ?? null, sku: l.sku ?? null, quantity: l.quantity })),
    shippingMethod: input.shippingMethod ?? null,
    address: input.address ?? null,
    storeOrderId: input.storeOrderId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** A po_number the supplier can be searched by: unique, short, no secrets. */
function newPoNumber(): string {
  return `CD-${Date.now().toString(36).toUpperCase()}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

export function createOrderService(options: OrderServiceOptions): OrderService {
  const { store, outbox, fip, skuRule } = options;
  const keyTtlMs = Math.max(options.keyTtlMs ?? 86_400_000, 86_400_000);
  const claimLeaseMs = options.claimLeaseMs ?? 60_000;
  const placeWaitMs = options.placeWaitMs ?? 5_000;
  const now = options.now ?? Date.now;

  async function resolveLines(lines: OrderLineInput[]): Promise<{ ok: true; lines: OrderLineIntent[] } | { ok: false; answer: StoredAnswer }> {
    const ids = new Map<number, string>();
    const byNumber = new Map<number, string>();
    lines.forEach((l, i) => {
      if (l.partId) {
        const raw = l.partId.trim();
        const decoded = LOCAL_ID.test(raw) ? raw : /^[A-Za-z0-9_-]{4,64}$/.test(raw) ? /^Part:(\d{1,12})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'))?.[1] : undefined;
        if (!decoded) throw bad(`lines[${i}].partId`, `lines[${i}].partId is not a Part id`);
        ids.set(i, decoded);
      } else if (l.sku) {
        const pn = skuRule.partNumberFor(l.sku);
        if (!pn) throw bad(`lines[${i}].sku`, `lines[${i}].sku does not follow the SKU rule`);
        byNumber.set(i, pn);
      }
    });
    const parts = await fip.productsByIds([...new Set(ids.values())], 'interactive');
    const looked = await Promise.all([...byNumber].map(async ([i, pn]) => [i, await fip.lookup(pn, 'interactive')] as const));
    const partOf = (i: number): Part | null => (ids.has(i) ? (parts.get(ids.get(i) as string) ?? null) : (looked.find(([j]) => j === i)?.[1] ?? null));
    const out: OrderLineIntent[] = [];
    for (const [i, line] of lines.entries()) {
      const part = partOf(i);
      const reject = (reason: RejectionReason, message: string) => ({ ok: false as const, answer: { kind: 'rejected' as const, reason, message, lineIndex: i } });
      if (!part) return reject('UNKNOWN_PART', `lines[${i}]: the supplier has no such part`);
      if (!part.sellable) return reject('NOT_SELLABLE', `lines[${i}]: ${part.partNumber} is not sellable now`);
      const variant = part.variants.find((v) => v.variantId === part.preferredVariantId) ?? part.variants[0];
      if (!variant) return reject('NO_PRICE', `lines[${i}]: ${part.partNumber} has no purchasable variant`);
      if (line.quantity < variant.minimum) return reject('BELOW_MINIMUM', `lines[${i}]: ${part.partNumber} sells at least ${variant.minimum}`);
      if (variant.quantity < line.quantity) return reject('OUT_OF_STOCK', `lines[${i}]: ${part.partNumber} has ${variant.quantity} in stock`);
      out.push({ partId: part.supplierId, sku: skuRule.skuFor(part.partNumber), partNumber: part.partNumber, variantId: variant.variantId, quantity: line.quantity, unitPrice: variant.price.amount });
    }
    return { ok: true, lines: out };
  }

  function waitForFirstSend(id: string): Promise<SupplierOrderRecord> {
    return waitUntilSettled({
      id,
      read: async () => (await store.get(id)) as SupplierOrderRecord,
      settled: (order) => order.status !== 'PENDING',
      waitMs: placeWaitMs,
      pollMs: 250,
      changes: options.changes,
    });
  }

  /**
   * The key's order already exists (stored by an earlier request with the key: one that died or
   * outlived its lease before answering, or one whose key has since expired). It is the answer,
   * if the input is the same.
   */
  async function answerWithStored(order: SupplierOrderRecord, client: string, key: string, hash: string, token: string): Promise<PlaceOrderResult> {
    if (order.requestHash !== null && order.requestHash !== hash) {
      await store.releaseKey(client, key, token);
      throw keyReused();
    }
    const answer: StoredAnswer = { kind: 'placed', order };
    await store.completeKey(client, key, answer, token);
    return { ...answer, replayed: true };
  }

  return {
    async place(input, client, placeOptions = {}) {
      validatePlaceInput(input);
      const hash = requestHash(input);
      const key = input.idempotencyKey;
      const claim = await store.claimKey(client, key, hash, keyTtlMs, { leaseMs: claimLeaseMs, now: now() });
      switch (claim.kind) {
        case 'mismatch':
          throw keyReused();
        case 'inFlight':
          throw crossdockError(ErrorCode.IDEMPOTENCY_CONFLICT, 'a request with this idempotencyKey is still in progress; retry shortly', {
            reason: 'IN_FLIGHT',
            retryable: true,
            retryInMs: claim.retryInMs,
          });
        case 'replay': {
          const stored = claim.response as StoredAnswer;
          return { ...stored, replayed: true };
        }
        case 'claimed':
          break;
        default: {
          const never: never = claim;
          throw new Error(`unknown claim ${JSON.stringify(never)}`);
        }
      }
      const { token } = claim;
      const earlier = await store.byKey(client, key);
      if (earlier) return answerWithStored(earlier, client, key, hash, token);
      let orderId: string | undefined;
      try {
        const resolved = await resolveLines(input.lines);
        if (!resolved.ok) {
          await store.completeKey(client, key, resolved.answer, token);
          return { ...resolved.answer, replayed: false };
        }
        const stored = await store.create(
          {
            client,
            idempotencyKey: key,
            requestHash: hash,
            storeOrderId: input.storeOrderId ?? null,
            poNumber: newPoNumber(),
            status: 'PENDING',
            supplierOrderId: null,
            lines: resolved.lines,
            shippingMethod: input.shippingMethod ?? options.defaults.shippingMethod,
            address: input.address ?? options.defaults.address,
            attempts: 0,
            nextAttemptAt: options.dispatchDelayMs ? new Date(Date.now() + options.dispatchDelayMs).toISOString() : null,
            lastError: null,
            trackingNumber: null,
            sendingSince: null,
            reportedStatus: null,
          },
          'intent stored',
        );
        // A request that took this key over stored it first: one order per key, whoever answers.
        if (!stored.created) return answerWithStored(stored.order, client, key, hash, token);
        orderId = stored.order.id;
        outbox.kick();
        const answer: StoredAnswer = { kind: 'placed', order: placeOptions.wait === false ? stored.order : await waitForFirstSend(orderId) };
        await store.completeKey(client, key, answer, token);
        return { ...answer, replayed: false };
      } catch (err) {
        if (orderId) {
          // The intent is stored and the outbox owns it: the key answers with the order.
          const answer: StoredAnswer = { kind: 'placed', order: (await store.get(orderId)) as SupplierOrderRecord };
          await store.completeKey(client, key, answer, token);
          return { ...answer, replayed: false };
        }
        // Nothing durable happened: free the key so the client can retry.
        await store.releaseKey(client, key, token).catch(() => undefined);
        if (err instanceof UpstreamError) {
          throw crossdockError(err.kind === 'rateLimited' ? ErrorCode.UPSTREAM_RATE_LIMITED : ErrorCode.UPSTREAM_UNAVAILABLE, `${err.upstream} could not check the parts; nothing was ordered, retry with the same key`, { upstream: err.upstream });
        }
        throw err;
      }
    },
    async retry(id) {
      const order = await store.get(id);
      if (!order) throw crossdockError(ErrorCode.NOT_FOUND, `no supplier order ${id.slice(0, 64)}`, { argument: 'id' });
      // A fresh retry budget; attempts stays above 0 so the next send looks the order up by po_number first.
      const result = await store.transition(id, 'RETRY_WAIT', 'retried by an operator', { from: ['MANUAL_REVIEW'], set: { attempts: 1, nextAttemptAt: new Date().toISOString() } });
      if (!result.applied) throw bad('id', `supplier order ${id} is ${result.order.status}; only MANUAL_REVIEW orders can be retried`);
      outbox.kick();
      return result.order;
    },
    async cancel(id) {
      const order = await store.get(id);
      if (!order) throw crossdockError(ErrorCode.NOT_FOUND, `no supplier order ${id.slice(0, 64)}`, { argument: 'id' });
      // Compare-and-set, and only while no send is in flight: a send that has started may land at
      // the supplier (FinditParts has no idempotency keys and no cancel by po_number), so the
      // outbox's outcome decides; the outbox's own writes are conditional on the state they read,
      // so it never moves a cancelled order on.
      const result = await store.transition(id, 'CANCELLED', 'cancelled by an operator', { from: CANCELLABLE, idle: true, set: { nextAttemptAt: null } });
      if (result.applied) return result.order;
      const current = result.order;
      if (CANCELLABLE.includes(current.status) && current.sendingSince !== null) {
        throw bad('id', `supplier order ${id} is being sent to the supplier; a cancel cannot overtake a send that has started, so its outcome decides (cancel again if it fails)`, {
          reason: 'SEND_IN_FLIGHT',
          retryable: true,
        });
      }
      throw bad('id', `supplier order ${id} is ${current.status}; only orders not yet at the supplier can be cancelled here`);
    },
    get: async (id) => (isRecordId(id) ? store.get(id) : undefined),
    find: (client, key) => store.byKey(client, key),
  };
}
