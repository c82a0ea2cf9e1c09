/**
 * The direct path (src/server/directExecution.ts, issue 13): a query Apollo
 * Server has run and seen compiled is answered again without Apollo's
 * pipeline, and answers exactly what Apollo answers. Two gateways side by
 * side, one with DIRECT_EXECUTION=false, are sent the same requests in the
 * same order; every answer is compared whole — status, the heads a client
 * reads (content type, cache control, the RateLimit budget left), body — and
 * calls of Apollo Server are counted, so a case proves which path answered.
 * The response cache is off so that every answer executes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const apolloCalls = vi.hoisted(() => ({ n: 0, compiledRuns: 0 }));
vi.mock('graphql-jit', async (importOriginal) => {
  const original = await importOriginal<typeof import('graphql-jit')>();
  return {
    ...original,
    compileQuery: (...args: Parameters<typeof original.compileQuery>) => {
      const compiled = original.compileQuery(...args);
      if (!('query' in compiled)) return compiled;
      const query = compiled.query;
      compiled.query = (...a: Parameters<typeof query>) => {
        apolloCalls.compiledRuns++;
        return query(...a);
      };
      return compiled;
    },
  };
});
vi.mock('@apollo/server', async (importOriginal) => {
  const original = await importOriginal<typeof import('@apollo/server')>();
  type Request = Parameters<InstanceType<typeof original.ApolloServer>['executeHTTPGraphQLRequest']>[0];
  class CountingApolloServer<C extends object> extends original.ApolloServer<C> {
    override executeHTTPGraphQLRequest(request: Request) {
      apolloCalls.n++;
      return super.executeHTTPGraphQLRequest(request as never);
    }
  }
  return { ...original, ApolloServer: CountingApolloServer };
});

const KEY = 'cdk_test_direct_client_0000000001';
const ENV = { RESPONSE_CACHE: 'false', CROSSDOCK_API_KEYS: `direct:viewer:${KEY}`, CLIENT_BUDGET_POINTS: '100000', CLIENT_BUDGET_WINDOW_SECONDS: '900' };

interface Answer {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  /** The budget left (RateLimit's r): equal on both gateways only if each request was charged the same, once. */
  remaining: string | undefined;
  body: string;
}

async function send(gw: TestGateway, init: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ answer: Answer; apollo: number; compiledRuns: number }> {
  const before = apolloCalls.n;
  const runsBefore = apolloCalls.compiledRuns;
  const res = await fetch(`${gw.url}${init.path ?? '/graphql'}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': KEY, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const answer = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    cacheControl: res.headers.get('cache-control'),
    remaining: /;r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1],
    body: await res.text(),
  };
  return { answer, apollo: apolloCalls.n - before, compiledRuns: apolloCalls.compiledRuns - runsBefore };
}

const PARTS = 'query Parts($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount } storeProduct { sku price { amount } } } }';
const body = (b: Record<string, unknown>) => JSON.stringify(b);

describe('direct execution', () => {
  let direct: TestGateway;
  let apollo: TestGateway;
  beforeAll(async () => {
    [direct, apollo] = await Promise.all([startGateway(ENV), startGateway({ ...ENV, DIRECT_EXECUTION: 'false' })]);
  });
  afterAll(async () => {
    await Promise.all([direct?.close(), apollo?.close()]);
  });

  /** The same request to both; answers compared whole. Returns how many of `direct`'s went through Apollo. */
  async function same(init: Parameters<typeof send>[1]): Promise<{ answer: Answer; apollo: number; compiledRuns: number }> {
    const viaDirect = await send(direct, init);
    const viaApollo = await send(apollo, init);
    expect(viaApollo.apollo).toBe(1);
    expect(viaDirect.answer).toEqual(viaApollo.answer);
    return viaDirect;
  }

  /** Runs a request twice on both, so the document is compiled (compiledExecution.ts compiles on the second run). */
  async function prepare(init: Parameters<typeof send>[1]) {
    for (let i = 0; i < 2; i++) expect((await same(init)).apollo).toBe(1);
  }

  it('answers a prepared query without Apollo Server, with the bytes, heads and charge Apollo gives', async () => {
    await prepare({ body: body({ query: PARTS, variables: { ids: ['1', '2', '3'] } }) });
    for (const ids of [['4', '5', '6', '404404'], ['7'], Array.from({ length: 20 }, (_, i) => String(i + 30))]) {
      const { answer, apollo: calls } = await same({ body: body({ query: PARTS, variables: { ids } }) });
      expect(calls).toBe(0);
      expect(answer.status).toBe(200);
      expect(answer.cacheControl).toBe('no-store');
      expect(JSON.parse(answer.body).data.parts).toHaveLength(ids.length);
    }
    // Another Accept header: Apollo chooses its answer type the first time (answerContentType.ts), then the
    // direct path answers with it; a null operationName and null variables are read as absent, as Apollo reads them.
    expect((await same({ headers: { accept: 'application/json' }, body: body({ query: PARTS, variables: { ids: ['8'] } }) })).apollo).toBe(1);
    expect((await same({ headers: { accept: 'application/json' }, body: body({ query: PARTS, variables: { ids: ['9'] }, operationName: null }) })).apollo).toBe(0);
    const cheap = '{ part(id: "2") { id partNumber } }';
    await prepare({ body: body({ query: cheap }) });
    expect((await same({ body: body({ query: cheap, variables: null }) })).apollo).toBe(0);
  });

  it('hands an answer with errors to Apollo Server to format, without running the query again', async () => {
    const query = 'query Nodes($a: ID!, $b: ID!) { a: node(id: $a) { id ... on Part { partNumber } } b: part(id: $b) { id } }';
    await prepare({ body: body({ query, variables: { a: 'UGFydDo4', b: '1' } }) });
    const { answer, apollo: calls, compiledRuns } = await same({ body: body({ query, variables: { a: 'UGFydDo5', b: '../etc' } }) });
    expect(calls).toBe(1);
    // Run once, by the direct path: Apollo was handed its result to format, not asked to run it again.
    expect(compiledRuns).toBe(1);
    const parsed = JSON.parse(answer.body);
    expect(parsed.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(parsed.data.a.id).toBe('UGFydDo5');

    // Variables the compiled function will not take (PARTS is prepared above): graphql-js's refusal, Apollo's 400.
    const refused = await same({ body: body({ query: PARTS, variables: { ids: 10.5 } }) });
    expect(refused.answer.status).toBe(400);
    expect(refused.apollo).toBe(1);
  });

  it('picks the requested operation of a document with several, as Apollo does', async () => {
    const doc = 'query A { part(id: "3") { id } } query B { part(id: "4") { partNumber } }';
    await prepare({ body: body({ query: doc, operationName: 'B' }) });
    const b = await same({ body: body({ query: doc, operationName: 'B' }) });
    expect(b.apollo).toBe(0);
    expect(JSON.parse(b.answer.body).data.part.partNumber).toBeTruthy();
    // Another name of the same text is not prepared yet: Apollo answers it, and then it is compiled in turn.
    expect((await same({ body: body({ query: doc, operationName: 'A' }) })).apollo).toBe(1);
    // No name for a document of two operations: Apollo's refusal, every time.
    for (let i = 0; i < 3; i++) expect((await same({ body: body({ query: doc }) })).answer.status).toBe(400);
  });

  it('leaves to Apollo Server every request it would not take as it stands', async () => {
    const query = '{ part(id: "5") { id partNumber } }';
    await prepare({ body: body({ query }) });
    const cases: Array<Parameters<typeof send>[1]> = [
      // Persisted-query extensions, a GET, a text/plain body (CSRF prevention), a batch, variables as a string.
      { body: body({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }) },
      { method: 'GET', path: `/graphql?query=${encodeURIComponent(query)}` },
      { headers: { 'content-type': 'text/plain' }, body: body({ query }) },
      { body: JSON.stringify([{ query }]) },
      { body: body({ query, variables: '{}' }) },
      { body: body({ query, operationName: 7 }) },
    ];
    for (const c of cases) {
      const viaDirect = await send(direct, c);
      const viaApollo = await send(apollo, c);
      expect(viaDirect.answer).toEqual(viaApollo.answer);
      // Refused before Apollo by the HTTP adapter, or answered by Apollo: never by the direct path.
      expect(viaDirect.apollo).toBe(viaApollo.apollo);
    }
  });

  it('counts who answered, direct or Apollo Server, in crossdock_graphql_answers_total', async () => {
    const answers = async (gw: TestGateway) => {
      const text = await (await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': KEY } })).text();
      const count = (path: string) => Number(new RegExp(`^crossdock_graphql_answers_total\\{path="${path}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { direct: count('direct'), apollo: count('apollo') };
    };
    const counted = 'query Counted($ids: [ID!]!) { parts(ids: $ids) { id partNumber } }';
    await prepare({ body: body({ query: counted, variables: { ids: ['60'] } }) });
    const [d0, a0] = [await answers(direct), await answers(apollo)];
    for (const ids of [['61'], ['62', '63'], ['64']]) await same({ body: body({ query: counted, variables: { ids } }) });
    // With errors: run directly, answered by Apollo Server.
    await same({ body: body({ query: counted, variables: { ids: ['../x'] } }) });
    const [d1, a1] = [await answers(direct), await answers(apollo)];
    expect({ direct: d1.direct - d0.direct, apollo: d1.apollo - d0.apollo }).toEqual({ direct: 3, apollo: 1 });
    expect({ direct: a1.direct - a0.direct, apollo: a1.apollo - a0.apollo }).toEqual({ direct: 0, apollo: 4 });
    expect(a1.direct).toBe(0);
  });

  it('charges a client once per request and refuses a spent budget as Apollo does', async () => {
    const key = 'cdk_test_direct_small_0000000002';
    const env = { ...ENV, CROSSDOCK_API_KEYS: `small:viewer:${key}`, CLIENT_BUDGET_POINTS: '40' };
    const [d, a] = await Promise.all([startGateway(env), startGateway({ ...env, DIRECT_EXECUTION: 'false' })]);
    try {
      // Every request answers with data and an error (a malformed id): the direct path admits it, Apollo formats it.
      const query = 'query Charged($ids: [ID!]!, $bad: ID!) { parts(ids: $ids) { id partNumber price { amount } } bad: part(id: $bad) { id } }';
      const init = { headers: { 'x-api-key': key }, body: body({ query, variables: { ids: ['11', '12'], bad: '../etc' } }) };
      const seen: Array<{ status: number; remaining: string | undefined; apollo: number; compiledRuns: number }> = [];
      for (let i = 0; i < 12; i++) {
        const viaDirect = await send(d, init);
        const viaApollo = await send(a, init);
        expect(viaDirect.answer).toEqual(viaApollo.answer);
        seen.push({ status: viaDirect.answer.status, remaining: viaDirect.answer.remaining, apollo: viaDirect.apollo, compiledRuns: viaDirect.compiledRuns });
      }
      const refusedAt = seen.findIndex((s) => s.status === 429);
      expect(refusedAt).toBeGreaterThan(3);
      // Run by the direct path once prepared (the compiled function ran), answered by Apollo (errors);
      // a refusal is Apollo's limits plugin's answer, from the direct path's admission, and runs nothing.
      expect(seen.slice(2, refusedAt).every((s) => s.status === 200 && s.apollo === 1 && s.compiledRuns === 1)).toBe(true);
      expect(seen.slice(refusedAt).every((s) => s.status === 429 && s.apollo === 1 && s.compiledRuns === 0)).toBe(true);
      // The budget went down by the same cost each time, never twice for one request.
      const left = seen.slice(0, refusedAt).map((s) => Number(s.remaining));
      const steps = left.slice(1).map((r, i) => (left[i] as number) - r);
      expect(new Set(steps).size).toBe(1);
    } finally {
      await Promise.all([d.close(), a.close()]);
    }
  });
});
