/**
 * The OpenAPI 3.0 document of the simulated BigCommerce origin, served at
 * `/__sandbox/openapi.json`: every route, compact but accurate.
 */
import type { BigCommerceSandboxOptions } from '../options.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const arrayOf = (items: unknown, extra: Json = {}) => ({ type: 'array', items, ...extra });

function obj(props: Record<string, string | Json>, required: string[] = []): Json {
  const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeof v === 'string' ? { type: v } : v]));
  return { type: 'object', ...(required.length ? { required } : {}), properties };
}

function q(name: string, type: 'string' | 'integer' | 'boolean', description: string): Json {
  return { name, in: 'query', required: false, schema: { type }, description };
}
const id = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'integer' } });
const PAGING = [q('page', 'integer', 'Page, from 1 (default 1)'), q('limit', 'integer', 'Page size (default 50)')];

/** Store API answers carry the quota headers; 401 and 429 are possible everywhere. */
const RL_HEADERS = Object.fromEntries(
  ['Time-Window-Ms', 'Time-Reset-Ms', 'Requests-Quota', 'Requests-Left'].map((h) => [
    `X-Rate-Limit-${h}`,
    { $ref: `#/components/headers/${h}` },
  ]),
);

interface OpSpec {
  summary: string;
  params?: Json[];
  body?: unknown;
  /** status → [description, schema?] for the successful answers. */
  ok: Record<string, [string, unknown?]>;
  /** status → description for the error answers (v3 or v2 bodies). */
  errors?: Record<string, string>;
  v2?: boolean;
}

/** An operation on the store API (X-Auth-Token, quota headers, 401/429). */
function op(spec: OpSpec): Json {
  const responses: Json = {};
  const answer = (description: string, schema?: unknown) => ({ description, headers: RL_HEADERS, ...(schema ? { content: json(schema) } : {}) });
  for (const [status, [description, schema]] of Object.entries(spec.ok)) responses[status] = answer(description, schema);
  for (const [status, description] of Object.entries(spec.errors ?? {})) {
    responses[status] = answer(description, ref(spec.v2 ? 'V2Error' : 'V3Error'));
  }
  responses['401'] = answer('Missing or unknown X-Auth-Token', ref('V3Error'));
  responses['429'] = answer('Over the store quota (with the headers; without them it is platform load)', ref('V3Error'));
  return {
    summary: spec.summary,
    security: [{ XAuthToken: [] }],
    ...(spec.params ? { parameters: spec.params } : {}),
    ...(spec.body ? { requestBody: { required: true, content: json(spec.body) } } : {}),
    responses,
  };
}

/** A sandbox or login operation (no store auth, no quota). */
function plain(summary: string, responses: Record<string, string>, body?: unknown): Json {
  return {
    summary,
    ...(body ? { requestBody: { required: true, content: json(body) } } : {}),
    responses: Object.fromEntries(Object.entries(responses).map(([s, description]) => [s, { description }])),
  };
}

const collection = (item: string) => obj({ data: arrayOf(ref(item)), meta: obj({ pagination: ref('Pagination') }) }, ['data', 'meta']);
const single = (item: string) => obj({ data: ref(item), meta: { type: 'object' } });
const batchOk = (item: string) => obj({ data: arrayOf(ref(item)), meta: { type: 'object' } });
const multiStatus = (item: string) =>
  obj({ data: arrayOf(ref(item)), errors: ref('V3Error'), meta: obj({ total: 'integer', success: 'integer', failed: 'integer' }) });

export function bigCommerceOpenApi(options: BigCommerceSandboxOptions): Json {
  const b = `/stores/${options.storeHash}`;
  const productFilters = [
    q('id', 'integer', 'Product id'),
    q('id:in', 'string', 'Comma-separated product ids'),
    q('sku', 'string', 'Exact SKU'),
    q('sku:in', 'string', 'Comma-separated SKUs'),
    q('name', 'string', 'Exact name'),
    q('name:like', 'string', 'Name substring'),
    q('keyword', 'string', 'Substring of name or SKU (case-insensitive)'),
    q('is_visible', 'boolean', 'Visibility'),
    q('date_modified:min', 'string', 'Modified at or after (ISO-8601)'),
    q('date_modified:max', 'string', 'Modified at or before (ISO-8601)'),
    q('categories:in', 'string', 'Comma-separated category ids'),
    q('brand_id', 'integer', 'Brand id'),
    q('type', 'string', 'physical or digital'),
    q('include', 'string', 'variants,images,custom_fields,primary_image,… (unmodelled ones answer empty lists)'),
    q('include_fields', 'string', 'Only these fields (and id)'),
    q('exclude_fields', 'string', 'Drop these fields (never id)'),
    ...PAGING,
  ];
  const orderFilters = [
    q('min_id', 'integer', 'Lowest id'),
    q('max_id', 'integer', 'Highest id'),
    q('status_id', 'integer', 'Status id (0..14)'),
    q('customer_id', 'integer', 'Customer id'),
    q('min_date_modified', 'string', 'RFC-2822 or ISO-8601'),
    q('max_date_modified', 'string', 'RFC-2822 or ISO-8601'),
    q('min_date_created', 'string', 'RFC-2822 or ISO-8601'),
    q('max_date_created', 'string', 'RFC-2822 or ISO-8601'),
    q('sort', 'string', 'field:asc|desc over id, customer_id, date_created, date_modified, status_id (default id:asc)'),
  ];
  const badFilter = 'Malformed filter';
  const paths: Json = {
    [`${b}/v3/catalog/products`]: {
      get: op({ summary: 'List products', params: productFilters, ok: { '200': ['A page', collection('Product')] }, errors: { '413': 'limit over 250', '422': badFilter } }),
      post: op({ summary: 'Create one product', body: ref('ProductCreate'), ok: { '200': ['Created', single('Product')] }, errors: { '409': 'Duplicate SKU', '422': 'Missing or invalid fields' } }),
      put: op({
        summary: 'Batch update, at most 10 products, each with id',
        body: arrayOf(ref('ProductUpdateItem'), { maxItems: 10 }),
        ok: { '200': ['All updated', batchOk('Product')], '207': ['Some updated; errors.errors keyed by item id', multiStatus('Product')] },
        errors: { '413': 'More than 10 items', '422': 'Not an array, or no item could be updated' },
      }),
    },
    [`${b}/v3/catalog/products/{id}`]: {
      get: op({ summary: 'One product', params: [id('id'), q('include', 'string', 'Sub-resources')], ok: { '200': ['The product', single('Product')] }, errors: { '404': 'No such product' } }),
      put: op({ summary: 'Update one product', params: [id('id')], body: ref('ProductUpdate'), ok: { '200': ['Updated', single('Product')] }, errors: { '404': 'No such product', '409': 'Duplicate SKU', '422': 'Invalid fields' } }),
    },
    [`${b}/v3/catalog/products/{id}/custom-fields/{fieldId}`]: {
      delete: op({ summary: 'Delete one custom field of a product (204, no body)', params: [id('id'), id('fieldId')], ok: { '204': ['Deleted'] }, errors: { '404': 'No such product or custom field' } }),
    },
    [`${b}/v3/catalog/products/{id}/variants`]: {
      get: op({ summary: "A product's variants", params: [id('id'), ...PAGING], ok: { '200': ['Variants', collection('Variant')] }, errors: { '404': 'No such product' } }),
    },
    [`${b}/v3/catalog/products/{productId}/variants/{variantId}`]: {
      put: op({ summary: 'Update one variant', params: [id('productId'), id('variantId')], body: ref('VariantUpdate'), ok: { '200': ['Updated', single('Variant')] }, errors: { '404': 'No such variant', '409': 'Duplicate SKU', '422': 'Invalid fields' } }),
    },
    [`${b}/v3/catalog/variants`]: {
      get: op({
        summary: 'List variants',
        params: [q('id:in', 'string', 'Variant ids'), q('sku', 'string', 'Exact SKU'), q('sku:in', 'string', 'SKUs'), q('product_id', 'integer', 'Product id'), q('product_id:in', 'string', 'Product ids'), ...PAGING],
        ok: { '200': ['A page', collection('Variant')] },
        errors: { '413': 'limit over 250', '422': badFilter },
      }),
      put: op({
        summary: 'Batch update, at most 50 variants, each with id',
        body: arrayOf(ref('VariantUpdate'), { maxItems: 50 }),
        ok: { '200': ['All updated', batchOk('Variant')], '207': ['Some updated', multiStatus('Variant')] },
        errors: { '413': 'More than 50 items', '422': 'Not an array, or no item could be updated' },
      }),
    },
    [`${b}/v3/inventory/items`]: {
      get: op({
        summary: 'Inventory at the single location (at most 1000 per answer)',
        params: [q('sku:in', 'string', 'At most 1000 SKUs'), q('variant_id:in', 'string', 'Variant ids'), q('product_id:in', 'string', 'Product ids'), q('location_id:in', 'string', 'Location ids (the store has location 1)'), ...PAGING],
        ok: { '200': ['Items', collection('InventoryItem')] },
        errors: { '413': 'More than 1000 values, or limit over 1000', '422': badFilter },
      }),
    },
    [`${b}/v3/inventory/adjustments/absolute`]: {
      put: op({ summary: 'Set stock (at most 2000 items, all or nothing)', body: ref('Adjustment'), ok: { '200': ['Applied', ref('Transaction')] }, errors: { '413': 'More than 2000 items', '422': 'Unknown identity or location, negative quantity' } }),
    },
    [`${b}/v3/inventory/adjustments/relative`]: {
      post: op({ summary: 'Change stock by a delta (at most 2000 items, all or nothing)', body: ref('Adjustment'), ok: { '200': ['Applied', ref('Transaction')] }, errors: { '413': 'More than 2000 items', '422': 'Unknown identity or location, stock below zero' } }),
    },
    [`${b}/v2/orders`]: {
      get: op({ summary: 'List orders (a bare array)', params: [...orderFilters, ...PAGING], ok: { '200': ['Orders', arrayOf(ref('Order'))], '204': ['No order matches (no body)'] }, errors: { '400': `${badFilter}, or limit over 250` }, v2: true }),
    },
    [`${b}/v2/orders/count`]: {
      get: op({ summary: 'Count orders by status', params: orderFilters, ok: { '200': ['Counts', obj({ count: 'integer', statuses: arrayOf({ type: 'object' }) })] }, errors: { '400': badFilter }, v2: true }),
    },
    [`${b}/v2/orders/{id}`]: {
      get: op({ summary: 'One order', params: [id('id')], ok: { '200': ['The order', ref('Order')] }, errors: { '404': 'No such order' }, v2: true }),
      put: op({
        summary: 'Update status_id (and notes); date_modified moves to now',
        params: [id('id')],
        body: obj({ status_id: { type: 'integer', minimum: 0, maximum: 14 }, staff_notes: 'string', customer_message: 'string' }),
        ok: { '200': ['The updated order', ref('Order')] },
        errors: { '400': 'Invalid field', '404': 'No such order' },
        v2: true,
      }),
    },
    [`${b}/v2/orders/{id}/products`]: {
      get: op({ summary: "An order's lines", params: [id('id'), ...PAGING], ok: { '200': ['Lines', arrayOf(ref('OrderProduct'))] }, errors: { '404': 'No such order' }, v2: true }),
    },
    [`${b}/v2/orders/{id}/shipments`]: {
      get: op({ summary: "An order's shipments (a bare array)", params: [id('id')], ok: { '200': ['Shipments', arrayOf({ type: 'object' })], '204': ['No shipment yet (no body)'] }, errors: { '404': 'No such order' }, v2: true }),
      post: op({
        summary: 'Ship items: the order becomes Shipped when every item has shipped, else Partially Shipped',
        params: [id('id')],
        body: obj(
          {
            order_address_id: 'integer',
            items: arrayOf(obj({ order_product_id: 'integer', quantity: 'integer' }, ['order_product_id', 'quantity'])),
            tracking_number: { type: 'string', maxLength: 50 },
            shipping_method: 'string',
            shipping_provider: 'string',
            tracking_carrier: 'string',
            tracking_link: 'string',
            comments: 'string',
          },
          ['order_address_id', 'items'],
        ),
        ok: { '201': ['The shipment', { type: 'object' }] },
        errors: { '400': 'Invalid field, unknown line or address, or more than is left to ship', '404': 'No such order' },
        v2: true,
      }),
    },
    [`${b}/v2/orders/{id}/shipments/{shipmentId}`]: {
      get: op({ summary: 'One shipment', params: [id('id'), id('shipmentId')], ok: { '200': ['The shipment', { type: 'object' }] }, errors: { '404': 'No such order or shipment' }, v2: true }),
    },
    [`${b}/v2/orders/{id}/shipping_addresses`]: {
      get: op({ summary: "An order's shipping addresses", params: [id('id')], ok: { '200': ['Addresses', arrayOf({ type: 'object' })] }, errors: { '404': 'No such order' }, v2: true }),
    },
    [`${b}/v2/store`]: {
      get: op({
        summary: "Store information: the store's profile and its default currency (`currency`, ISO 4217)",
        ok: { '200': ['The store', obj({ id: 'string', name: 'string', domain: 'string', secure_url: 'string', status: 'string', country_code: 'string', currency: 'string', currency_symbol: 'string', decimal_places: 'integer' })] },
        v2: true,
      }),
    },
    '/oauth2/token': {
      post: plain(
        'App install: exchange an authorization code for a store token (login.bigcommerce.com in production); JSON or form-encoded',
        { '200': '{access_token, scope, user, owner, context, account_uuid}', '400': 'Bad request, grant type, context or reused code', '401': 'Bad client id or secret' },
        obj(Object.fromEntries(['client_id', 'client_secret', 'code', 'context', 'scope', 'grant_type', 'redirect_uri'].map((k) => [k, 'string'])), ['client_id', 'client_secret', 'code', 'context', 'scope', 'grant_type', 'redirect_uri']),
      ),
    },
    '/__sandbox/limits': {
      get: plain('Sandbox: the quota window {quota, windowMs, used, left, resetMs}', { '200': 'The window' }),
      post: plain('Sandbox: set quota / windowMs and start a fresh window', { '200': 'The new window', '400': 'Invalid input' }, obj({ quota: 'integer', windowMs: 'integer' })),
    },
    '/__sandbox/signed-payload': {
      post: plain(
        'Sandbox: mint a signed_payload_jwt as the load / uninstall callbacks carry',
        { '200': '{signed_payload_jwt}', '400': 'Invalid input' },
        obj({ sub: 'string', aud: 'string', iss: 'string', expSecondsFromNow: 'integer', alg: { type: 'string', enum: ['HS256', 'HS512'] }, secret: 'string' }),
      ),
    },
    '/__sandbox/stats': { get: plain('Sandbox: request counts', { '200': 'Stats' }) },
    '/__sandbox/faults': { get: plain('Sandbox: current faults', { '200': 'Fault spec' }), post: plain('Sandbox: set faults', { '200': 'Fault spec', '400': 'Invalid spec' }) },
    '/__sandbox/reset': { post: plain('Sandbox: reset stats, faults and the quota window (configured quota); {"data":true} also drops every write', { '200': '{ok:true}' }) },
    '/__sandbox/openapi.json': { get: plain('This document', { '200': 'OpenAPI 3.0' }) },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'Crossdock sandbox: BigCommerce Management API', version: '1.0.0', description: 'Simulated from upstreams.md ("BigCommerce").' },
    paths,
    components: {
      securitySchemes: { XAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      headers: {
        'Time-Window-Ms': { schema: { type: 'integer' }, description: 'Quota window length' },
        'Time-Reset-Ms': { schema: { type: 'integer' }, description: 'Milliseconds until the window resets' },
        'Requests-Quota': { schema: { type: 'integer' }, description: 'Requests per window' },
        'Requests-Left': { schema: { type: 'integer' }, description: 'Requests left in this window' },
      },
      schemas: schemas(),
    },
  };
}

function schemas(): Json {
  const productFields = {
    name: 'string',
    type: { type: 'string', enum: ['physical', 'digital'] },
    sku: 'string',
    description: 'string',
    weight: 'number',
    price: 'number',
    sale_price: 'number',
    cost_price: 'number',
    retail_price: 'number',
    categories: arrayOf({ type: 'integer' }),
    brand_id: 'integer',
    brand_name: 'string',
    inventory_level: 'integer',
    inventory_warning_level: 'integer',
    inventory_tracking: { type: 'string', enum: ['none', 'product', 'variant'] },
    is_visible: 'boolean',
    custom_fields: arrayOf(obj({ name: 'string', value: 'string' })),
    images: arrayOf(obj({ image_url: 'string', is_thumbnail: 'boolean' })),
  };
  const money = { type: 'string', example: '336.3200' };
  const rfc2822 = { type: 'string', example: 'Tue, 20 Nov 2012 00:00:00 +0000' };
  const link = obj({ url: 'string', resource: 'string' });
  return {
    V3Error: obj({ status: 'integer', title: 'string', type: 'string', errors: { type: 'object', additionalProperties: { type: 'string' } } }, ['status', 'title', 'type']),
    V2Error: arrayOf(obj({ status: 'integer', message: 'string' })),
    Pagination: obj({
      total: 'integer',
      count: 'integer',
      per_page: 'integer',
      current_page: 'integer',
      total_pages: 'integer',
      links: obj({ previous: 'string', current: 'string', next: 'string' }),
    }),
    Product: obj({ id: 'integer', ...productFields, calculated_price: 'number', base_variant_id: 'integer', date_created: 'string', date_modified: 'string', variants: arrayOf(ref('Variant')) }),
    ProductCreate: obj(productFields, ['name', 'type', 'weight', 'price']),
    ProductUpdate: obj(productFields),
    ProductUpdateItem: obj({ id: 'integer', ...productFields }, ['id']),
    Variant: obj({
      id: 'integer',
      product_id: 'integer',
      sku: 'string',
      price: 'number',
      calculated_price: 'number',
      sale_price: 'number',
      inventory_level: 'integer',
      inventory_warning_level: 'integer',
      purchasing_disabled: 'boolean',
      option_values: arrayOf({ type: 'object' }),
    }),
    VariantUpdate: obj({ id: 'integer', product_id: 'integer', sku: 'string', price: 'number', sale_price: 'number', inventory_level: 'integer', purchasing_disabled: 'boolean' }, ['id']),
    InventoryItem: obj({
      identity: obj({ sku: 'string', variant_id: 'integer', product_id: 'integer' }),
      locations: arrayOf(
        obj({
          location_id: 'integer',
          available_to_sell: 'integer',
          total_inventory_onhand: 'integer',
          settings: obj({ safety_stock: 'integer', is_in_stock: 'boolean', warning_level: 'integer', bin_picking_number: 'string' }),
        }),
      ),
    }),
    Adjustment: obj(
      {
        reason: 'string',
        items: arrayOf(obj({ location_id: 'integer', quantity: 'integer', sku: 'string', variant_id: 'integer', product_id: 'integer' }, ['location_id', 'quantity']), { maxItems: 2000 }),
      },
      ['items'],
    ),
    Transaction: obj({ transaction_id: { type: 'string', format: 'uuid' } }),
    Order: obj({
      id: 'integer',
      customer_id: 'integer',
      date_created: rfc2822,
      date_modified: rfc2822,
      status_id: 'integer',
      status: 'string',
      subtotal_ex_tax: money,
      subtotal_inc_tax: money,
      total_ex_tax: money,
      total_inc_tax: money,
      items_total: 'integer',
      currency_code: 'string',
      billing_address: obj({ first_name: 'string', last_name: 'string', street_1: 'string', city: 'string', state: 'string', zip: 'string', country: 'string', email: 'string', phone: 'string' }),
      products: link,
      shipping_addresses: link,
    }),
    OrderProduct: obj({
      id: 'integer',
      order_id: 'integer',
      product_id: 'integer',
      variant_id: 'integer',
      name: 'string',
      sku: 'string',
      quantity: 'integer',
      base_price: money,
      price_ex_tax: money,
      price_inc_tax: money,
      total_ex_tax: money,
      total_inc_tax: money,
    }),
  };
}
