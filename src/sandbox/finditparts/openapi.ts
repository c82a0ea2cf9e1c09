/**
 * The OpenAPI 3.0 document of the FinditParts sandbox, served at
 * `/__sandbox/openapi.json`: the Reseller API as upstreams.md describes it,
 * the sandbox's extensions (vehicle fitment) and its admin routes.
 */
import { ORDER_STATUSES, MAX_ITEMS_PER_ORDER } from './orders.js';
import { PER_DEFAULT, PER_MAX } from './params.js';
import { MAX_IDS_PER_CALL } from './products.js';
import { SHIPPING_METHODS } from './wire.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const money = { type: 'string', pattern: '^-?\\d+\\.\\d{2}$', example: '12.34' };
const obj = (properties: Json, required: string[] = Object.keys(properties)): Json => ({ type: 'object', properties, required });
const arr = (items: Json): Json => ({ type: 'array', items });
const errno0 = { type: 'integer', enum: [0] };

function json(schema: Json, description = 'OK'): Json {
  return { description, content: { 'application/json': { schema } } };
}
const error = (description: string) => json(ref('Error'), description);
const q = (name: string, description: string, schema: Json = str): Json => ({ name, in: 'query', required: false, description, schema });
const p = (name: string, description: string): Json => ({ name, in: 'path', required: true, description, schema: str });

/** Answers every API route can give besides its own. */
const common: Json = {
  '401': error('errno 1: missing credentials, token expired, invalid signature, invalid issuer…'),
  '429': error('errno 7: rate limit exceeded (Retry-After in seconds); errno 99 when injected by a fault'),
  '500': error('errno 99: injected fault'),
  '503': error('errno 99: injected fault'),
  '504': error('errno 99: injected fault'),
};

function api(summary: string, responses: Json, extra: Json = {}): Json {
  return { summary, ...extra, responses: { ...responses, ...common } };
}
function admin(summary: string, responses: Json, extra: Json = {}): Json {
  return { summary, tags: ['sandbox admin'], security: [], ...extra, responses };
}
function body(schema: Json): Json {
  return { requestBody: { required: true, content: { 'application/json': { schema } } } };
}

const schemas: Json = {
  Error: obj({ errno: { type: 'integer', description: '1 auth, 2 bad request, 3 validation, 4 unknown variant, 5 out of stock, 6 below minimum or not sellable, 7 rate limited, 99 fault, 404 not found' }, message: str }),
  Variant: obj({ variant_id: int, price: money, quantity: int, pack_quantity: int, minimum: int, core_price: money, estimated_ship_date: { type: 'string', format: 'date' } }),
  Fitment: obj({ year: int, make: str, model: str }),
  Product: obj({
    finditparts_product_id: int,
    id: int,
    url: str,
    manufacturer: str,
    part_number: str,
    image: str,
    short_description: str,
    preferred_variant_id: int,
    sellable: bool,
    tags: arr(str),
    fitments: { ...arr(ref('Fitment')), description: 'Sandbox extension: vehicles the part fits.' },
    variants: arr(ref('Variant')),
  }),
  Pagination: obj({ current_page: int, per_page: int, total_count: int }),
  Address: obj({ name: str, street1: str, street2: str, city: str, state: str, zip: str, country: str }, ['name', 'street1', 'city', 'state', 'zip', 'country']),
  PlaceOrder: obj({
    po_number: { type: 'string', minLength: 1, maxLength: 64, description: 'Your reference. Not unique upstream: the same po_number twice makes two orders.' },
    shipping_method: { type: 'string', enum: SHIPPING_METHODS.map((m) => m.id) },
    address: ref('Address'),
    items: { ...arr(obj({ variant_id: int, quantity: { type: 'integer', minimum: 1 } })), minItems: 1, maxItems: MAX_ITEMS_PER_ORDER },
  }),
  OrderItem: obj({ variant_id: int, product_id: int, part_number: str, quantity: int, price: money }),
  Order: obj({
    id: int,
    po_number: str,
    status: { type: 'string', enum: [...ORDER_STATUSES], description: 'received, then processing after 2 s, shipped after 10 s (unless set by the admin route)' },
    created_at: { type: 'string', format: 'date-time' },
    items: arr(ref('OrderItem')),
    subtotal: money,
    shipping_method: str,
    shipping_price: money,
    total: money,
    address: ref('Address'),
    tracking_number: { type: 'string', nullable: true },
  }),
  ShippingMethod: obj({ id: str, name: str, price: money, days: int }),
  Limits: obj({ ratePerSecond: { type: 'number' }, burst: int, perMinute: int }),
};

const paging = [q('page', '1-based page, default 1', int), q('per', `page size, default ${PER_DEFAULT}, 1..${PER_MAX} (over: 400 errno 2)`, int)];

const paths: Json = {
  '/api/v1/products': {
    get: api(
      'Search products. No filter: the whole catalog in id order.',
      {
        '200': json(obj({ products: arr(ref('Product')), pagination: ref('Pagination'), errno: errno0, aggs: obj({ manufacturers: { type: 'object', additionalProperties: int } }) })),
        '400': error('errno 2: bad page, per or ids'),
      },
      {
        parameters: [
          q('query', 'case-insensitive substring of part_number, manufacturer or short_description'),
          q('part_number', 'exact part number, case-insensitive'),
          q('tags', 'comma list of categories'),
          q('ids', 'comma list of product ids'),
          q('fitment_year', 'sandbox extension: fits this model year', int),
          q('fitment_make', 'sandbox extension: fits this make (case-insensitive)'),
          q('fitment_model', 'sandbox extension: fits this model (case-insensitive)'),
          ...paging,
        ],
      },
    ),
  },
  '/api/v1/products/lookup': {
    get: api('One product by part number.', { '200': json(obj({ product: ref('Product'), errno: errno0 })), '404': error('errno 404: product not found') }, { parameters: [{ ...q('part_number', 'exact part number'), required: true }] }),
  },
  '/api/v1/products/{id}': {
    get: api('One product.', { '200': json(obj({ product: ref('Product'), errno: errno0 })), '404': error('errno 404: product not found') }, { parameters: [p('id', 'product id')] }),
  },
  '/api/v1/products/{ids}/multi': {
    get: api(
      `Many products in one call, in the order asked; unknown ids are absent. At most ${MAX_IDS_PER_CALL} ids.`,
      { '200': json(obj({ products: arr(ref('Product')), errno: errno0 })), '400': error(`errno 2: more than ${MAX_IDS_PER_CALL} ids, or a non-numeric id`) },
      { parameters: [p('ids', 'comma list of product ids')] },
    ),
  },
  '/api/v1/variants/{ids}': {
    get: api(
      `Variants by id (at most ${MAX_IDS_PER_CALL}), each with its product_id; unknown ids are absent.`,
      { '200': json(obj({ variants: arr({ allOf: [ref('Variant'), obj({ product_id: int })] }), errno: errno0 })), '400': error('errno 2') },
      { parameters: [p('ids', 'comma list of variant ids')] },
    ),
  },
  '/api/v1/vehicles': {
    get: api(
      'Sandbox extension (fitment is not documented by the vendor): makes, models and model years products fit.',
      { '200': json(obj({ vehicles: arr(obj({ make: str, models: arr(str) })), years: obj({ min: int, max: int }), errno: errno0 })) },
      { 'x-sandbox-extension': true },
    ),
  },
  '/api/v1/partners/place_order': {
    post: api(
      'Place a supplier order. No idempotency: every call that succeeds creates an order.',
      {
        '201': json(obj({ errno: errno0, order: ref('Order') }), 'Created'),
        '400': error('errno 2: malformed JSON'),
        '422': error('errno 3 validation, 4 unknown variant, 5 out of stock, 6 below minimum or not sellable'),
      },
      body(ref('PlaceOrder')),
    ),
  },
  '/api/v1/orders/search': {
    get: api('Orders by po_number (all orders when absent), oldest first.', { '200': json(obj({ orders: arr(ref('Order')), pagination: ref('Pagination'), errno: errno0 })), '400': error('errno 2') }, { parameters: [q('po_number', 'exact po_number'), ...paging] }),
  },
  '/api/v1/orders/{id}': {
    get: api('One order.', { '200': json(obj({ order: ref('Order'), errno: errno0 })), '404': error('errno 404: order not found') }, { parameters: [p('id', 'order id')] }),
  },
  '/api/v1/shipping_methods': {
    get: api('Shipping methods for place_order.', { '200': json(obj({ shipping_methods: arr(ref('ShippingMethod')), errno: errno0 })) }),
  },
  '/__sandbox/stats': { get: admin('Request counts by endpoint and status, throttles, faults.', { '200': json({ type: 'object' }) }) },
  '/__sandbox/faults': {
    get: admin('Current fault spec.', { '200': json({ type: 'object' }) }),
    post: admin('Replace the fault spec (latencyMs, latencyJitterMs, errorRates, hangRate, resetRate, acceptThenHang, failNext, match, seed).', { '200': json({ type: 'object' }), '400': json({ type: 'object' }, 'invalid fault spec') }, body({ type: 'object' })),
  },
  '/__sandbox/reset': {
    post: admin('Clear stats and faults; with {"data":true} also clear orders.', { '200': json(obj({ ok: bool })) }, body(obj({ data: bool }, []))),
  },
  '/__sandbox/limits': {
    get: admin('Current rate limits.', { '200': json(ref('Limits')) }),
    post: admin('Change rate limits (any subset); every client starts again with a full bucket.', { '200': json(ref('Limits')), '400': error('errno 2: invalid limits') }, body({ ...ref('Limits'), required: [] })),
  },
  '/__sandbox/orders/{id}/status': {
    post: admin(
      'Set an order status explicitly (it then stays put).',
      { '200': json(obj({ order: ref('Order'), errno: errno0 })), '400': error('errno 3: invalid status'), '404': error('errno 404: order not found') },
      { parameters: [p('id', 'order id')], ...body(obj({ status: { type: 'string', enum: [...ORDER_STATUSES] } })) },
    ),
  },
  '/__sandbox/parts/{partNumber}/fitments': {
    post: admin(
      'Replace what a part fits (the supplier changed its fitment data), until a data reset.',
      { '200': json(obj({ product: ref('Product'), errno: errno0 })), '400': error('errno 2: invalid fitments'), '404': error('errno 404: product not found') },
      { parameters: [p('partNumber', 'part number')], ...body(obj({ fitments: { type: 'array', items: obj({ year: { type: 'integer' }, make: { type: 'string' }, model: { type: 'string' } }) } })) },
    ),
  },
  '/__sandbox/openapi.json': { get: admin('This document.', { '200': json({ type: 'object' }) }) },
};

export function buildOpenApi(): Json {
  return {
    openapi: '3.0.3',
    info: {
      title: 'FinditParts Reseller API (Crossdock sandbox)',
      version: '1.0.0',
      description:
        'A local simulator of the FinditParts Reseller API, written from upstreams.md. Errors are {errno, message}; successes carry errno 0. Auth: Bearer JWT (HS256, iss = client id, exp at most 1 h ahead) or X-API-Key. Rate limited per credential (token bucket plus a rolling minute).',
    },
    servers: [{ url: '/' }],
    security: [{ bearerJwt: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas,
    },
    paths,
  };
}
