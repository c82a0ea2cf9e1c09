/**
 * Hostile and malformed ids never reach an unintended upstream path: they
 * are refused with BAD_USER_INPUT before any upstream call (counted by the
 * sandbox), and oversized lists are refused against a documented maximum.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ MAX_IDS_PER_FIELD: '250' }, { parts: 300 });
});
afterAll(async () => gw?.close());

async function upstreamCalls(): Promise<number> {
  return (await sandboxStats(gw.fipUrl)).requests + (await sandboxStats(gw.bcUrl)).requests;
}

const HOSTILE = ['../products', '..%2Fproducts', '1/../../orders', '%2F', '1?per=100', '1,2', 'abc', '-1', '0', '1.5', ' ', '1;drop', '99999999999999'];

describe('ids', () => {
  it.each(HOSTILE)('part(id: %j) is BAD_USER_INPUT with no upstream call', async (id) => {
    await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
    const res = await gw.gql(`query($id: ID!) { part(id: $id) { partNumber } }`, { id });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/malformed Part id/);
    expect(await upstreamCalls()).toBe(0);
  });

  it('a hostile id inside parts(ids) fails the field before any call', async () => {
    await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
    const res = await gw.gql(`{ parts(ids: ["1", "../2", "3"]) { partNumber } }`);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await upstreamCalls()).toBe(0);
  });

  it('a global id of another type is refused for part(id)', async () => {
    const productGlobal = Buffer.from('Product:10000005').toString('base64url');
    const res = await gw.gql(`query($id: ID!) { part(id: $id) { partNumber } }`, { id: productGlobal });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('unknown but well-formed ids are null, not errors', async () => {
    const res = await gw.gql(`{ part(id: "299999") { partNumber } product(id: "12345") { sku } order(id: "99999") { status } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ part: null, product: null, order: null });
  });

  it.each(['../x', 'A/B', 'a?b', 'x%2Fy', '', 'x'.repeat(65)])('partByNumber(%j) and product(sku) refuse path characters', async (code) => {
    await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
    const res = await gw.gql(`query($c: String!) { partByNumber(partNumber: $c) { id } }`, { c: code });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const res2 = await gw.gql(`query($c: String!) { product(sku: $c) { id } }`, { c: code });
    expect(res2.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await upstreamCalls()).toBe(0);
  });
});

describe('sizes and pages', () => {
  it('an ids list over the maximum (250) is refused before any call; 250 is fine', async () => {
    await Promise.all([resetSandbox(gw.fipUrl), resetSandbox(gw.bcUrl)]);
    const tooMany = Array.from({ length: 251 }, (_, i) => String(i + 1));
    const res = await gw.gql(`query($ids: [ID!]!) { parts(ids: $ids) { supplierId } }`, { ids: tooMany });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toContain('at most 250');
    expect(await upstreamCalls()).toBe(0);
    const ok = await gw.gql(`query($ids: [ID!]!) { parts(ids: $ids) { supplierId } }`, { ids: tooMany.slice(0, 250) });
    expect(ok.body.errors).toBeUndefined();
    expect((ok.body.data?.parts as unknown[]).length).toBe(250);
  });

  it('inventory(skus) over the maximum is refused', async () => {
    const skus = Array.from({ length: 251 }, (_, i) => `BX-${String(i).padStart(7, '0')}`);
    const res = await gw.gql(`query($s: [String!]!) { inventory(skus: $s) { sku } }`, { s: skus });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['first: 0', 'first must be between 1 and 100'],
    ['first: 101', 'first must be between 1 and 100'],
    ['first: -5', 'first must be between 1 and 100'],
    ['after: "not-a-cursor"', 'after is not a cursor'],
  ])('searchParts(%s) is refused with a clear message', async (args, message) => {
    const res = await gw.gql(`{ searchParts(${args}) { totalCount } }`);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toContain(message);
  });

  it('product() needs exactly one of id and sku', async () => {
    const none = await gw.gql(`{ product { sku } }`);
    const both = await gw.gql(`{ product(id: "1", sku: "X") { sku } }`);
    for (const r of [none, both]) expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('HTTP edges', () => {
  it('no key or a wrong key is 401 UNAUTHENTICATED; /health needs none', async () => {
    const none = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' }, body: '{"query":"{ __typename }"}' });
    expect(((await wrong.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
  });

  it('a subscription over plain HTTP is a 400 pointing at the stream transports, even with a bad @include', async () => {
    for (const query of ['subscription { syncJobs { id } }', 'subscription { syncJobs @include(if: notABoolean) { id } syncJobs { kind } }']) {
      const res = await gw.gql(query);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(res.body.errors?.[0]?.message).toContain('/graphql/stream');
    }
  });

  it('invalid JSON is a 400 with a GraphQL-shaped error, not a crash', async () => {
    const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': gw.key }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('/metrics exposes upstream requests by upstream, endpoint and status', async () => {
    await gw.gql(`{ part(id: "42") { partNumber } }`);
    const text = await (await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': gw.key } })).text();
    expect(text).toMatch(/crossdock_upstream_requests_total\{upstream="finditparts",endpoint="products.multi",status="200"\} \d+/);
    expect(text).toContain('crossdock_upstream_request_duration_seconds_bucket');
    expect(text).toContain('crossdock_cache_requests_total');
    expect(text).toContain('crossdock_http_request_duration_seconds');
    expect(text).toContain('crossdock_upstream_breaker_state');
  });
});
