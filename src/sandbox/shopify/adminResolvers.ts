/**
 * What the simulated Admin API's fields return: the root value for
 * QueryRoot and Mutation, and the views of orders, line items, customers,
 * products and the shop (plain objects whose function-valued fields take
 * the field's arguments, as graphql-js's default resolver calls them).
 * Abstract types resolve through `__typename`. Every resolver is
 * synchronous, so execution is too, and the actual cost can be counted as
 * values are resolved (queryCost.ts).
 */
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { Catalog } from '../common/catalog.js';
import { restAmount } from './money.js';
import { ID_BASE, LINES_STRIDE } from './orderRecord.js';
import type { OrderBook, OrderSortKey, SequenceKey } from './orderBook.js';
import { connection, createOrderViews, Edge, gid, guard, iso, type PageArgsInput, type View } from './orderViews.js';
import { decodeCursor, encodeCursor, listSequence, paginate, PaginationError, type PageArgs } from './pagination.js';
import { compileSearchQuery, SearchSyntaxError, type SearchWarning } from './searchQuery.js';

export { gid, iso, type View } from './orderViews.js';

/** Per request. */
export interface AdminContext {
  /** The API version in the request path. */
  version: string;
  /** Set while a bulk operation runs its query over these orders (connections then return every node). */
  bulk?: { indices: readonly number[] };
  /** Search warnings, reported in `extensions.search`. */
  search: Array<{ path: Array<string | number>; query: string; warnings: SearchWarning[] }>;
}

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: 'INVALID' | 'OPERATION_IN_PROGRESS' | null;
}

/** What the resolvers ask of the bulk operations (bulkOperations.ts). */
export interface BulkPort {
  start(query: string, ctx: AdminContext): { operation: View | null; userErrors: BulkUserError[] };
  cancel(legacyId: number): { operation: View | null; userErrors: Array<{ field: string[] | null; message: string }> };
  current(type: string): View | null;
  get(legacyId: number): View | null;
}

/** What the resolvers ask of the webhook subscriptions (webhooks.ts). */
export interface WebhookPort {
  create(topic: string, input: { callbackUrl?: string | null; format?: string | null; includeFields?: string[] | null }, version: string): { subscription: View | null; userErrors: Array<{ field: string[]; message: string }> };
  remove(legacyId: number): { deletedId: string | null; userErrors: Array<{ field: string[]; message: string }> };
  list(): View[];
  get(legacyId: number): View | null;
}

export interface ShopInfo {
  name: string;
  email: string;
  domain: string;
  currency: string;
  ianaTimezone: string;
  timezoneAbbreviation: string;
  offsetMinutes: number;
  planName: string;
  url(): string;
}

export interface AdminData {
  book: OrderBook;
  catalog: Catalog;
  skuPrefix: string;
  shop: ShopInfo;
  bulk: BulkPort;
  webhooks: WebhookPort;
  /** Forward pagination stops at this many matches (upstreams.md: 25,000); 0: no stop. */
  paginationLimit: number;
}

/** `gid://shopify/Order/123` → { type, id }; undefined when it is not a global id. */
export function parseGid(value: string): { type: string; id: number } | undefined {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d{1,16})(\?.*)?$/.exec(value);
  if (!m) return undefined;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { type: m[1]!, id } : undefined;
}

function invalidId(value: string): GraphQLError {
  return new GraphQLError(`Invalid global id '${value}'`);
}

function path(info: GraphQLResolveInfo): Array<string | number> {
  const out: Array<string | number> = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) out.unshift(p.key);
  return out;
}

interface SortCodec {
  render(value: number): string;
  parse(text: string): number | undefined;
}
const integer = (text: string) => (/^\d{1,16}$/.test(text) ? Number(text) : undefined);
const instant = (text: string) => {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
};
const CODECS: Record<OrderSortKey, SortCodec> = {
  ID: { render: String, parse: integer },
  RELEVANCE: { render: String, parse: integer },
  ORDER_NUMBER: { render: String, parse: integer },
  CREATED_AT: { render: iso, parse: instant },
  PROCESSED_AT: { render: iso, parse: instant },
  UPDATED_AT: { render: iso, parse: instant },
  TOTAL_PRICE: {
    render: restAmount,
    parse: (t) => (/^\d{1,12}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : undefined),
  },
};

export function createAdminRoot(data: AdminData): Record<string, unknown> {
  const { book, shop } = data;

  const views = createOrderViews({ catalog: data.catalog, currency: shop.currency, skuPrefix: data.skuPrefix });

  function orderKey(sortKey: OrderSortKey, cursor: string | null | undefined): SequenceKey | null {
    if (!cursor) return null;
    const { lastId, lastValue } = decodeCursor(cursor);
    const value = CODECS[sortKey].parse(lastValue);
    const index = lastId - ID_BASE.order;
    if (value === undefined || index < 1) throw new PaginationError('Invalid cursor for current pagination sort.');
    return { value, index };
  }

  function orderCursor(sortKey: OrderSortKey, index: number): string {
    return encodeCursor(ID_BASE.order + index, CODECS[sortKey].render(book.sequence(sortKey).valueOf(index)));
  }

  function search(query: string | null | undefined, ctx: AdminContext, info: GraphQLResolveInfo) {
    try {
      const compiled = compileSearchQuery(query, book);
      if (compiled.warnings.length > 0 && query) ctx.search.push({ path: path(info), query, warnings: compiled.warnings });
      return compiled.matches;
    } catch (err) {
      if (err instanceof SearchSyntaxError) throw new GraphQLError(`Invalid search query: ${err.message}`);
      throw err;
    }
  }

  function orders(args: PageArgsInput & { sortKey: OrderSortKey; query?: string | null }, ctx: AdminContext, info: GraphQLResolveInfo) {
    const edge = (i: number) => new Edge(views.order(book.order(i)), () => orderCursor(args.sortKey, i));
    if (ctx.bulk && info.path.prev === undefined) return connection(ctx.bulk.indices.map(edge), { hasNextPage: false, hasPreviousPage: false });
    const sequence = book.sequence(args.sortKey);
    const matches = search(args.query, ctx, info);
    const pageArgs: PageArgs = { ...args, after: orderKey(args.sortKey, args.after), before: orderKey(args.sortKey, args.before) };
    const page = guard(() => paginate(sequence, pageArgs, { matches, stopAfter: data.paginationLimit }));
    return connection(page.indices.map(edge), page);
  }

  function orderByGid(value: string): View | null {
    const g = parseGid(value);
    if (!g) throw invalidId(value);
    const index = g.id - ID_BASE.order;
    return g.type === 'Order' && book.has(index) ? views.order(book.order(index)) : null;
  }

  function node(value: string): View | null {
    const g = parseGid(value);
    if (!g) throw invalidId(value);
    switch (g.type) {
      case 'Order':
        return orderByGid(value);
      case 'LineItem': {
        const offset = g.id - ID_BASE.lineItem;
        const index = Math.floor(offset / LINES_STRIDE);
        const k = offset % LINES_STRIDE;
        if (!book.has(index)) return null;
        const line = book.order(index).lineItems[k - 1];
        return line ? views.line(line) : null;
      }
      case 'Customer': {
        const c = book.customer(g.id - ID_BASE.customer);
        return c ? views.customer(c) : null;
      }
      case 'Product':
        return views.product(g.id - ID_BASE.product);
      case 'ProductVariant':
        return views.variant(g.id - ID_BASE.variant);
      case 'BulkOperation':
        return data.bulk.get(g.id);
      case 'WebhookSubscription':
        return data.webhooks.get(g.id);
      case 'Shop':
        return g.id === 1 ? shopView() : null;
      default:
        return null;
    }
  }

  function shopView(): View {
    const m = Math.abs(shop.offsetMinutes);
    return {
      __typename: 'Shop',
      id: gid('Shop', 1),
      name: shop.name,
      email: shop.email,
      myshopifyDomain: shop.domain,
      url: shop.url(),
      currencyCode: shop.currency,
      ianaTimezone: shop.ianaTimezone,
      timezoneAbbreviation: shop.timezoneAbbreviation,
      timezoneOffset: `${shop.offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`,
      timezoneOffsetMinutes: shop.offsetMinutes,
      plan: { displayName: shop.planName, partnerDevelopment: false, shopifyPlus: false },
    };
  }

  function webhookSubscriptions(args: PageArgsInput & { topics?: string[] | null; callbackUrl?: string | null }) {
    const all = data.webhooks
      .list()
      .filter((s) => !args.topics || args.topics.includes(String(s.topic)))
      .filter((s) => !args.callbackUrl || s.callbackUrl === args.callbackUrl);
    const key = (cursor: string | null | undefined): SequenceKey | null => {
      if (!cursor) return null;
      const { lastId } = decodeCursor(cursor);
      const p = all.findIndex((s) => s.id === gid('WebhookSubscription', lastId));
      if (p < 0) throw new PaginationError('Invalid cursor.');
      return { value: p, index: p };
    };
    const cursorOf = (p: number) => encodeCursor(parseGid(String(all[p]!.id))!.id, String(p + 1));
    const page = guard(() => paginate(listSequence(all.length), { ...args, after: key(args.after), before: key(args.before) }, { matches: null }));
    return connection(page.indices.map((p) => new Edge(all[p]!, () => cursorOf(p))), page);
  }

  function ordersCount(args: { query?: string | null; limit?: number | null }, ctx: AdminContext, info: GraphQLResolveInfo) {
    const matches = search(args.query, ctx, info);
    const size = book.size();
    let n = 0;
    if (matches === null) n = size;
    else for (let i = 1; i <= size; i++) if (matches(i)) n++;
    const limit = args.limit ?? Infinity;
    return { count: Math.min(n, limit), precision: n > limit ? 'AT_LEAST' : 'EXACT' };
  }

  return {
    // QueryRoot
    orders: (args: Parameters<typeof orders>[0], ctx: AdminContext, info: GraphQLResolveInfo) => guard(() => orders(args, ctx, info)),
    order: (args: { id: string }) => orderByGid(args.id),
    ordersCount,
    customer: (args: { id: string }) => {
      const v = node(args.id);
      return v?.__typename === 'Customer' ? v : null;
    },
    node: (args: { id: string }) => node(args.id),
    nodes: (args: { ids: string[] }) => args.ids.map((id) => node(id)),
    shop: shopView,
    currentBulkOperation: (args: { type: string }) => data.bulk.current(args.type),
    bulkOperation: (args: { id: string }) => {
      const v = node(args.id);
      return v?.__typename === 'BulkOperation' ? v : null;
    },
    webhookSubscriptions,
    webhookSubscription: (args: { id: string }) => {
      const v = node(args.id);
      return v?.__typename === 'WebhookSubscription' ? v : null;
    },
    // Mutation
    bulkOperationRunQuery: (args: { query: string }, ctx: AdminContext) => {
      const r = data.bulk.start(args.query, ctx);
      return { bulkOperation: r.operation, userErrors: r.userErrors };
    },
    bulkOperationCancel: (args: { id: string }) => {
      const g = parseGid(args.id);
      if (!g || g.type !== 'BulkOperation') return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
      const r = data.bulk.cancel(g.id);
      return { bulkOperation: r.operation, userErrors: r.userErrors };
    },
    webhookSubscriptionCreate: (args: { topic: string; webhookSubscription: { callbackUrl?: string | null; format?: string | null; includeFields?: string[] | null } }, ctx: AdminContext) => {
      const r = data.webhooks.create(args.topic, args.webhookSubscription, ctx.version);
      return { webhookSubscription: r.subscription, userErrors: r.userErrors };
    },
    webhookSubscriptionDelete: (args: { id: string }) => {
      const g = parseGid(args.id);
      if (!g || g.type !== 'WebhookSubscription') return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
      const r = data.webhooks.remove(g.id);
      return { deletedWebhookSubscriptionId: r.deletedId, userErrors: r.userErrors };
    },
  };
}

