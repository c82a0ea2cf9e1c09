/**
 * Compiled execution (src/graphql/compiledExecution.ts, issue 13): a query
 * executed again runs as a graphql-jit compiled function, and answers what
 * graphql-js answered for it the first time — data, errors (codes, paths,
 * locations, masking), HTTP status — for the shapes the graph has: lists,
 * nested links, interfaces (node), fragments, aliases, directives, defaults,
 * field errors and null propagation, refused variables. Mutations are never
 * compiled. The response cache is off so that every answer executes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const compiles = vi.hoisted(() => ({ operations: [] as string[], answered: 0 }));
vi.mock('graphql-jit', async (importOriginal) => {
  const original = await importOriginal<typeof import('graphql-jit')>();
  return {
    ...original,
    compileQuery: (...args: Parameters<typeof original.compileQuery>) => {
      compiles.operations.push(String(args[2] ?? ''));
      const compiled = original.compileQuery(...args);
      if (!('query' in compiled)) return compiled;
      // Count the runs the compiled function answered itself (with data: no fallback to graphql-js).
      const query = compiled.query;
      compiled.query = async (...a: Parameters<typeof query>) => {
        const result = await query(...a);
        if (result.data !== undefined) compiles.answered++;
        return result;
      };
      return compiled;
    },
  };
});

async function post(gw: TestGateway, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': gw.key },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const CASES: Array<{ name: string; query: string; variables?: Record<string, unknown> }> = [
  {
    name: 'parts with prices and store products',
    query: 'query Parts($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount currency } storeProduct { sku price { amount } } } }',
    variables: { ids: ['1', '2', '3', '4', '5', '404404'] },
  },
  {
    name: 'aliases, fragments, __typename, directives and a default',
    query: `query Shaped($ids: [ID!]!, $withStock: Boolean = true, $skip: Boolean = false) {
      first: parts(ids: $ids) { ...P }
      again: parts(ids: $ids) { __typename n: partNumber ... on Part { description @skip(if: $skip) } supplierStock @include(if: $withStock) }
    }
    fragment P on Part { id variants { id price { amount } } inventory { sku available } }`,
    variables: { ids: ['6', '7'] },
  },
  {
    name: 'an interface (node) and a field error beside data',
    query: 'query Nodes($a: ID!, $b: ID!) { a: node(id: $a) { id ... on Part { partNumber } } b: part(id: $b) { id } }',
    variables: { a: 'UGFydDo4', b: '../etc' },
  },
  {
    name: 'drift and links back from the store',
    query: 'query Links($ids: [ID!]!) { parts(ids: $ids) { id drift { inSync fields { field expected actual } } storeProduct { supplierPart { id } inventory { storeQuantity } } } }',
    variables: { ids: ['9', '10', '11'] },
  },
];

describe('compiled execution', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ RESPONSE_CACHE: 'false' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers a repeated query from a compiled function exactly as graphql-js answered it', async () => {
    for (const c of CASES) {
      compiles.operations.length = 0;
      compiles.answered = 0;
      const body = { query: c.query, variables: c.variables };
      const first = await post(gw, body);
      expect(first.status, `${c.name}: ${first.text}`).toBe(200);
      expect(compiles.operations, `${c.name}: not compiled on its first run`).toEqual([]);
      const again = [await post(gw, body), await post(gw, body), await post(gw, body)];
      expect(compiles.operations, `${c.name}: compiled once, on its second run`).toHaveLength(1);
      expect(compiles.answered, `${c.name}: answered by the compiled function`).toBe(3);
      for (const a of again) {
        expect(a.status, c.name).toBe(first.status);
        expect(a.text, c.name).toBe(first.text);
      }
    }
  });

  it('keeps graphql-js\'s refusal of variables, word for word, on a compiled document', async () => {
    const query = 'query One($ids: [ID!]!, $n: Int) { parts(ids: $ids) { id } searchParts(first: $n) { totalCount } }';
    await post(gw, { query, variables: { ids: ['1'], n: 1 } });
    await post(gw, { query, variables: { ids: ['1'], n: 1 } });
    compiles.operations.length = 0;
    const refused = await post(gw, { query, variables: { ids: [null], n: 'many' } });
    expect(refused.status).toBe(400);
    const body = JSON.parse(refused.text) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e) => e.message)).toEqual([
      'Variable "$ids" got invalid value null at "ids[0]"; Expected non-nullable type "ID!" not to be null.',
      'Variable "$n" got invalid value "many"; Int cannot represent non-integer value: "many"',
    ]);
    expect(body.errors.every((e) => e.extensions.code === 'BAD_USER_INPUT')).toBe(true);
  });

  it('answers a request naming no operation of its document as graphql-js does (400), compiled or not', async () => {
    const query = 'query Known { parts(ids: ["1"]) { id } }';
    for (let i = 0; i < 3; i++) expect((await post(gw, { query, operationName: 'Known' })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await post(gw, { query, operationName: 'Nope' });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors[0]).toMatchObject({ message: 'Unknown operation named "Nope".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    }
  });

  it('never compiles a mutation', async () => {
    compiles.operations.length = 0;
    const mutation = 'mutation Cancel($id: ID!) { cancelSync(id: $id) { id } }';
    for (let i = 0; i < 3; i++) {
      const res = await post(gw, { query: mutation, variables: { id: 'no-such-job' } });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).errors?.[0]?.extensions?.code).toBeDefined();
    }
    expect(compiles.operations).toEqual([]);
  });
});
