/**
 * Orders of a mirrored channel (Shopify) in the graph: `orders(filter: {
 * channel: SHOPIFY, … })` and `order(id)` answered from the orders mirror
 * (src/mirror/) with no upstream call.
 *
 * - Relay pagination on the listing order (created, then id) with keyset
 *   cursors: a page is an index range however deep it is, and a cursor
 *   stays right while orders are added.
 * - `totalCount` is exact (a COUNT over the same filter).
 * - Filters are validated before anything is read: each refusal is
 *   BAD_USER_INPUT naming the field.
 * - Lines are read only when asked for, for every order of the page in one
 *   read (a request-scoped loader); they link to Product and Part by the SKU
 *   rule through the batched loaders.
 */
import DataLoader from 'dataloader';
import type { ChannelOrder, ChannelOrderLine, ChannelOrderStatus, MirrorChannel } from '../../domain/channelOrders.js';
import { CHANNEL_FINANCIAL_STATUSES, CHANNEL_FULFILLMENT_STATUSES } from '../../domain/channelOrders.js';
import type { MirroredOrderHead, MirrorOrderFilter, MirrorPosition } from '../../mirror/mirrorStore.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { OrderFilter } from '../generated/resolvers.js';
import { checkCode } from '../ids.js';
import type { OrderConnectionModel } from '../models.js';

const bad = (argument: string, message: string) => gatewayError(ErrorCode.BAD_USER_INPUT, message, { argument });

/** Most values one status list of the filter takes. */
const MAX_FILTER_VALUES = 20;

const CURSOR_PREFIX = 'm1:';

export function mirrorCursor(o: Pick<ChannelOrder, 'createdAt' | 'id'>): string {
  return Buffer.from(`${CURSOR_PREFIX}${o.createdAt}|${o.id}`).toString('base64url');
}

/** A cursor of a mirrored order listing; BAD_USER_INPUT for anything else (another connection's, a forged one). */
export function parseMirrorCursor(after: string | null | undefined): MirrorPosition | null {
  if (after === null || after === undefined) return null;
  const decoded = /^[A-Za-z0-9_-]{8,160}$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const m = /^m1:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|(gid:\/\/shopify\/Order\/\d{1,20})$/.exec(decoded);
  if (!m?.[1] || !m[2]) throw bad('after', 'after is not a cursor from this connection');
  return { createdAt: m[1], id: m[2] };
}

function statusList(name: string, values: readonly string[] | null | undefined, known: readonly string[]): string[] | undefined {
  if (values === null || values === undefined) return undefined;
  if (values.length === 0) throw bad(`filter.${name}`, `filter.${name} must not be empty (leave it out for every ${name})`);
  if (values.length > MAX_FILTER_VALUES) throw bad(`filter.${name}`, `filter.${name}: at most ${MAX_FILTER_VALUES} values`);
  const out = values.map((v) => v.trim().toUpperCase());
  const unknown = out.find((v) => !known.includes(v));
  if (unknown !== undefined) throw bad(`filter.${name}`, `filter.${name}: "${unknown.slice(0, 40)}" is not one of ${known.join(', ')}`);
  return [...new Set(out)];
}

function range(from: string | null | undefined, to: string | null | undefined, names: [string, string]): { from?: string; to?: string } {
  if (from && to && from >= to) throw bad(`filter.${names[0]}`, `filter.${names[0]} must be before filter.${names[1]}`);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** The graph's filter for a mirrored channel as the mirror's; refusals name the field. */
export function mirrorFilter(channel: MirrorChannel, filter: OrderFilter | null | undefined): MirrorOrderFilter {
  const f = filter ?? {};
  if (f.statusId !== null && f.statusId !== undefined) throw bad('filter.statusId', `filter.statusId is BigCommerce's status id; ${channel} orders filter by status, financialStatus and fulfillmentStatus`);
  const created = range(f.createdSince, f.createdBefore, ['createdSince', 'createdBefore']);
  const updated = range(f.updatedSince, f.updatedBefore, ['updatedSince', 'updatedBefore']);
  const out: MirrorOrderFilter = { channel };
  const status = f.status ?? undefined;
  if (status !== undefined) {
    if (status.length === 0) throw bad('filter.status', 'filter.status must not be empty (leave it out for every status)');
    out.status = [...new Set(status)] as ChannelOrderStatus[];
  }
  const financial = statusList('financialStatus', f.financialStatus, CHANNEL_FINANCIAL_STATUSES);
  if (financial) out.financialStatus = financial;
  const fulfillment = statusList('fulfillmentStatus', f.fulfillmentStatus, CHANNEL_FULFILLMENT_STATUSES);
  if (fulfillment) out.fulfillmentStatus = fulfillment;
  if (created.from) out.createdFrom = created.from;
  if (created.to) out.createdTo = created.to;
  if (updated.from) out.updatedFrom = updated.from;
  if (updated.to) out.updatedTo = updated.to;
  if (f.customerEmail !== null && f.customerEmail !== undefined) {
    const email = f.customerEmail.trim().toLowerCase();
    if (email.length < 3 || email.length > 254 || !email.includes('@') || /\s/.test(email)) throw bad('filter.customerEmail', 'filter.customerEmail is not an email address');
    out.customerEmail = email;
  }
  if (f.sku !== null && f.sku !== undefined) out.sku = checkCode('filter.sku', f.sku);
  return out;
}

/** Filters that only a mirrored channel has: refused for BigCommerce (its v2 orders filter by status id and update time). */
export const MIRROR_ONLY_FILTERS = ['updatedBefore', 'createdSince', 'createdBefore', 'status', 'financialStatus', 'fulfillmentStatus', 'customerEmail', 'sku'] as const;

export async function mirroredOrders(ctx: GraphQLContext, channel: MirrorChannel, filter: OrderFilter | null | undefined, first: number, after: string | null | undefined): Promise<OrderConnectionModel> {
  const where = mirrorFilter(channel, filter);
  const position = parseMirrorCursor(after);
  // Mirror state, not an upstream's cache: never kept in the response cache.
  ctx.hints.uncacheable = true;
  const store = ctx.services.mirror.store;
  const { orders, hasNext } = await store.list(where, position, first);
  const edges = orders.map((o) => ({ cursor: mirrorCursor(o), node: o }));
  return {
    edges,
    pageInfo: { hasNextPage: hasNext, hasPreviousPage: position !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
    count: () => store.count(where),
  };
}

// ---- request-scoped loaders over the mirror ---------------------------------------------------------

interface MirrorLoaders {
  order: DataLoader<string, MirroredOrderHead | null>;
  lines: DataLoader<string, ChannelOrderLine[]>;
}

const perRequest = new WeakMap<GraphQLContext, Map<MirrorChannel, MirrorLoaders>>();

/** One read of the mirror per tick for every order (or order's lines) a request needs. */
export function mirrorLoaders(ctx: GraphQLContext, channel: MirrorChannel): MirrorLoaders {
  let byChannel = perRequest.get(ctx);
  if (!byChannel) perRequest.set(ctx, (byChannel = new Map()));
  let loaders = byChannel.get(channel);
  if (!loaders) {
    const store = ctx.services.mirror.store;
    loaders = {
      order: new DataLoader(async (ids) => {
        const found = await store.get(channel, ids);
        return ids.map((id) => {
          const o = found.get(id);
          if (!o) return null;
          const { lines, ...head } = o;
          return { ...head, lineCount: lines.length, itemCount: lines.reduce((n, l) => n + l.quantity, 0) };
        });
      }),
      lines: new DataLoader(async (ids) => {
        const found = await store.lines(channel, ids);
        return ids.map((id) => found.get(id) ?? []);
      }),
    };
    byChannel.set(channel, loaders);
  }
  return loaders;
}
