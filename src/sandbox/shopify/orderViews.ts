/**
 * GraphQL views of the shop's records: what the fields of `Order`,
 * `LineItem`, `Customer`, `MailingAddress`, `Product` and `ProductVariant`
 * resolve from. Classes with getters and methods, so a view costs one small
 * object and a field nobody selected costs nothing (a bulk run reads 100,000
 * orders through these; eager plain objects spent most of its time building
 * money bags and cursors no query asked for). graphql-js's default
 * resolution reads a getter as a property and calls a method with the
 * field's arguments; abstract types resolve through `__typename`.
 */
import { GraphQLError } from 'graphql';
import type { Catalog } from '../common/catalog.js';
import { graphqlAmount } from './money.js';
import { ID_BASE, LINES_STRIDE, type ShopAddress, type ShopCustomer, type ShopLineItem, type ShopOrder } from './orderRecord.js';
import { decodeCursor, encodeCursor, listSequence, paginate, PaginationError, type PageArgs } from './pagination.js';

export type View = Record<string, unknown> & { __typename: string };

/** Arguments of a connection field, cursors still encoded. */
export type PageArgsInput = { first?: number | null; last?: number | null; after?: string | null; before?: string | null; reverse?: boolean | null };

/** Set on the request context while a bulk operation runs: connections then return every node. */
export interface BulkFlag {
  bulk?: unknown;
}

export const iso = (sec: number) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;

/** An edge whose cursor is encoded only when it is asked for. */
export class Edge {
  constructor(
    readonly node: unknown,
    private readonly cursorOf: () => string,
  ) {}
  get cursor(): string {
    return this.cursorOf();
  }
}

export function connection(edges: Edge[], page: { hasNextPage: boolean; hasPreviousPage: boolean }) {
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
  };
}

/** Pagination problems are the caller's: a GraphQL error on the field. */
export function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof PaginationError) throw new GraphQLError(err.message);
    throw err;
  }
}

export interface OrderViews {
  order(o: ShopOrder): View;
  line(l: ShopLineItem): View;
  customer(c: ShopCustomer): View;
  product(partIndex: number): View | null;
  variant(variantId: number): View | null;
}

export function createOrderViews(options: { catalog: Catalog; currency: string; skuPrefix: string }): OrderViews {
  const { catalog, currency, skuPrefix } = options;

  const money = (cents: number) => {
    const m = { amount: graphqlAmount(cents), currencyCode: currency };
    return { shopMoney: m, presentmentMoney: m };
  };

  class AddressView {
    constructor(private readonly a: ShopAddress) {}
    get firstName() {
      return this.a.firstName;
    }
    get lastName() {
      return this.a.lastName;
    }
    get name() {
      return `${this.a.firstName} ${this.a.lastName}`;
    }
    get company() {
      return this.a.company;
    }
    get address1() {
      return this.a.address1;
    }
    get address2() {
      return this.a.address2;
    }
    get city() {
      return this.a.city;
    }
    get province() {
      return this.a.province;
    }
    get provinceCode() {
      return this.a.provinceCode;
    }
    get zip() {
      return this.a.zip;
    }
    get country() {
      return this.a.country;
    }
    get countryCodeV2() {
      return this.a.countryCode;
    }
    get phone() {
      return this.a.phone;
    }
  }
  const address = (a: ShopAddress | null) => (a ? new AddressView(a) : null);

  class CustomerView {
    readonly __typename = 'Customer';
    constructor(private readonly c: ShopCustomer) {}
    get id() {
      return gid('Customer', this.c.legacyId);
    }
    get legacyResourceId() {
      return String(this.c.legacyId);
    }
    get firstName() {
      return this.c.firstName;
    }
    get lastName() {
      return this.c.lastName;
    }
    get displayName() {
      return `${this.c.firstName} ${this.c.lastName}`;
    }
    get email() {
      return this.c.email;
    }
    get defaultEmailAddress() {
      return { emailAddress: this.c.email };
    }
    get phone() {
      return this.c.phone;
    }
    get createdAt() {
      return iso(this.c.createdSec);
    }
    get updatedAt() {
      return iso(this.c.createdSec);
    }
    get tags() {
      return this.c.tags;
    }
    get defaultAddress() {
      return address(this.c.address);
    }
  }

  function product(partIndex: number): View | null {
    const part = catalog.get(partIndex);
    if (!part) return null;
    const id = ID_BASE.product + partIndex;
    return { __typename: 'Product', id: gid('Product', id), legacyResourceId: String(id), title: part.description, vendor: part.manufacturer };
  }

  function variant(variantId: number): View | null {
    const partIndex = catalog.indexOfVariant(variantId);
    const part = partIndex === undefined ? undefined : catalog.get(partIndex);
    if (!part) return null;
    const id = ID_BASE.variant + variantId;
    const first = variantId === part.variants[0]?.variantId;
    return {
      __typename: 'ProductVariant',
      id: gid('ProductVariant', id),
      legacyResourceId: String(id),
      sku: first ? `${skuPrefix}${part.partNumber}` : `${skuPrefix}${part.partNumber}-${variantId % 10}`,
      title: part.variants.length > 1 ? 'Each' : 'Default Title',
    };
  }

  class LineItemView {
    readonly __typename = 'LineItem';
    constructor(private readonly l: ShopLineItem) {}
    get id() {
      return gid('LineItem', this.l.legacyId);
    }
    get name() {
      return this.l.variantTitle ? `${this.l.title} - ${this.l.variantTitle}` : this.l.title;
    }
    get title() {
      return this.l.title;
    }
    get variantTitle() {
      return this.l.variantTitle;
    }
    get sku() {
      return this.l.sku;
    }
    get vendor() {
      return this.l.vendor;
    }
    get quantity() {
      return this.l.quantity;
    }
    get currentQuantity() {
      return this.l.quantity;
    }
    get requiresShipping() {
      return true;
    }
    get taxable() {
      return true;
    }
    get isGiftCard() {
      return false;
    }
    get originalUnitPriceSet() {
      return money(this.l.unitCents);
    }
    get discountedUnitPriceSet() {
      return money(this.l.unitCents);
    }
    get originalTotalSet() {
      return money(this.l.unitCents * this.l.quantity);
    }
    get discountedTotalSet() {
      return money(this.l.unitCents * this.l.quantity);
    }
    get product() {
      return this.l.productLegacyId === null ? null : product(this.l.productLegacyId - ID_BASE.product);
    }
    get variant() {
      return this.l.variantLegacyId === null ? null : variant(this.l.variantLegacyId - ID_BASE.variant);
    }
  }

  class OrderView {
    readonly __typename = 'Order';
    constructor(private readonly o: ShopOrder) {}
    get id() {
      return gid('Order', this.o.legacyId);
    }
    get legacyResourceId() {
      return String(this.o.legacyId);
    }
    get name() {
      return this.o.name;
    }
    get email() {
      return this.o.email;
    }
    get phone() {
      return this.o.phone;
    }
    get createdAt() {
      return iso(this.o.createdSec);
    }
    get updatedAt() {
      return iso(this.o.updatedSec);
    }
    get processedAt() {
      return iso(this.o.createdSec);
    }
    get closed() {
      return this.o.closedSec !== 0;
    }
    get closedAt() {
      return this.o.closedSec ? iso(this.o.closedSec) : null;
    }
    get cancelledAt() {
      return this.o.cancelledSec ? iso(this.o.cancelledSec) : null;
    }
    get cancelReason() {
      return this.o.cancelReason;
    }
    get confirmed() {
      return true;
    }
    get test() {
      return false;
    }
    get note() {
      return this.o.note;
    }
    get tags() {
      return this.o.tags;
    }
    get currencyCode() {
      return this.o.currency;
    }
    get presentmentCurrencyCode() {
      return this.o.currency;
    }
    get displayFinancialStatus() {
      return this.o.financial;
    }
    get displayFulfillmentStatus() {
      return this.o.fulfillment;
    }
    get fullyPaid() {
      const f = this.o.financial;
      return f === 'PAID' || f === 'PARTIALLY_REFUNDED' || f === 'REFUNDED';
    }
    get subtotalLineItemsQuantity() {
      return this.o.lineItems.reduce((s, l) => s + l.quantity, 0);
    }
    get subtotalPriceSet() {
      return money(this.o.subtotalCents);
    }
    get totalShippingPriceSet() {
      return money(this.o.shippingCents);
    }
    get totalTaxSet() {
      return money(this.o.taxCents);
    }
    get totalPriceSet() {
      return money(this.o.totalCents);
    }
    get customer() {
      return this.o.customer ? new CustomerView(this.o.customer) : null;
    }
    get shippingAddress() {
      return address(this.o.shippingAddress);
    }
    get billingAddress() {
      return address(this.o.billingAddress);
    }
    lineItems(args: PageArgsInput, ctx: BulkFlag) {
      return guard(() => lineConnection(this.o, args, ctx));
    }
  }

  function lineConnection(o: ShopOrder, args: PageArgsInput, ctx: BulkFlag) {
    const lines = o.lineItems;
    const edge = (p: number) => new Edge(new LineItemView(lines[p]!), () => encodeCursor(lines[p]!.legacyId, String(p + 1)));
    if (ctx.bulk) return connection(lines.map((_, p) => edge(p)), { hasNextPage: false, hasPreviousPage: false });
    const key = (cursor: string | null | undefined) => {
      if (!cursor) return null;
      const { lastId } = decodeCursor(cursor);
      const k = lastId - ID_BASE.lineItem - o.index * LINES_STRIDE;
      if (k < 1 || k > lines.length) throw new PaginationError('Invalid cursor.');
      return { value: k - 1, index: k - 1 };
    };
    const pageArgs: PageArgs = { ...args, after: key(args.after), before: key(args.before) };
    const page = paginate(listSequence(lines.length), pageArgs, { matches: null });
    return connection(page.indices.map(edge), page);
  }

  return {
    order: (o) => new OrderView(o) as unknown as View,
    line: (l) => new LineItemView(l) as unknown as View,
    customer: (c) => new CustomerView(c) as unknown as View,
    product,
    variant,
  };
}
