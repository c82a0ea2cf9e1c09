/**
 * The GraphQL documents the connector sends (upstreams.md, "Shopify": the
 * order fields to mirror, the `orders` connection and its search syntax,
 * bulk operations, webhook subscriptions) and what each is expected to cost
 * before Shopify has reported it (SHOPIFY_GUESSES: 1 per object, a
 * connection `first` × its children).
 */
import { MAX_PAGE_SIZE, SHOPIFY_GUESSES } from './wire.js';

const MONEY = 'shopMoney { amount currencyCode }';
const ADDRESS = 'firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone';
const LINE = `id name sku quantity originalUnitPriceSet { ${MONEY} }`;

/** The order's own fields (its line items are asked for separately: a connection in pages, a child line in bulk). */
export const ORDER_FIELDS = `id name createdAt updatedAt closedAt cancelledAt displayFinancialStatus displayFulfillmentStatus currencyCode
  subtotalPriceSet { ${MONEY} } totalPriceSet { ${MONEY} } email
  customer { id email firstName lastName }
  shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }`;

/** Line items asked for with each order of a page; an order with more gets the rest by `node`. */
export const LINES_PER_ORDER = 10;

/**
 * The objects one order costs besides its line items (upstreams.md, "Cost": 1 per object, a connection
 * 2 + `first` × one node): the order, its customer, two addresses, two money sets each with its
 * `shopMoney` (a MoneyBag and a MoneyV2 are two objects), and the line item connection's own 2.
 */
const ORDER_OBJECTS = 1 + 1 + 2 + 2 * 2 + 2;

/** One line item: the line, its `originalUnitPriceSet` and that set's `shopMoney`. */
const LINE_OBJECTS = 3;

/** What one order of a page is expected to cost: its objects and `LINES_PER_ORDER` line items with their money. */
export const ESTIMATED_COST_PER_ORDER = (ORDER_OBJECTS + LINES_PER_ORDER * LINE_OBJECTS) * SHOPIFY_GUESSES.objectCost;

/**
 * The largest page whose requested cost stays under the single-query cap, given what one order costs
 * (the estimate, or what Shopify reported for the last page divided by its size), with a margin of 10 %.
 */
export function pageSizeFor(costPerOrder: number, maxQueryCost: number): number {
  const per = Math.max(1, costPerOrder);
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor((maxQueryCost * 0.9 - 2) / per)));
}

/** upstreams.md: `orders(first, after, query, sortKey)`; `updated_at:>='…'` (dates quoted). */
export const ORDERS_UPDATED_SINCE = `query MirrorOrdersUpdatedSince($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ${ORDER_FIELDS} lineItems(first: ${LINES_PER_ORDER}) { nodes { ${LINE} } pageInfo { hasNextPage endCursor } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The rest of an order's line items (an order with more than LINES_PER_ORDER). */
export const ORDER_LINES_AFTER = `query MirrorOrderLines($id: ID!, $after: String) {
  node(id: $id) { ... on Order { lineItems(first: ${MAX_PAGE_SIZE}, after: $after) { nodes { ${LINE} } pageInfo { hasNextPage endCursor } } } }
}`;
export const ESTIMATED_COST_ORDER_LINES = 2 + MAX_PAGE_SIZE * LINE_OBJECTS;

/** The bulk query: every order and every line item (a child line with `__parentId` in the file). */
export const BULK_ORDERS_QUERY = `{ orders { edges { node { ${ORDER_FIELDS} lineItems { edges { node { ${LINE} } } } } } } }`;

const BULK_OPERATION = 'id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl';

export const BULK_RUN = `mutation MirrorBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { ${BULK_OPERATION} } userErrors { field message code } }
}`;
export const BULK_CURRENT = `query MirrorBulkCurrent { currentBulkOperation { ${BULK_OPERATION} } }`;
export const BULK_NODE = `query MirrorBulkNode($id: ID!) { node(id: $id) { ... on BulkOperation { ${BULK_OPERATION} } } }`;
/** A mutation costs 10 points (Shopify's published figure for mutations); a single object 1. */
export const ESTIMATED_COST_MUTATION = 10;
export const ESTIMATED_COST_OBJECT = 1;

export const WEBHOOK_CREATE = `mutation MirrorWebhookCreate($topic: WebhookSubscriptionTopic!, $callbackUrl: URL!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { callbackUrl: $callbackUrl, format: JSON }) {
    webhookSubscription { id topic } userErrors { field message }
  }
}`;

/** upstreams.md: `orders/create`, `orders/updated`; the GraphQL topic enum spells them so. */
export const WEBHOOK_TOPICS = ['ORDERS_CREATE', 'ORDERS_UPDATED'] as const;
