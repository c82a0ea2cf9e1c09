/**
 * Global ids: base64url of "Type:localId". Inputs also accept the bare
 * numeric local id. Every id is validated here, before any upstream call, so
 * a crafted id (`../`, `%2F`, `?`) can never reach an unintended upstream path.
 */
import { ErrorCode, gatewayError } from './errors.js';
import { isCode } from '../domain/codes.js';

export type NodeType = 'Part' | 'Product' | 'Order';

const LOCAL_ID = /^[1-9]\d{0,11}$/;

/**
 * Every answer encodes the id of every node it returns: each encoding is
 * kept, per type, up to a bound (past it the memo starts over; an encoding is
 * the same whenever it is computed).
 */
const encoded: Record<NodeType, Map<string, string>> = { Part: new Map(), Product: new Map(), Order: new Map() };
const MAX_ENCODED = 20_000;

export function toGlobalId(type: NodeType, localId: string): string {
  const memo = encoded[type];
  let id = memo.get(localId);
  if (id === undefined) {
    id = Buffer.from(`${type}:${localId}`).toString('base64url');
    if (memo.size >= MAX_ENCODED) memo.clear();
    memo.set(localId, id);
  }
  return id;
}

/**
 * A mirrored order's local id: `shopify:<the channel's numeric id>` (Shopify's are 13 digits, past a
 * store's). A BigCommerce order's is its bare number, as before.
 */
const MIRRORED_ORDER = /^(shopify):(\d{1,20})$/;

/** Decodes a global id of any node type; undefined when it is not one. */
export function decodeGlobalId(id: string): { type: NodeType; localId: string } | undefined {
  if (!/^[A-Za-z0-9_-]{4,64}$/.test(id)) return undefined;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const mirrored = /^Order:(shopify:\d{1,20})$/.exec(decoded);
  if (mirrored?.[1]) return { type: 'Order', localId: mirrored[1] };
  const match = /^(Part|Product|Order):(\d+)$/.exec(decoded);
  if (!match?.[1] || !match[2] || !LOCAL_ID.test(match[2])) return undefined;
  return { type: match[1] as NodeType, localId: match[2] };
}

/** Where an order id points: a store order (BigCommerce's number) or a mirrored one (the channel's gid). */
export type OrderRef = { channel: 'BIGCOMMERCE'; localId: string } | { channel: 'SHOPIFY'; gid: string };

/** An Order's local id (from decodeGlobalId or an order model) as a reference. */
export function orderRefOf(localId: string): OrderRef {
  const m = MIRRORED_ORDER.exec(localId);
  return m?.[2] ? { channel: 'SHOPIFY', gid: `gid://shopify/Order/${m[2]}` } : { channel: 'BIGCOMMERCE', localId };
}

/** The global id of a mirrored order. */
export function mirroredOrderGlobalId(number: string): string {
  return Buffer.from(`Order:shopify:${number}`).toString('base64url');
}

/**
 * An order id as `order(id:)` takes it: a global id of either channel, a BigCommerce numeric id, or a
 * Shopify order gid (`gid://shopify/Order/…`, the channel's own id). BAD_USER_INPUT otherwise.
 */
export function parseOrderId(input: string): OrderRef {
  const raw = input.trim();
  const gid = /^gid:\/\/shopify\/Order\/(\d{1,20})$/.exec(raw);
  if (gid?.[1]) return { channel: 'SHOPIFY', gid: raw };
  if (LOCAL_ID.test(raw)) return { channel: 'BIGCOMMERCE', localId: raw };
  const global = decodeGlobalId(raw);
  if (global?.type === 'Order') return orderRefOf(global.localId);
  throw gatewayError(ErrorCode.BAD_USER_INPUT, 'malformed Order id: expected an Order global id, a numeric store order id or a Shopify order gid', { argument: 'id' });
}

/** The local id for `type` from a global id or a bare numeric id; throws BAD_USER_INPUT otherwise. */
export function parseId(type: NodeType, input: string): string {
  const raw = input.trim();
  if (LOCAL_ID.test(raw)) return raw;
  const global = decodeGlobalId(raw);
  if (global && global.type === type) return global.localId;
  throw gatewayError(ErrorCode.BAD_USER_INPUT, `malformed ${type} id: expected a ${type} global id or a numeric id`, {
    argument: 'id',
  });
}

/** Validates list length before any work. */
export function checkListSize(name: string, size: number, max: number): void {
  if (size > max) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name}: at most ${max} items per request (got ${size})`, {
      argument: name,
      max,
    });
  }
}

/** Part numbers and SKUs: printable, no path or query characters, bounded length. */
export function checkCode(name: string, value: string): string {
  const v = value.trim();
  if (!isCode(v)) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name}: not a valid code (letters, digits, space . _ -, at most 64)`, {
      argument: name,
    });
  }
  return v;
}
