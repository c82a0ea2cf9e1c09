/**
 * Error floods (issue 10, finding 18). A document with ten repeated unknown
 * directives used to get ten validation errors back, and directives in
 * fragments no operation spreads escaped the directive limit (so 2,000 of
 * them were validated, for 101 errors). Now:
 *
 * - a request gets at most MAX_VALIDATION_ERRORS (5) validation errors, then
 *   one "too many" error, over HTTP, SSE and WebSocket alike;
 * - every directive in the document counts toward MAX_DIRECTIVES before
 *   validation runs, those of unused or shadowed fragments included, so a
 *   flood is QUERY_TOO_COMPLEX (`limit: directives`), never a validation pass.
 */
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';

type Errors = NonNullable<GqlBody['errors']>;
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});

const TEN = '{ __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }';

async function post(query: string): Promise<{ status: number; body: GqlBody }> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': gw.key },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as GqlBody };
}

async function sseErrors(query: string): Promise<Errors> {
  const res = await fetch(`${gw.url}/graphql/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': gw.key },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  const data = /event: next\ndata: (.*)\n/.exec(await res.text())?.[1];
  return data ? ((JSON.parse(data) as GqlBody).errors ?? []) : [];
}

async function wsErrors(query: string): Promise<Errors> {
  const client = createWsClient({ url: `${gw.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: gw.key }, retryAttempts: 0 });
  try {
    return await new Promise<Errors>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer over WebSocket')), 10_000);
      client.subscribe(
        { query },
        {
          next: () => undefined,
          error: (err) => {
            clearTimeout(timer);
            resolve(Array.isArray(err) ? (err as Errors) : [{ message: String(err) }]);
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

function expectCapped(errors: Errors) {
  expect(errors.length).toBeGreaterThan(1);
  expect(errors.length).toBeLessThanOrEqual(6);
  expect(errors.slice(0, -1).every((e) => /Unknown directive "@aa"/.test(e.message))).toBe(true);
  expect(errors[errors.length - 1]!.message).toMatch(/too many/i);
}

describe('validation errors per request are capped', () => {
  it('ten repeated unknown directives get a handful of errors and one "too many", over HTTP', async () => {
    const a = await post(TEN);
    expect(a.status).toBe(400);
    expectCapped(a.body.errors ?? []);
  });

  it('over SSE and WebSocket too', async () => {
    expectCapped(await sseErrors(TEN));
    expectCapped(await wsErrors(TEN));
  });

  it('a document with fewer errors than the cap gets all of them, and no "too many"', async () => {
    const a = await post('{ __typename @aa @bb }');
    expect(a.body.errors?.map((e) => e.message)).toEqual(['Unknown directive "@aa".', 'Unknown directive "@bb".']);
  });
});

describe('a repeated-directive flood is refused by the directive limit before validation', () => {
  const floods = {
    'in an operation': `{ __typename ${'@aa'.repeat(2_000)} }`,
    'in a fragment no operation spreads': `{ __typename } fragment Unused on Query ${'@aa'.repeat(2_000)} { __typename }`,
    'inside an unused fragment’s selection': `{ __typename } fragment Unused on Query { __typename ${'@aa'.repeat(2_000)} }`,
    'in a fragment shadowed by a second of the same name': `{ ...F } fragment F on Query { __typename ${'@aa'.repeat(2_000)} } fragment F on Query { __typename }`,
  };
  for (const [where, query] of Object.entries(floods)) {
    it(where, async () => {
      const a = await post(query);
      expect(a.status).toBe(400);
      expect(a.body.errors).toHaveLength(1);
      expect(a.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'directives', max: 50 });
    });
  }

  it('over SSE and WebSocket too', async () => {
    const query = floods['in a fragment no operation spreads'];
    for (const errors of [await sseErrors(query), await wsErrors(query)]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'directives' });
    }
  });
});
