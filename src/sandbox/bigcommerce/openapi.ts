/**
 * The OpenAPI 3.0 document of the simulated BigCommerce origin, served at
 * `/__sandbox/openapi.json`: every route, compact but accurate.
 */
import type { BigCommerceSandboxOptions } from '../options.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const RL_HEADERS = {
  'X-Rate-Limit-Time-Window-Ms': { $ref: '#/components/headers/WindowMs' },
  'X-Rate-Limit-Time-Reset-Ms': { $ref: '#/components/headers/ResetMs' },
  'X-Rate-Limit-Requests-Quota': { $ref: '#/components/headers/Quota' },
  'X-Rate-Limit-Requests-Left': { $ref: '#/components/headers/Left' },
};

function q(name: string, type: 'string' | 'integer' | 'boolean', description: string): Json {
  return { name, in: 'query', required: false, schema: { type }, description };
}
function path(name: string): Json {
  return { name, in: 'path', required: true, schema: { type: 'integer' } };
}
const PAGING = [q('page', 'integer', 'Page, from 1 (default 1)'), q('limit', 'integer', 'Page size (default 50)')];

function v3(status: string, description: string, schema?: unknown): Json {
  return { [status]: { description, headers: RL_HEADERS, ...(schema ? { content: json(schema) } : {}) } };
}
function v3err(...codes: Array<[string, string]>): Json {
  return Object.assign({}, ...codes.map(([c, d]) => v3(c, d, ref('V3Error'))), v3('401', 'Bad X-Auth-Token', ref('V3Error')), v3('429', 'Over the store quota', ref('V3Error')));
}
function v2err(...codes: Array<[string, string]>): Json {
  return Object.assign({}, ...codes.map(([c, d]) => v3(c, d, ref('V2Error'))), v3('401', 'Bad X-Auth-Token', ref('V3Error')), v3('429', 'Over the store quota', ref('V3Error')));
}
const collection = (item: string) => ({
  type: 'object',
  required: ['data', 'meta'],
  properties: { data: { type: 'array', items: ref(item) }, meta: { type: 'object', properties: { pagination: ref('Pagination') } } },
});
const single = (item: string) => ({ type: 'object', properties: { data: ref(item), meta: { type: 'object' } } });
const multiStatus = (item: string) => ({
  type: 'object',
  properties: { data: { type: 'array', items: ref(item) }, errors: ref('V3Error'), meta: { type: 'object' } },
});
const body = (schema: unknown) => ({ required: true, content: json(schema) });

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
    q('include', 'string', 'variants,images,custom_fields,primary_image,… (others answer empty lists)'),
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
    ...PAGING,
  ];
  const security = [{ XAuthToken: [] }];
  const paths: Json = {
    [`${b}/v3/catalog/products`]: {
      get: { summary: 'List products (limit max 250; over is 413)', security, parameters: productFilters, responses: { ...v3('200', 'A page of products', collection('Product')), ...v3err(['413', 'limit over 250'], ['422', 'Malformed filter']) } },
      post: { summary: 'Create one product', security, requestBody: body(ref('ProductCreate')), responses: { ...v3('200', 'Created', single('Product')), ...v3err(['409', 'Duplicate SKU'], ['422', 'Missing or invalid fields']) } },
      put: {
        summary: 'Batch update, at most 10 products, each with id',
        security,
        requestBody: body({ type: 'array', maxItems: 10, items: ref('ProductUpdateItem') }),
        responses: { ...v3('200', 'All updated', { type: 'object', properties: { data: { type: 'array', items: ref('Product') }, meta: { type: 'object' } } }), ...v3('207', 'Some updated; errors keyed by item id; meta {total, success, failed}', multiStatus('Product')), ...v3err(['413', 'More than 10 items'], ['422', 'Not an array, or no item could be updated']) },
      },
    },
    [`${b}/v3/catalog/products/{id}`]: {
      get: { summary: 'One product', security, parameters: [path('id'), q('include', 'string', 'Sub-resources')], responses: { ...v3('200', 'The product', single('Product')), ...v3err(['404', 'No such product']) } },
      put: { summary: 'Update one product', security, parameters: [path('id')], requestBody: body(ref('ProductUpdate')), responses: { ...v3('200', 'Updated', single('Product')), ...v3err(['404', 'No such product'], ['409', 'Duplicate SKU'], ['422', 'Invalid fields']) } },
    },
    [`${b}/v3/catalog/products/{id}/variants`]: {
      get: { summary: "A product's variants", security, parameters: [path('id'), ...PAGING], responses: { ...v3('200', 'Variants', collection('Variant')), ...v3err(['404', 'No such product']) } },
    },
    [`${b}/v3/catalog/products/{productId}/variants/{variantId}`]: {
      put: { summary: 'Update one variant', security, parameters: [path('productId'), path('variantId')], requestBody: body(ref('VariantUpdate')), responses: { ...v3('200', 'Updated', single('Variant')), ...v3err(['404', 'No such variant'], ['409', 'Duplicate SKU'], ['422', 'Invalid fields']) } },
    },
    [`${b}/v3/catalog/variants`]: {
      get: { summary: 'List variants', security, parameters: [q('id:in', 'string', 'Variant ids'), q('sku', 'string', 'Exact SKU'), q('sku:in', 'string', 'SKUs'), q('product_id', 'integer', 'Product id'), q('product_id:in', 'string', 'Product ids'), ...PAGING], responses: { ...v3('200', 'A page of variants', collection('Variant')), ...v3err(['413', 'limit over 250'], ['422', 'Malformed filter']) } },
      put: { summary: 'Batch update, at most 50 variants, each with id', security, requestBody: body({ type: 'array', maxItems: 50, items: ref('VariantUpdate') }), responses: { ...v3('200', 'All updated', { type: 'object', properties: { data: { type: 'array', items: ref('Variant') }, meta: { type: 'object' } } }), ...v3('207', 'Some updated', multiStatus('Variant')), ...v3err(['413', 'More than 50 items'], ['422', 'Not an array, or no item could be updated']) } },
    },
    [`${b}/v3/inventory/items`]: {
      get: { summary: 'Inventory at the single location (at most 1000 per answer)', security, parameters: [q('sku:in', 'string', 'At most 1000 SKUs'), q('variant_id:in', 'string', 'Variant ids'), q('product_id:in', 'string', 'Product ids'), q('location_id:in', 'string', 'Location ids (the store has location 1)'), ...PAGING], responses: { ...v3('200', 'Items', collection('InventoryItem')), ...v3err(['413', 'More than 1000 values or limit over 1000'], ['422', 'Malformed filter']) } },
    },
    [`${b}/v3/inventory/adjustments/absolute`]: {
      put: { summary: 'Set stock (at most 2000 items, all or nothing)', security, requestBody: body(ref('Adjustment')), responses: { ...v3('200', 'Applied', ref('Transaction')), ...v3err(['413', 'More than 2000 items'], ['422', 'Unknown identity or location, negative quantity']) } },
    },
    [`${b}/v3/inventory/adjustments/relative`]: {
      post: { summary: 'Change stock by a delta (at most 2000 items, all or nothing)', security, requestBody: body(ref('Adjustment')), responses: { ...v3('200', 'Applied', ref('Transaction')), ...v3err(['413', 'More than 2000 items'], ['422', 'Unknown identity or location, stock below zero']) } },
    },
    [`${b}/v2/orders`]: {
      get: { summary: 'List orders (bare array; empty is 204)', security, parameters: orderFilters, responses: { ...v3('200', 'Orders', { type: 'array', items: ref('Order') }), ...v3('204', 'No order matches (no body)'), ...v2err(['400', 'Malformed filter or limit over 250']) } },
    },
    [`${b}/v2/orders/count`]: {
      get: { summary: 'Count orders by status', security, parameters: orderFilters.slice(0, 9), responses: { ...v3('200', 'Counts', { type: 'object', properties: { count: { type: 'integer' }, statuses: { type: 'array', items: { type: 'object' } } } }), ...v2err(['400', 'Malformed filter']) } },
    },
    [`${b}/v2/orders/{id}`]: {
      get: { summary: 'One order', security, parameters: [path('id')], responses: { ...v3('200', 'The order', ref('Order')), ...v2err(['404', 'No such order']) } },
      put: { summary: 'Update status_id (and notes)', security, parameters: [path('id')], requestBody: body({ type: 'object', properties: { status_id: { type: 'integer', minimum: 0, maximum: 14 }, staff_notes: { type: 'string' }, customer_message: { type: 'string' } } }), responses: { ...v3('200', 'The updated order', ref('Order')), ...v2err(['400', 'Invalid field'], ['404', 'No such order']) } },
    },
    [`${b}/v2/orders/{id}/products`]: {
      get: { summary: "An order's lines", security, parameters: [path('id'), ...PAGING], responses: { ...v3('200', 'Lines', { type: 'array', items: ref('OrderProduct') }), ...v2err(['404', 'No such order']) } },
    },
    [`${b}/v2/orders/{id}/shipping_addresses`]: {
      get: { summary: "An order's shipping addresses", security, parameters: [path('id')], responses: { ...v3('200', 'Addresses', { type: 'array', items: { type: 'object' } }), ...v2err(['404', 'No such order']) } },
    },
    '/oauth2/token': {
      post: {
        summary: 'App install: exchange an authorization code for a store token (login.bigcommerce.com in production)',
        requestBody: body({ type: 'object', required: ['client_id', 'client_secret', 'code', 'context', 'scope', 'grant_type', 'redirect_uri'], properties: Object.fromEntries(['client_id', 'client_secret', 'code', 'context', 'scope', 'grant_type', 'redirect_uri'].map((k) => [k, { type: 'string' }])) }),
        responses: { '200': { description: 'Token', content: json({ type: 'object', properties: { access_token: { type: 'string' }, scope: { type: 'string' }, user: { type: 'object' }, owner: { type: 'object' }, context: { type: 'string' }, account_uuid: { type: 'string' } } }) }, '400': { description: 'Bad request, grant type, context or code' }, '401': { description: 'Bad client id or secret' } },
      },
    },
    '/__sandbox/limits': {
      get: { summary: 'Sandbox: the quota window', responses: { '200': { description: '{quota, windowMs, used, left, resetMs}' } } },
      post: { summary: 'Sandbox: set quota/windowMs and start a fresh window', requestBody: body({ type: 'object', additionalProperties: false, properties: { quota: { type: 'integer', minimum: 1 }, windowMs: { type: 'integer', minimum: 10 } } }), responses: { '200': { description: 'The new window' }, '400': { description: 'Invalid input' } } },
    },
    '/__sandbox/signed-payload': {
      post: { summary: 'Sandbox: mint a signed_payload_jwt for the load/uninstall callbacks', requestBody: body({ type: 'object', additionalProperties: false, properties: { sub: { type: 'string' }, aud: { type: 'string' }, iss: { type: 'string' }, expSecondsFromNow: { type: 'integer' }, alg: { type: 'string', enum: ['HS256', 'HS512'] }, secret: { type: 'string' } } }), responses: { '200': { description: '{signed_payload_jwt}' }, '400': { description: 'Invalid input' } } },
    },
    '/__sandbox/stats': { get: { summary: 'Sandbox: request counts', responses: { '200': { description: 'Stats' } } } },
    '/__sandbox/faults': { get: { summary: 'Sandbox: current faults', responses: { '200': { description: 'Fault spec' } } }, post: { summary: 'Sandbox: set faults', responses: { '200': { description: 'Fault spec' }, '400': { description: 'Invalid spec' } } } },
    '/__sandbox/reset': { post: { summary: 'Sandbox: reset stats, faults and the quota window; {"data":true} also drops every write', responses: { '200': { description: '{ok:true}' } } } },
    '/__sandbox/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.0' } } } },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'Crossdock sandbox: BigCommerce Management API', version: '1.0.0', description: 'Simulated from upstreams.md ("BigCommerce").' },
    paths,
    components: {
      securitySchemes: { XAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      headers: {
        WindowMs: { schema: { type: 'integer' }, description: 'Quota window length' },
        ResetMs: { schema: { type: 'integer' }, description: 'Milliseconds until the window resets' },
        Quota: { schema: { type: 'integer' }, description: 'Requests per window' },
        Left: { schema: { type: 'integer' }, description: 'Requests left in this window' },
      },
      schemas: schemas(),
    },
  };
}

function obj(props: Record<string, string | Json>, required: string[] = []): Json {
  const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeof v === 'string' ? { type: v } : v]));
  return { type: 'object', ...(required.length ? { required } : {}), properties };
}

function schemas(): Json {
  const productFields = { name: 'string', type: { type: 'string', enum: ['physical', 'digital'] }, sku: 'string', description: 'string', weight: 'number', price: 'number', sale_price: 'number', cost_price: 'number', retail_price: 'number', categories: { type: 'array', items: { type: 'integer' } }, brand_id: 'integer', brand_name: 'string', inventory_level: 'integer', inventory_warning_level: 'integer', inventory_tracking: { type: 'string', enum: ['none', 'product', 'variant'] }, is_visible: 'boolean', custom_fields: { type: 'array', items: obj({ name: 'string', value: 'string' }) }, images: { type: 'array', items: obj({ image_url: 'string', is_thumbnail: 'boolean' }) } };
  return {
    V3Error: obj({ status: 'integer', title: 'string', type: 'string', errors: { type: 'object', additionalProperties: { type: 'string' } } }, ['status', 'title', 'type']),
    V2Error: { type: 'array', items: obj({ status: 'integer', message: 'string' }) },
    Pagination: obj({ total: 'integer', count: 'integer', per_page: 'integer', current_page: 'integer', total_pages: 'integer', links: obj({ previous: 'string', current: 'string', next: 'string' }) }),
    Product: obj({ id: 'integer', ...productFields, calculated_price: 'number', base_variant_id: 'integer', date_created: 'string', date_modified: 'string', variants: { type: 'array', items: ref('Variant') } }),
    ProductCreate: obj(productFields, ['name', 'type', 'weight', 'price']),
    ProductUpdate: obj(productFields),
    ProductUpdateItem: obj({ id: 'integer', ...productFields }, ['id']),
    Variant: obj({ id: 'integer', product_id: 'integer', sku: 'string', price: 'number', calculated_price: 'number', sale_price: 'number', inventory_level: 'integer', inventory_warning_level: 'integer', purchasing_disabled: 'boolean', option_values: { type: 'array', items: { type: 'object' } } }),
    VariantUpdate: obj({ id: 'integer', product_id: 'integer', sku: 'string', price: 'number', sale_price: 'number', inventory_level: 'integer', purchasing_disabled: 'boolean' }, ['id']),
    InventoryItem: obj({ identity: obj({ sku: 'string', variant_id: 'integer', product_id: 'integer' }), locations: { type: 'array', items: obj({ location_id: 'integer', available_to_sell: 'integer', total_inventory_onhand: 'integer', settings: obj({ safety_stock: 'integer', is_in_stock: 'boolean', warning_level: 'integer', bin_picking_number: 'string' }) }) } }),
    Adjustment: obj({ reason: 'string', items: { type: 'array', maxItems: 2000, items: obj({ location_id: 'integer', quantity: 'integer', sku: 'string', variant_id: 'integer', product_id: 'integer' }, ['location_id', 'quantity']) } }, ['items']),
    Transaction: obj({ transaction_id: { type: 'string', format: 'uuid' } }),
    Order: obj({ id: 'integer', customer_id: 'integer', date_created: { type: 'string', description: 'RFC-2822' }, date_modified: { type: 'string', description: 'RFC-2822' }, status_id: 'integer', status: 'string', subtotal_ex_tax: { type: 'string', example: '336.3200' }, subtotal_inc_tax: 'string', total_ex_tax: 'string', total_inc_tax: 'string', items_total: 'integer', currency_code: 'string', billing_address: { type: 'object' }, products: obj({ url: 'string', resource: 'string' }), shipping_addresses: obj({ url: 'string', resource: 'string' }) }),
    OrderProduct: obj({ id: 'integer', order_id: 'integer', product_id: 'integer', variant_id: 'integer', name: 'string', sku: 'string', quantity: 'integer', base_price: 'string', price_ex_tax: 'string', price_inc_tax: 'string', total_ex_tax: 'string', total_inc_tax: 'string' }),
  };
}
