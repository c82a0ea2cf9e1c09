/**
 * Shared pieces of the HTTP routes that hand the orders mirror out in bulk
 * (ordersCacheCompat.ts, orderExport.ts): the filter read from a query
 * string, and writing chunks to a raw socket at the client's pace.
 */
import type { ServerResponse } from 'node:http';
import { CHANNEL_ORDER_STATUSES, isMirrorChannel, utcTime, type ChannelOrderStatus, type MirrorChannel } from '../domain/channelOrders.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import { mirrorFilter } from '../graphql/resolvers/mirroredOrders.js';
import type { MirrorOrderFilter } from '../mirror/mirrorStore.js';

const bad = (argument: string, message: string) => crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument });

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

function time(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const t = typeof raw === 'string' ? utcTime(raw) : undefined;
  if (!t) throw bad(name, `${name} is not an ISO-8601 time`);
  return t;
}

/**
 * The mirror filter a query string gives (the graph's OrderFilter names: `channel`, `status`,
 * `financialStatus`, `fulfillmentStatus` as comma lists, `createdSince`, `createdBefore`, `updatedSince`,
 * `updatedBefore`, `customerEmail`, `sku`), validated as the graph validates it; BAD_USER_INPUT otherwise.
 */
export function mirrorFilterFromQuery(query: Readonly<Record<string, unknown>>): MirrorOrderFilter {
  for (const [k, v] of Object.entries(query)) if (typeof v !== 'string') throw bad(k, `${k} is given more than once`);
  const q = query as Readonly<Record<string, string | undefined>>;
  const channel = (q.channel ?? 'SHOPIFY').toUpperCase();
  if (!isMirrorChannel(channel)) throw bad('channel', `channel "${channel.slice(0, 40)}" has no orders mirror (mirrored: SHOPIFY)`);
  const status = list(q.status)?.map((s) => s.toUpperCase());
  const unknown = status?.find((s) => !(CHANNEL_ORDER_STATUSES as readonly string[]).includes(s));
  if (unknown !== undefined) throw bad('status', `status "${unknown.slice(0, 40)}" is not one of ${CHANNEL_ORDER_STATUSES.join(', ')}`);
  try {
    return mirrorFilter(channel as MirrorChannel, {
      ...(status ? { status: status as ChannelOrderStatus[] } : {}),
      ...(q.financialStatus !== undefined ? { financialStatus: list(q.financialStatus) } : {}),
      ...(q.fulfillmentStatus !== undefined ? { fulfillmentStatus: list(q.fulfillmentStatus) } : {}),
      createdSince: time(q, 'createdSince'),
      createdBefore: time(q, 'createdBefore'),
      updatedSince: time(q, 'updatedSince'),
      updatedBefore: time(q, 'updatedBefore'),
      customerEmail: q.customerEmail,
      sku: q.sku,
    });
  } catch (err) {
    // The graph's refusal (a GraphQLError with a code) as the layer's own.
    const e = err as { message?: string; extensions?: { argument?: unknown } };
    throw bad(String(e.extensions?.argument ?? 'filter').replace(/^filter\./, ''), e.message ?? 'bad filter');
  }
}

/** Writes a chunk, waiting while the socket's buffer is full; false once the client has gone. */
export async function writeAtPace(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed || !res.writable) return false;
  if (res.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
  return !res.destroyed;
}
