/**
 * Request limits and web hardening, against real gateways on loopback
 * (issue 6, acceptance 2 and 3):
 *
 * - per-client budgets: the RateLimit fields on every answer, the remaining
 *   budget going down by each operation's cost (cached answers included), a
 *   spent client answered 429 with Retry-After while another is unaffected,
 *   and one over the per-request cost limit refused with no upstream call;
 * - hostile queries (aliases, depth, directives, tokens, a 1 MB body, a batch,
 *   introspection in production, a mutation over GET, form posts from another
 *   site), each refused with a clear code and no upstream call: the sandbox's
 *   own request counters must not move;
 * - the same limits over SSE and WebSocket;
 * - CORS, security headers, compression, APQ and the safelist mode.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSafelist } from '../../src/graphql/limits/buildSafelist.js';
import { createTrustedDocuments } from '../../src/graphql/limits/trustedDocuments.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { sandboxUpstreamEnv } from '../support/processes.js';
import { rawPost } from '../support/rawPost.js';
import { sandboxStats, startSandbox } from '../support/sandbox.js';

const KEY_A = 'cdk_test_client_a_0000000001';
const KEY_B = 'cdk_test_client_b_0000000002';
const KEY_C = 'cdk_test_client_c_0000000003';
const ADMIN = 'cdk_test_admin_00000000000004';
const VIEWER = 'cdk_test_viewer_0000000000005';

/** Cost 2: the query base (1) and one object field (1). */
const CHEAP = `{ part(id: "2") { id partNumber } }`;
/** Cost 37: base 1, searchParts 1, and 5 × (edges 1 + node 1 + storeProduct 2 + inventory 3). */
const EXPENSIVE = `{ searchParts(first: 5) { edges { node { id storeProduct { sku } inventory { available } } } } }`;

interface Answer {
  status: number;
  headers: Headers;
  body: GqlBody;
  text: string;
}

async function post(url: string, key: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: GqlBody = {};
  try {
    parsed = JSON.parse(text) as GqlBody;
  } catch {
    /* not JSON: the test says what it expects */
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

/** `RateLimit: "budget";r=12;t=37` → { r, t }. */
function rateLimit(headers: Headers): { r: number; t: number } {
  const value = headers.get('ratelimit') ?? '';
  const m = /^"budget";r=(\d+);t=(\d+)$/.exec(value);
  if (!m) throw new Error(`no RateLimit field in the answer: ${JSON.stringify(value)}`);
  return { r: Number(m[1]), t: Number(m[2]) };
}

/** Requests both sandbox upstreams have received. */
async function upstreamCalls(fipUrl: string, bcUrl: string): Promise<number> {
  const [a, b] = await Promise.all([sandboxStats(fipUrl), sandboxStats(bcUrl)]);
  return a.requests + b.requests;
}

/** Runs `act` and asserts that no upstream saw a request meanwhile. */
async function noUpstreamCall<T>(gw: { fipUrl: string; bcUrl: string }, act: () => Promise<T>): Promise<T> {
  const before = await upstreamCalls(gw.fipUrl, gw.bcUrl);
  const result = await act();
  // Anything the request set off would have started by now.
  await new Promise((r) => setTimeout(r, 50));
  expect(await upstreamCalls(gw.fipUrl, gw.bcUrl), 'upstream requests while refusing').toBe(before);
  return result;
}

// ------------------------------------------------------------------ budgets

describe('per-client budgets', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      CROSSDOCK_API_KEYS: `a:viewer:${KEY_A},b:viewer:${KEY_B},c:operator:${KEY_C}`,
      CLIENT_BUDGET_POINTS: '200',
      CLIENT_BUDGET_WINDOW_SECONDS: '900',
      CLIENT_BUDGETS: JSON.stringify({ c: 15 }),
      MAX_QUERY_COST: '100',
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('tells every answer its budget, charges each operation its cost, and refuses a spent client with 429 while another goes on', async () => {
    const b1 = await post(gw.url, KEY_B, { query: CHEAP });
    expect(b1.status).toBe(200);
    expect(b1.headers.get('ratelimit-policy')).toBe('"budget";q=200;w=900');
    expect(rateLimit(b1.headers).r).toBe(198);

    const a1 = await post(gw.url, KEY_A, { query: CHEAP });
    expect(a1.status).toBe(200);
    const afterCheap = rateLimit(a1.headers).r;
    expect(afterCheap).toBe(198);
    const a2 = await post(gw.url, KEY_A, { query: EXPENSIVE });
    expect(a2.body.errors).toBeUndefined();
    const afterExpensive = rateLimit(a2.headers).r;
    // An expensive query costs more than a cheap one, read from the RateLimit field.
    const cheapCost = 200 - afterCheap;
    const expensiveCost = afterCheap - afterExpensive;
    expect(cheapCost).toBe(2);
    expect(expensiveCost).toBe(37);
    expect(expensiveCost).toBeGreaterThan(cheapCost);

    // Asked again, the operation's answer is kept in the whole-response cache (a first ask is not: the doorkeeper,
    // src/cache/responseCache.ts), and a cached answer runs nothing upstream and is still charged.
    const a3 = await post(gw.url, KEY_A, { query: EXPENSIVE });
    expect(a3.body).toEqual(a2.body);
    expect(rateLimit(a3.headers).r).toBe(afterExpensive - 37);
    const cached = await noUpstreamCall(gw, () => post(gw.url, KEY_A, { query: EXPENSIVE }));
    expect(cached.body).toEqual(a2.body);
    expect(rateLimit(cached.headers).r).toBe(afterExpensive - 2 * 37);

    // Spend the rest: 87 → 50 → 13, then 37 more is refused.
    let last = cached;
    while (last.status === 200) last = await post(gw.url, KEY_A, { query: EXPENSIVE });
    expect(last.status).toBe(429);
    expect(code(last)).toBe('RATE_LIMITED');
    const retryAfter = last.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(900);
    expect(last.headers.get('ratelimit-policy')).toBe('"budget";q=200;w=900');
    const limited = rateLimit(last.headers);
    expect(limited.r).toBe(13);
    expect(limited.t).toBe(Number(retryAfter));
    // A refusal spends nothing: a cheaper operation still fits what is left.
    const a4 = await post(gw.url, KEY_A, { query: CHEAP });
    expect(a4.status).toBe(200);
    expect(rateLimit(a4.headers).r).toBe(11);

    // The other client is unaffected.
    const b2 = await post(gw.url, KEY_B, { query: EXPENSIVE });
    expect(b2.status).toBe(200);
    expect(rateLimit(b2.headers).r).toBe(198 - 37);
  });

  it('refuses an operation over the per-request cost limit before any upstream call, and charges nothing for it', async () => {
    const before = rateLimit((await post(gw.url, KEY_B, { query: '{ __typename }' })).headers).r;
    const tooCostly = `{ searchParts(first: 50) { edges { node { id storeProduct { sku } inventory { available } } } } }`;
    const answer = await noUpstreamCall(gw, () => post(gw.url, KEY_B, { query: tooCostly }));
    expect(answer.status).toBe(400);
    expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'cost', cost: 352, max: 100 });
    expect(rateLimit(answer.headers).r).toBe(before);
  });

  it('charges a subscription once, when it subscribes, over SSE and WebSocket (CLIENT_BUDGETS gives c 15 points)', async () => {
    // Cost 11: a subscription's base (10) and one object field.
    const sub = { query: 'subscription { syncJobs { id status } }' };
    const controller = new AbortController();
    const first = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': KEY_C },
      body: JSON.stringify(sub),
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();

    const second = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': KEY_C },
      body: JSON.stringify(sub),
    });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(second.headers.get('ratelimit')).toMatch(/^"budget";r=4;t=\d+$/);
    expect(((await second.json()) as GqlBody).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    const errors = await wsErrors(gw.url, KEY_C, sub.query);
    expect(errors[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

/** The errors graphql-ws delivers for one operation (an `error` message, or errors in its result). */
async function wsErrors(url: string, key: string, query: string): Promise<Array<{ message: string; extensions?: Record<string, unknown> }>> {
  const client = createWsClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: key }, retryAttempts: 0 });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer over WebSocket')), 10_000);
      const dispose = client.subscribe(
        { query },
        {
          next: (value) => {
            if (value.errors?.length) {
              clearTimeout(timer);
              dispose();
              resolve(value.errors as never);
            }
          },
          error: (err) => {
            clearTimeout(timer);
            resolve(Array.isArray(err) ? (err as never) : [{ message: String(err) }]);
          },
          complete: () => {
            clearTimeout(timer);
            resolve([]);
          },
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** The first `next` payload of a distinct-connection SSE operation. */
async function sseFirstResult(url: string, key: string, query: string): Promise<{ status: number; result?: GqlBody }> {
  const res = await fetch(`${url}/graphql/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': key },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  const data = /event: next\ndata: (.*)\n/.exec(text)?.[1];
  return { status: res.status, result: data ? (JSON.parse(data) as GqlBody) : undefined };
}

// ------------------------------------------------------------------ hostile queries

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
/** `{ part { storeProduct { supplierPart { storeProduct … { id } } } } }`, `depth` fields deep. */
function deep(depth: number): string {
  let inner = 'id';
  for (let level = depth - 1; level >= 2; level--) inner = `${level % 2 === 0 ? 'storeProduct' : 'supplierPart'} { ${inner} }`;
  return `{ part(id: "2") { ${inner} } }`;
}

describe('hostile queries are refused with a clear code and no upstream call', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('101 aliases of __typename', async () => {
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, { query: aliases(101) }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('QUERY_TOO_COMPLEX');
    expect(a.body.errors?.[0]?.extensions).toMatchObject({ limit: 'aliases', actual: 101, max: 30 });
    // 30 is allowed.
    expect((await post(gw.url, gw.key, { query: aliases(30) })).status).toBe(200);
  });

  it('a query 20 levels deep', async () => {
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, { query: deep(20) }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('QUERY_TOO_COMPLEX');
    expect(a.body.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', actual: 20, max: 15 });
  });

  it('60 repeated directives (refused before validation, so not a validation error)', async () => {
    const query = `{ part(id: "2") ${'@include(if: true) '.repeat(60)}{ id } }`;
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, { query }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('QUERY_TOO_COMPLEX');
    expect(a.body.errors?.[0]?.extensions).toMatchObject({ limit: 'directives', actual: 60, max: 50 });
  });

  it('more than 5,000 tokens', async () => {
    const query = `{ ${'__typename '.repeat(6_000)}}`;
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, { query }));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('QUERY_TOO_COMPLEX');
    expect(a.body.errors?.[0]?.extensions).toMatchObject({ limit: 'tokens', max: 5_000 });
  });

  it('a 1 MB query (413)', async () => {
    const query = `{ part(id: "2") { id } }${' '.repeat(1024 * 1024)}`;
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, { query }));
    expect(a.status).toBe(413);
    expect(code(a)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a batch of 100 operations (HTTP batching is off: 400)', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => ({ query: `{ part(id: "${i + 1}") { id } }` }));
    const a = await noUpstreamCall(gw, () => post(gw.url, gw.key, batch));
    expect(a.status).toBe(400);
    expect(code(a)).toBe('BAD_REQUEST');
    expect(a.body.errors?.[0]?.message).toMatch(/batching/i);
  });

  it('a mutation over GET: refused as possible CSRF without a preflight header, and 405 with one', async () => {
    const qs = new URLSearchParams({ query: 'mutation { startSync(input: { kind: CATALOG }) { job { id } } }' });
    const bare = await noUpstreamCall(gw, () => fetch(`${gw.url}/graphql?${qs}`, { headers: { 'x-api-key': gw.key } }));
    expect(bare.status).toBe(400);
    const bareBody = (await bare.json()) as GqlBody;
    expect(bareBody.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(bareBody.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    const preflighted = await noUpstreamCall(gw, () => fetch(`${gw.url}/graphql?${qs}`, { headers: { 'x-api-key': gw.key, 'apollo-require-preflight': 'true' } }));
    expect(preflighted.status).toBe(405);
    expect(((await preflighted.json()) as GqlBody).errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    // Nothing was started.
    const jobs = await post(gw.url, gw.key, { query: '{ syncJobs { totalCount } }' });
    expect(jobs.body.data?.syncJobs).toEqual({ totalCount: 0 });
  });

  it('form posts from another site (urlencoded, multipart, text/plain) run nothing', async () => {
    const mutation = 'mutation { startSync(input: { kind: CATALOG }) { job { id } } }';
    const browser = { origin: 'https://evil.example', 'x-api-key': gw.key };
    const urlencoded = await noUpstreamCall(gw, () =>
      fetch(`${gw.url}/graphql`, { method: 'POST', headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: mutation }).toString() }),
    );
    expect(urlencoded.status).toBe(415);
    expect(((await urlencoded.json()) as GqlBody).errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = new FormData();
    form.set('query', mutation);
    const multipart = await noUpstreamCall(gw, () => fetch(`${gw.url}/graphql`, { method: 'POST', headers: browser, body: form }));
    expect(multipart.status).toBe(415);
    expect(((await multipart.json()) as GqlBody).errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const plain = await noUpstreamCall(gw, () =>
      fetch(`${gw.url}/graphql`, { method: 'POST', headers: { ...browser, 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) }),
    );
    expect(plain.status).toBe(400);
    const plainBody = (await plain.json()) as GqlBody;
    expect(plainBody.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(plainBody.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    const jobs = await post(gw.url, gw.key, { query: '{ syncJobs { totalCount } }' });
    expect(jobs.body.data?.syncJobs).toEqual({ totalCount: 0 });
  });

  it('the same limits over SSE and WebSocket', async () => {
    const sse = await noUpstreamCall(gw, () => sseFirstResult(gw.url, gw.key, aliases(101)));
    expect(sse.result?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const sseDirectives = await sseFirstResult(gw.url, gw.key, `{ part(id: "2") ${'@include(if: true) '.repeat(60)}{ id } }`);
    expect(sseDirectives.result?.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'directives' });
    const ws = await noUpstreamCall(gw, () => wsErrors(gw.url, gw.key, deep(20)));
    expect(ws[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    const wsTokens = await wsErrors(gw.url, gw.key, `{ ${'__typename '.repeat(6_000)}}`);
    expect(wsTokens[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
  });

  it('shows field suggestions in the embedded default (development)', async () => {
    const a = await post(gw.url, gw.key, { query: '{ partz }' });
    expect(a.body.errors?.[0]?.message).toMatch(/Did you mean/);
  });
});

// ------------------------------------------------------------------ production mode

describe('production mode: introspection by role, no field suggestions', () => {
  let sandbox: Sandbox;
  let gw: TestGateway;
  const CIRCULAR = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
  beforeAll(async () => {
    sandbox = await startSandbox({ parts: 50 });
    gw = await startGateway({ ...sandboxUpstreamEnv(sandbox), CROSSDOCK_MODE: 'production', CROSSDOCK_API_KEYS: `ops:admin:${ADMIN},shop:viewer:${VIEWER}` });
  });
  afterAll(async () => {
    await gw?.close();
    await sandbox?.close();
  });
  const upstreams = () => ({ fipUrl: sandbox.finditparts.url, bcUrl: sandbox.bigcommerce.url });

  it('refuses introspection to a role outside INTROSPECTION_ROLES, circular or not, before validation and any upstream call', async () => {
    for (const query of [CIRCULAR, '{ __schema { queryType { name } } }', '{ __type(name: "Part") { name } }', 'query { ...F } fragment F on Query { __schema { types { name } } }']) {
      const a = await noUpstreamCall(upstreams(), () => post(gw.url, VIEWER, { query }));
      expect(a.status, query).toBe(403);
      expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED' });
    }
    // __typename is not introspection.
    expect((await post(gw.url, VIEWER, { query: '{ __typename }' })).status).toBe(200);
  });

  it('lets admin introspect, but not in circles (graphql’s introspection depth rule) nor too deep', async () => {
    const ok = await post(gw.url, ADMIN, { query: '{ __schema { queryType { name } } }' });
    expect(ok.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const circular = await noUpstreamCall(upstreams(), () => post(gw.url, ADMIN, { query: CIRCULAR }));
    expect(circular.status).toBe(400);
    expect(code(circular)).toBe('GRAPHQL_VALIDATION_FAILED');
    const tooDeep = `{ __type(name: "Part") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`;
    const deepAnswer = await noUpstreamCall(upstreams(), () => post(gw.url, ADMIN, { query: tooDeep }));
    expect(code(deepAnswer)).toBe('QUERY_TOO_COMPLEX');
  });

  it('hides field suggestions', async () => {
    const a = await post(gw.url, ADMIN, { query: '{ partz }' });
    expect(code(a)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(a.body.errors?.[0]?.message).toBe('Cannot query field "partz" on type "Query".');
  });

  it('refuses introspection to a viewer over SSE and WebSocket too', async () => {
    const sse = await sseFirstResult(gw.url, VIEWER, '{ __schema { queryType { name } } }');
    expect(sse.result?.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED' });
    const ws = await wsErrors(gw.url, VIEWER, '{ __schema { queryType { name } } }');
    expect(ws[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED' });
  });
});

// ------------------------------------------------------------------ web hardening

describe('web hardening', () => {
  let gw: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    [gw, open] = await Promise.all([startGateway(), startGateway({ CORS_ORIGINS: 'https://shop.example, http://localhost:5173' })]);
  });
  afterAll(async () => {
    await Promise.all([gw?.close(), open?.close()]);
  });

  it('sends no CORS headers at all without CORS_ORIGINS', async () => {
    const a = await post(gw.url, gw.key, { query: '{ __typename }' }, { origin: 'https://shop.example' });
    expect(a.status).toBe(200);
    expect(a.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers allowed origins (and their preflights), and no other', async () => {
    const allowed = await post(open.url, open.key, { query: '{ __typename }' }, { origin: 'https://shop.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/ratelimit/);
    const preflight = await fetch(`${open.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const other = await post(open.url, open.key, { query: '{ __typename }' }, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherPreflight = await fetch(`${open.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts security headers on every answer, and a self-only CSP on the playground', async () => {
    const answers = [
      (await post(gw.url, gw.key, { query: '{ __typename }' })).headers,
      (await post(gw.url, 'not-a-key', { query: '{ __typename }' })).headers,
      (await fetch(`${gw.url}/health`)).headers,
      (await fetch(`${gw.url}/playground`)).headers,
    ];
    for (const h of answers) {
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('referrer-policy')).toBe('no-referrer');
      expect(h.get('x-frame-options')).toBe('DENY');
    }
    const csp = answers[3]!.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('compresses large answers for clients that accept it, and leaves small ones alone', async () => {
    const big = JSON.stringify({ query: '{ searchParts(first: 50) { edges { node { id partNumber manufacturer description } } } }' });
    const gz = await rawPost(gw.url, { 'x-api-key': gw.key, 'accept-encoding': 'gzip' }, big);
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    const data = JSON.parse(gunzipSync(gz.body).toString('utf8')) as GqlBody;
    expect((data.data?.searchParts as { edges: unknown[] }).edges).toHaveLength(50);
    expect(gz.body.length).toBeLessThan(gunzipSync(gz.body).length / 2);

    const br = await rawPost(gw.url, { 'x-api-key': gw.key, 'accept-encoding': 'br' }, big);
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(data);

    const none = await rawPost(gw.url, { 'x-api-key': gw.key }, big);
    expect(none.headers['content-encoding']).toBeUndefined();
    const small = await rawPost(gw.url, { 'x-api-key': gw.key, 'accept-encoding': 'gzip' }, JSON.stringify({ query: '{ __typename }' }));
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

// ------------------------------------------------------------------ trusted documents

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('trusted documents', () => {
  const REGISTERED = 'query Registered { part(id: "3") { id partNumber } }';
  const OTHER = 'query Other { part(id: "4") { id partNumber } }';
  let apq: TestGateway;
  let safe: TestGateway;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-safelist-'));
    const file = join(dir, 'trusted-documents.json');
    writeFileSync(file, JSON.stringify(buildSafelist([{ name: 'registered.graphql', text: REGISTERED }])));
    [apq, safe] = await Promise.all([startGateway(), startGateway({ TRUSTED_DOCUMENTS: 'safelist', TRUSTED_DOCUMENTS_FILE: file })]);
  });
  afterAll(async () => {
    await Promise.all([apq?.close(), safe?.close()]);
  });

  it('APQ: an unknown hash asks for the document, which registers it, then the hash alone runs it (POST and GET)', async () => {
    const hash = sha256(OTHER);
    const miss = await post(apq.url, apq.key, { extensions: persisted(hash) });
    expect(code(miss)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(apq.url, apq.key, { query: OTHER, extensions: persisted(hash) });
    expect(registered.status).toBe(200);
    expect(registered.body.data?.part).toMatchObject({ id: expect.any(String) });
    const byHash = await post(apq.url, apq.key, { extensions: persisted(hash) });
    expect(byHash.body).toEqual(registered.body);
    const qs = new URLSearchParams({ extensions: JSON.stringify(persisted(hash)) });
    const get = await fetch(`${apq.url}/graphql?${qs}`, { headers: { 'x-api-key': apq.key, 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(registered.body);
    // A hash that is not the document's is refused.
    const wrong = await post(apq.url, apq.key, { query: OTHER, extensions: persisted(sha256('something else')) });
    expect(wrong.status).toBe(400);
  });

  it('safelist mode runs a registered operation (by document, printed form or hash) and nothing else', async () => {
    const byDocument = await post(safe.url, safe.key, { query: REGISTERED });
    expect(byDocument.status).toBe(200);
    expect(byDocument.body.data?.part).toMatchObject({ partNumber: expect.any(String) });
    const byHash = await post(safe.url, safe.key, { extensions: persisted(sha256(REGISTERED)) });
    expect(byHash.body).toEqual(byDocument.body);
    const printed = 'query Registered {\n  part(id: "3") {\n    id\n    partNumber\n  }\n}';
    expect((await post(safe.url, safe.key, { query: printed })).body).toEqual(byDocument.body);

    const other = await noUpstreamCall(safe, () => post(safe.url, safe.key, { query: OTHER }));
    expect(other.status).toBe(403);
    expect(code(other)).toBe('QUERY_NOT_IN_SAFELIST');
    const unknownHash = await post(safe.url, safe.key, { extensions: persisted(sha256(OTHER)) });
    expect(code(unknownHash)).toBe('PERSISTED_QUERY_NOT_FOUND');
    // APQ cannot register anything in safelist mode.
    const register = await post(safe.url, safe.key, { query: OTHER, extensions: persisted(sha256(OTHER)) });
    expect(code(register)).toBe('QUERY_NOT_IN_SAFELIST');
    expect(code(await post(safe.url, safe.key, { extensions: persisted(sha256(OTHER)) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The streaming transports keep to the safelist too.
    const sse = await sseFirstResult(safe.url, safe.key, OTHER);
    expect(sse.result?.errors?.[0]?.extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
    const ws = await wsErrors(safe.url, safe.key, OTHER);
    expect(ws[0]?.extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
  });

  it('builds the safelist only from documents that validate, and loads only files whose hashes match their documents', () => {
    expect(() => buildSafelist([{ name: 'bad.graphql', text: '{ partz }' }])).toThrow(/bad\.graphql/);
    expect(() => createTrustedDocuments({ [sha256(OTHER)]: REGISTERED })).toThrow(/not the SHA-256/);
    expect(createTrustedDocuments({ [sha256(OTHER)]: OTHER }).has(sha256(OTHER).toUpperCase())).toBe(true);
  });
});
