/**
 * An answer's content type is negotiated from the request's Accept header
 * once per distinct header (src/graphql/answerContentType.ts): Apollo
 * negotiates the first request with a header, and from the next one with the
 * same header the type it chose is set before it looks, so it negotiates no
 * more — with the same type, status and body as before. A header Apollo
 * refuses is refused (406) every time. Counted on Apollo's own Negotiator
 * (the module instance it loads), never timed: the content-type negotiations
 * are those offered application/json; Apollo's pipeline also asks, on every
 * execution, whether the client prefers the legacy incremental format, and
 * for a request with a known header it is shown an empty one to ask of.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { rawPost } from '../support/rawPost.js';

// The negotiator Apollo Server itself loads (its dependency, resolved from its package).
const fromApollo = createRequire(createRequire(import.meta.url).resolve('@apollo/server'));
const Negotiator = fromApollo('negotiator') as { prototype: { mediaType: (...args: unknown[]) => unknown } };

const QUERY = 'query P($ids: [ID!]!) { parts(ids: $ids) { id partNumber } }';
let next = 1;
/** A fresh id each time: every answer executes (the response cache is off here as well). */
const ids = () => [String(next++)];

describe('answer content type', () => {
  let gw: TestGateway;
  const negotiator = vi.spyOn(Negotiator.prototype, 'mediaType');
  /** Negotiations offered application/json: the answer's content type. */
  const contentTypeNegotiations = () =>
    negotiator.mock.calls.filter(([available]) => Array.isArray(available) && available.some((t) => typeof t === 'string' && t.startsWith('application/json'))).length;
  beforeAll(async () => {
    gw = await startGateway({ RESPONSE_CACHE: 'false' });
  });
  afterAll(async () => {
    negotiator.mockRestore();
    await gw?.close();
  });

  it('is negotiated for the first request with an Accept header, and the same for every later one', async () => {
    for (const [accept, type] of [
      ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
      ['application/json', 'application/json; charset=utf-8'],
      ['*/*', 'application/json; charset=utf-8'],
      ['application/graphql-response+json;q=0.9, application/json', 'application/json; charset=utf-8'],
    ] as const) {
      negotiator.mockClear();
      const first = await gw.gql(QUERY, { ids: ids() }, { accept });
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe(type);
      expect(contentTypeNegotiations(), accept).toBe(1);
      for (let i = 0; i < 3; i++) {
        const later = await gw.gql(QUERY, { ids: ids() }, { accept });
        expect(later.status).toBe(200);
        expect(later.body.errors).toBeUndefined();
        expect(later.body.data?.parts).toHaveLength(1);
        expect(later.headers.get('content-type'), accept).toBe(type);
      }
      expect(contentTypeNegotiations(), `${accept}: negotiated again`).toBe(1);
    }
  });

  it('parses no Accept header at all for a later request with a known one', async () => {
    const accept = 'application/json, multipart/mixed;q=0.1';
    await gw.gql(QUERY, { ids: ids() }, { accept });
    negotiator.mockClear();
    for (let i = 0; i < 3; i++) {
      const later = await gw.gql(QUERY, { ids: ids() }, { accept });
      expect(later.status).toBe(200);
      expect(later.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(later.body.data?.parts).toHaveLength(1);
    }
    // A GET with the same header as well (csrfPrevention asks a GET for a preflight header).
    const search = new URLSearchParams({ query: QUERY, variables: JSON.stringify({ ids: ids() }) });
    const got = await fetch(`${gw.url}/graphql?${search}`, { headers: { accept, 'x-api-key': gw.key, 'apollo-require-preflight': 'true' } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await got.json()) as { data: { parts: unknown[] } }).data.parts).toHaveLength(1);
    // Apollo's pipeline still asks its legacy-incremental question on every execution (requestPipeline.js),
    // of an empty header: nothing to parse, no type to match.
    const parsed = negotiator.mock.contexts.filter((c) => Boolean((c as { request?: { headers?: { accept?: string } } }).request?.headers?.accept));
    expect(negotiator.mock.calls.length).toBeGreaterThan(0);
    expect(parsed.length).toBe(0);
  });

  it('labels an error answer to a known Accept header as Apollo would have', async () => {
    const accept = 'application/graphql-response+json';
    await gw.gql(QUERY, { ids: ids() }, { accept });
    // Variables of the wrong type: refused by Apollo's pipeline (400), after the memo has the header.
    const refused = await gw.gql(QUERY, { ids: [true] }, { accept });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    // Not JSON at all: refused before the pipeline runs (Apollo's errorResponse).
    const res = await rawPost(gw.url, { 'x-api-key': gw.key, accept, 'content-type': 'application/json' }, JSON.stringify({ variables: {} }));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
  });

  it("sends a browser's GET of /graphql with a query to the playground, never to Apollo's landing page", async () => {
    // What a browser sends for a link it opens: HTML first, anything at a lower weight; no key.
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const search = new URLSearchParams({ query: '{ __typename }', variables: '{}' }).toString();
    const page = await fetch(`${gw.url}/graphql?${search}`, { headers: { accept: browser }, redirect: 'manual' });
    // Apollo's default landing page loads its scripts from Apollo's CDN: the gateway's own playground is offline.
    expect(await page.text()).not.toMatch(/apollographql\.com/);
    expect(page.status).toBe(302);
    // The link's document goes along, as GraphiQL's parameters, to be shown in the editor (test/e2e/playground.test.ts).
    expect(page.headers.get('location')).toBe(`/playground?${search}`);
    // The bare URL too, with nothing after it.
    const bare = await fetch(`${gw.url}/graphql`, { headers: { accept: browser }, redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/playground']);
    // A POST with the browser's header is answered as JSON, every time.
    for (let i = 0; i < 2; i++) {
      const answer = await gw.gql(QUERY, { ids: ids() }, { accept: browser });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.body.data?.parts).toHaveLength(1);
    }
  });

  it('refuses an Accept header that allows no JSON type with 406, every time', async () => {
    for (let i = 0; i < 3; i++) {
      const refused = await gw.gql(QUERY, { ids: ids() }, { accept: 'text/plain' });
      expect(refused.status).toBe(406);
      expect(refused.body.errors?.[0]?.message).toMatch(/accept/i);
    }
  });

  it('answers application/json to a request without an Accept header', async () => {
    const res = await rawPost(gw.url, { 'x-api-key': gw.key }, JSON.stringify({ query: QUERY, variables: { ids: ids() } }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((JSON.parse(res.body.toString('utf8')) as { data: { parts: unknown[] } }).data.parts).toHaveLength(1);
  });
});
