/**
 * The security headers (src/server/hardening.ts, issue 13): helmet's, for
 * the gateway's policy, on every answer — GraphQL, a 401, an unknown route,
 * /health, the playground, an SSE stream (GraphQL's and the orders cache
 * drop-in's) — and computed once at start, not
 * rebuilt for every request (@fastify/helmet built helmet's whole middleware
 * chain, CSP parsing included, per request).
 *
 * helmet is counted in both of the ways it can be loaded: through Node's
 * require cache (its CommonJS build, which @fastify/helmet requires) and
 * through vitest's module graph (its ESM build).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const builds = await vi.hoisted(async () => {
  const counter = { count: 0 };
  // helmet's CommonJS build (what @fastify/helmet requires), counted before anything loads it.
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const path = require.resolve('helmet');
  const cjs = require(path) as (...args: unknown[]) => unknown;
  const cached = require.cache[path];
  if (cached) {
    cached.exports = Object.assign((...args: unknown[]) => {
      counter.count++;
      return cjs(...args);
    }, cjs);
  }
  return counter;
});

vi.mock('helmet', async (importOriginal) => {
  const original = await importOriginal<typeof import('helmet')>();
  const counted = Object.assign((...args: Parameters<typeof original.default>) => {
    builds.count++;
    return original.default(...args);
  }, original.default);
  return { ...original, default: counted };
});

const EXPECTED: Record<string, string> = {
  'content-security-policy':
    "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

function expectSecurityHeaders(headers: Headers, what: string): void {
  for (const [name, value] of Object.entries(EXPECTED)) expect(headers.get(name), `${what}: ${name}`).toBe(value);
  expect(headers.get('x-powered-by'), what).toBeNull();
}

describe('security headers', () => {
  let gw: TestGateway;
  let buildsAtStart = 0;
  beforeAll(async () => {
    gw = await startGateway();
    buildsAtStart = builds.count;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('are on every kind of answer', async () => {
    expectSecurityHeaders((await gw.gql('{ __typename }')).headers, 'GraphQL');
    expectSecurityHeaders((await gw.gql('{ part(id: "1") { id } }', undefined, { 'x-api-key': 'not-a-key-0000000000' })).headers, '401');
    expectSecurityHeaders((await fetch(`${gw.url}/nowhere`, { headers: { 'x-api-key': gw.key } })).headers, '404');
    expectSecurityHeaders((await fetch(`${gw.url}/health`)).headers, '/health');
    expectSecurityHeaders((await fetch(`${gw.url}/playground`)).headers, '/playground');
    const controller = new AbortController();
    const stream = await fetch(`${gw.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': gw.key },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    expectSecurityHeaders(stream.headers, 'SSE');
    controller.abort();
    // The orders cache drop-in's event stream is written past Fastify's reply too.
    const compat = new AbortController();
    const compatStream = await fetch(`${gw.url}/compat/orders-cache/fetch-data?stream=true`, { headers: { 'x-api-key': gw.key }, signal: compat.signal });
    expect(compatStream.headers.get('content-type')).toMatch(/text\/event-stream/);
    expectSecurityHeaders(compatStream.headers, 'orders cache SSE');
    expect(compatStream.headers.get('x-request-id')).toBeTruthy();
    compat.abort();
  });

  it('are computed once, not for every request', async () => {
    for (let i = 0; i < 5; i++) expect((await gw.gql('{ __typename }')).status).toBe(200);
    expect(builds.count - buildsAtStart).toBe(0);
    expect(buildsAtStart).toBeLessThanOrEqual(1);
  });
});
