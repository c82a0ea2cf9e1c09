/**
 * The slice of the Shopify GraphQL Admin API the simulator serves, as SDL
 * (upstreams.md, "Shopify"): orders and their line items, customers and
 * addresses, money bags, the shop, bulk operations and webhook
 * subscriptions, and `node`/`nodes`. Names and shapes follow the vendor's
 * schema so a connector's documents run unchanged against it; what the
 * vendor has and the sandbox does not is simply absent (a validation
 * error, as an unknown field is upstream).
 *
 * Executed with graphql-js (adminResolvers.ts); the cost of a document is
 * computed from this schema (queryCost.ts).
 */
import { buildSchema, type GraphQLSchema } from 'graphql';
import { FINANCIAL_STATUSES, FULFILLMENT_STATUSES } from './orderRecord.js';
import { ORDER_SORT_KEYS } from './orderBook.js';

/** ISO 4217 codes the shop's `currencyCode` may take (the vendor's enum has every one; these are the common ones). */
export const CURRENCY_CODES = ['AUD', 'BRL', 'CAD', 'CHF', 'CNY', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'INR', 'JPY', 'MXN', 'NOK', 'NZD', 'PLN', 'SEK', 'SGD', 'USD', 'ZAR'] as const;

/** Webhook topics a subscription may name; the sandbox delivers ORDERS_CREATE, ORDERS_UPDATED and BULK_OPERATIONS_FINISH. */
export const WEBHOOK_TOPICS = ['APP_UNINSTALLED', 'BULK_OPERATIONS_FINISH', 'ORDERS_CANCELLED', 'ORDERS_CREATE', 'ORDERS_DELETE', 'ORDERS_FULFILLED', 'ORDERS_PAID', 'ORDERS_UPDATED'] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

const SDL = /* GraphQL */ `
schema {
  query: QueryRoot
  mutation: Mutation
}

"An ISO-8601 instant in UTC, e.g. 2025-01-10T16:00:00Z."
scalar DateTime
"An exact decimal as a string, e.g. 29.0."
scalar Decimal
scalar URL
"A 64-bit unsigned integer as a string."
scalar UnsignedInt64

interface Node {
  id: ID!
}

type QueryRoot {
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, sortKey: OrderSortKeys = ID, query: String): OrderConnection!
  order(id: ID!): Order
  "Orders matching a search query; above limit the count reads limit with precision AT_LEAST."
  ordersCount(query: String, limit: Int = 10000): Count
  customer(id: ID!): Customer
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  shop: Shop!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
  bulkOperation(id: ID!): BulkOperation
  webhookSubscriptions(first: Int, after: String, last: Int, before: String, reverse: Boolean = false, topics: [WebhookSubscriptionTopic!], callbackUrl: URL): WebhookSubscriptionConnection!
  webhookSubscription(id: ID!): WebhookSubscription
}

type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean): BulkOperationRunQueryPayload
  bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}

enum OrderSortKeys {
  ${ORDER_SORT_KEYS.join('\n  ')}
}
enum OrderDisplayFinancialStatus {
  ${FINANCIAL_STATUSES.join('\n  ')}
}
enum OrderDisplayFulfillmentStatus {
  ${FULFILLMENT_STATUSES.join('\n  ')}
}
enum OrderCancelReason {
  CUSTOMER
  DECLINED
  FRAUD
  INVENTORY
  OTHER
  STAFF
}
enum CurrencyCode {
  ${CURRENCY_CODES.join('\n  ')}
}
enum CountryCode {
  CA
  MX
  US
}
enum CountPrecision {
  AT_LEAST
  EXACT
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Count {
  count: Int!
  precision: CountPrecision!
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}
type MoneyBag {
  shopMoney: MoneyV2!
  presentmentMoney: MoneyV2!
}

type Order implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  email: String
  phone: String
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  closed: Boolean!
  closedAt: DateTime
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  confirmed: Boolean!
  test: Boolean!
  note: String
  tags: [String!]!
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  fullyPaid: Boolean!
  subtotalLineItemsQuantity: Int!
  subtotalPriceSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  totalTaxSet: MoneyBag
  totalPriceSet: MoneyBag!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  lineItems(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): LineItemConnection!
}
type OrderEdge {
  cursor: String!
  node: Order!
}
type OrderConnection {
  edges: [OrderEdge!]!
  nodes: [Order!]!
  pageInfo: PageInfo!
}

type LineItem implements Node {
  id: ID!
  name: String!
  title: String!
  variantTitle: String
  sku: String
  vendor: String
  quantity: Int!
  currentQuantity: Int!
  requiresShipping: Boolean!
  taxable: Boolean!
  isGiftCard: Boolean!
  originalUnitPriceSet: MoneyBag!
  discountedUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
  discountedTotalSet: MoneyBag!
  product: Product
  variant: ProductVariant
}
type LineItemEdge {
  cursor: String!
  node: LineItem!
}
type LineItemConnection {
  edges: [LineItemEdge!]!
  nodes: [LineItem!]!
  pageInfo: PageInfo!
}

type Product implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  vendor: String!
}
type ProductVariant implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  sku: String
  title: String!
}

type CustomerEmailAddress {
  emailAddress: String!
}
type Customer implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  firstName: String
  lastName: String
  displayName: String!
  email: String
  defaultEmailAddress: CustomerEmailAddress
  phone: String
  createdAt: DateTime!
  updatedAt: DateTime!
  tags: [String!]!
  defaultAddress: MailingAddress
}

type MailingAddress {
  firstName: String
  lastName: String
  name: String
  company: String
  address1: String
  address2: String
  city: String
  province: String
  provinceCode: String
  zip: String
  country: String
  countryCodeV2: CountryCode
  phone: String
}

type ShopPlan {
  displayName: String!
  partnerDevelopment: Boolean!
  shopifyPlus: Boolean!
}
type Shop implements Node {
  id: ID!
  name: String!
  email: String!
  myshopifyDomain: String!
  url: URL!
  currencyCode: CurrencyCode!
  ianaTimezone: String!
  timezoneAbbreviation: String!
  timezoneOffset: String!
  timezoneOffsetMinutes: Int!
  plan: ShopPlan!
}

enum BulkOperationStatus {
  CANCELED
  CANCELING
  COMPLETED
  CREATED
  EXPIRED
  FAILED
  RUNNING
}
enum BulkOperationErrorCode {
  ACCESS_DENIED
  INTERNAL_SERVER_ERROR
  TIMEOUT
}
enum BulkOperationType {
  MUTATION
  QUERY
}
enum BulkOperationUserErrorCode {
  INVALID
  OPERATION_IN_PROGRESS
}
type BulkOperation implements Node {
  id: ID!
  status: BulkOperationStatus!
  errorCode: BulkOperationErrorCode
  createdAt: DateTime!
  completedAt: DateTime
  objectCount: UnsignedInt64!
  rootObjectCount: UnsignedInt64!
  fileSize: UnsignedInt64
  url: URL
  partialDataUrl: URL
  query: String!
  type: BulkOperationType!
}
type BulkOperationUserError {
  field: [String!]
  message: String!
  code: BulkOperationUserErrorCode
}
type UserError {
  field: [String!]
  message: String!
}
type BulkOperationRunQueryPayload {
  bulkOperation: BulkOperation
  userErrors: [BulkOperationUserError!]!
}
type BulkOperationCancelPayload {
  bulkOperation: BulkOperation
  userErrors: [UserError!]!
}

enum WebhookSubscriptionTopic {
  ${WEBHOOK_TOPICS.join('\n  ')}
}
enum WebhookSubscriptionFormat {
  JSON
  XML
}
input WebhookSubscriptionInput {
  callbackUrl: URL
  format: WebhookSubscriptionFormat = JSON
  includeFields: [String!]
  metafieldNamespaces: [String!]
}
type ApiVersion {
  handle: String!
  displayName: String!
  supported: Boolean!
}
type WebhookHttpEndpoint {
  callbackUrl: URL!
}
union WebhookSubscriptionEndpoint = WebhookHttpEndpoint
type WebhookSubscription implements Node {
  id: ID!
  topic: WebhookSubscriptionTopic!
  format: WebhookSubscriptionFormat!
  callbackUrl: URL!
  endpoint: WebhookSubscriptionEndpoint!
  includeFields: [String!]!
  apiVersion: ApiVersion!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type WebhookSubscriptionEdge {
  cursor: String!
  node: WebhookSubscription!
}
type WebhookSubscriptionConnection {
  edges: [WebhookSubscriptionEdge!]!
  nodes: [WebhookSubscription!]!
  pageInfo: PageInfo!
}
type WebhookSubscriptionCreatePayload {
  webhookSubscription: WebhookSubscription
  userErrors: [UserError!]!
}
type WebhookSubscriptionDeletePayload {
  deletedWebhookSubscriptionId: ID
  userErrors: [UserError!]!
}
`;

/** The SDL served at `/__sandbox/schema.graphql`. */
export const ADMIN_SDL = SDL;

let built: GraphQLSchema | undefined;

/** The schema (built once per process: it holds no state). */
export function adminSchema(): GraphQLSchema {
  return (built ??= buildSchema(SDL));
}
