/**
 * The OpenAPI 3.0 document of the Shopify sandbox, served at
 * `/__sandbox/openapi.json`: the one GraphQL endpoint (its schema is at
 * `/__sandbox/schema.graphql`), the bulk result links and the sandbox's
 * admin routes.
 */
type Json = Record<string, unknown>;

const str = { type: 'string' };
const int = { type: 'integer' };
const obj = (properties: Json): Json => ({ type: 'object', properties });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const admin = (summary: string): Json => ({ summary, tags: ['sandbox admin'], security: [], responses: { '200': json(obj({})) } });

const cost = obj({
  requestedQueryCost: int,
  actualQueryCost: { type: 'integer', nullable: true, description: 'null when the query was refused' },
  throttleStatus: obj({ maximumAvailable: int, currentlyAvailable: int, restoreRate: int }),
});

export function buildShopifyOpenApi(): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'Shopify GraphQL Admin API (Crossdock sandbox)', version: '1.0', description: 'The Admin API slice in /__sandbox/schema.graphql, cost-throttled' },
    components: { securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'X-Shopify-Access-Token' } } },
    security: [{ token: [] }],
    paths: {
      '/admin/api/{version}/graphql.json': {
        post: {
          summary: 'A GraphQL request; the answer carries extensions.cost; THROTTLED and MAX_COST_EXCEEDED are errors with HTTP 200',
          parameters: [{ name: 'version', in: 'path', required: true, schema: { type: 'string', example: '2025-10' } }],
          requestBody: { required: true, content: { 'application/json': { schema: obj({ query: str, variables: { type: 'object' }, operationName: str }) }, 'application/graphql': { schema: str } } },
          responses: {
            '200': json(obj({ data: { type: 'object', nullable: true }, errors: { type: 'array', items: obj({ message: str, extensions: obj({ code: str }) }) }, extensions: obj({ cost, search: { type: 'array' } }) })),
            '400': json(obj({ errors: obj({ query: str }) }), 'no query'),
            '401': json(obj({ errors: str }), 'missing or wrong access token'),
            '404': json(obj({ errors: str }), 'not a YYYY-MM version'),
          },
        },
      },
      '/bulk-operation-results/{file}': {
        get: {
          summary: "A bulk operation's JSONL result (the signed url it reports; no access token; Range honoured)",
          security: [],
          parameters: [
            { name: 'file', in: 'path', required: true, schema: str },
            { name: 'expires', in: 'query', required: true, schema: int },
            { name: 'signature', in: 'query', required: true, schema: str },
          ],
          responses: { '200': { description: 'JSONL', content: { 'application/jsonl': { schema: str } } }, '206': { description: 'a byte range' }, '403': { description: 'bad signature' }, '404': { description: 'no such result' } },
        },
      },
      '/__sandbox/schema.graphql': { get: admin('The SDL of the simulated Admin API') },
      '/__sandbox/limits': { get: admin('The cost bucket and its current state'), post: admin('Change {maximumAvailable, restoreRate, maxQueryCost, currentlyAvailable}') },
      '/__sandbox/orders': {
        get: admin('Order and line item counts'),
        post: admin('{"create": n} new orders, {"update": [gid | {id, displayFinancialStatus, displayFulfillmentStatus, note, cancel, close}]} changes; webhooks fire unless {"webhooks": false}'),
      },
      '/__sandbox/webhooks': { get: admin('Subscriptions and recent deliveries'), post: admin('{"enabled": bool} delivery on or off; {"clearSubscriptions": true}') },
      '/__sandbox/webhooks/redeliver': { post: admin('{"eventId"}: send a recorded event again, with the same ids, body and signature') },
      '/__sandbox/bulk': { get: admin('Bulk operations and the plan for the next'), post: admin('{failNext: {errorCode, afterObjects}, malformedOrders: [gid], malformedLines: [n], cutDownloads: {afterBytes, count}, objectsPerSecond}') },
    },
  };
}
