/**
 * The cost model, the document shape limits and the client budgets, on their
 * own: the README's numbers, fragments (expanded, memoised, cycles ignored),
 * variables and defaults, and the budget arithmetic behind the RateLimit
 * fields.
 */
import { createRequire } from 'node:module';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { createClientBudgets, type BudgetLimiterOptions } from '../../src/limits/clientBudgets.js';
import { costVariablesKey, memoizedCost } from '../../src/graphql/limits/costMemo.js';
import { estimateCost } from '../../src/graphql/limits/queryCost.js';
import { checkTokens, measureDocument, usesIntrospection } from '../../src/graphql/limits/queryLimits.js';
import { buildSchema } from '../../src/graphql/schema.js';
import { loadConfig } from '../../src/config.js';

// graphql's CommonJS build, the one the schema is built with.
const { parse, getIntrospectionQuery } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = buildSchema();
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) => estimateCost(schema, parse(query), { variables, operationName });

describe('estimateCost', () => {
  it('charges the operation base, object fields and upstream-reaching fields; scalars and __typename are free', () => {
    expect(cost('{ __typename }')).toBe(1);
    expect(cost('{ part(id: "2") { id partNumber } }')).toBe(2);
    // storeProduct 2, its price (an object) 1, inventory 3, drift 4 (the store, the supplier and the ERP's stock).
    expect(cost('{ part(id: "2") { storeProduct { sku price { amount } } inventory { available } drift { inSync } } }')).toBe(1 + 1 + 2 + 1 + 3 + 4);
    expect(cost('mutation { startSync(input: { kind: CATALOG }) { job { id status } } }')).toBe(12);
    expect(cost('subscription { syncJobs { id } }')).toBe(11);
  });

  it('multiplies lists by first, by ids/skus lengths (variables resolved), by a known bound, or by 10', () => {
    const ids = Array.from({ length: 250 }, (_, i) => String(i));
    expect(cost('query($ids: [ID!]!) { parts(ids: $ids) { id } }', { ids })).toBe(1 + 250);
    expect(cost('{ inventory(skus: ["a", "b", "c"]) { sku } }')).toBe(1 + 3);
    // A connection's first sizes its edges; totalCount and pageInfo are not multiplied.
    expect(cost('{ searchParts(first: 5) { totalCount pageInfo { hasNextPage } edges { node { id } } } }')).toBe(1 + 1 + 1 + 5 * 2);
    // No first: the schema default (25); from a variable and from a variable's default.
    expect(cost('{ searchParts { edges { node { id } } } }')).toBe(2 + 25 * 2);
    expect(cost('query($n: Int) { searchParts(first: $n) { edges { node { id } } } }', { n: 7 })).toBe(2 + 7 * 2);
    expect(cost('query($n: Int = 3) { searchParts(first: $n) { edges { node { id } } } }')).toBe(2 + 3 * 2);
    // filter.ids bounds products below first.
    expect(cost('{ products(first: 100, filter: { ids: ["1", "2"] }) { edges { node { id } } } }')).toBe(2 + 2 * 2);
    // Known bound: Drift.fields is at most 4; unbounded lists count 10.
    expect(cost('{ part(id: "1") { drift { fields { field } } variants { id } } }')).toBe(1 + 1 + 4 + 4 * 1 + 10 * 1);
  });

  it('expands fragments (inline and named), ignores cycles, and introspection costs 1 whole', () => {
    expect(cost('{ part(id: "1") { ...P } } fragment P on Part { storeProduct { sku } ... on Part { inventory { available } } }')).toBe(1 + 1 + 2 + 3);
    // A cycle (invalid anyway) adds nothing rather than looping.
    expect(cost('{ part(id: "1") { ...A } } fragment A on Part { storeProduct { supplierPart { ...A } } }')).toBe(1 + 1 + 2 + 3);
    expect(cost(getIntrospectionQuery())).toBe(2);
    expect(cost('{ a: part(id: "1") { id } b: part(id: "2") { id } }', undefined)).toBe(3);
    expect(cost('query A { __typename } query B { part(id: "1") { id } }', undefined, 'B')).toBe(2);
    expect(cost('query A { __typename } query B { part(id: "1") { id } }')).toBe(0);
  });
});

describe('estimateCost follows the upstream calls a field can cause (issue 10, finding 16)', () => {
  const skus = Array.from({ length: 250 }, (_, i) => `SKU-${i}`);

  it('a filtered orders { totalCount } is charged the pages counting it reads', () => {
    // The listing (1), and counting a filtered set: up to 20 pages of 250 (orders.ts).
    expect(cost('{ orders(filter: { statusId: 11 }) { totalCount } }')).toBe(1 + 1 + 20);
    expect(cost('query($f: OrderFilter) { orders(filter: $f) { totalCount } }', { f: { updatedSince: '2026-01-01T00:00:00Z' } })).toBe(1 + 1 + 20);
    // Unfiltered, the count is one call; without totalCount, none.
    expect(cost('{ orders { totalCount } }')).toBe(1 + 1 + 1);
    expect(cost('{ orders(filter: { statusId: 11 }) { pageInfo { hasNextPage } } }')).toBe(1 + 1 + 1);
  });

  it('inventory(skus) reading supplier stock is charged a supplier lookup per SKU, once however many fields share it', () => {
    // Per SKU: the Inventory object (1) and the lookup by part number its supplier stock needs (3).
    expect(cost('query($s: [String!]!) { inventory(skus: $s) { supplierQuantity } }', { s: skus })).toBe(1 + 250 * (1 + 3));
    expect(cost('query($s: [String!]!) { inventory(skus: $s) { supplierQuantity available inStock } }', { s: skus })).toBe(1 + 250 * (1 + 3));
    expect(cost('query($s: [String!]!) { inventory(skus: $s) { ...S } } fragment S on Inventory { available }', { s: skus })).toBe(1 + 250 * (1 + 3));
    // Store stock alone is one batched read per 250 SKUs: no lookup.
    expect(cost('query($s: [String!]!) { inventory(skus: $s) { sku storeQuantity } }', { s: skus })).toBe(1 + 250);
  });

  it('a line’s supplier part is a lookup by part number, like Product.supplierPart', () => {
    expect(cost('{ order(id: "1") { lines { part { id } } } }')).toBe(1 + 1 + 10 * (2 + 3));
  });
});

describe('document shape', () => {
  it('counts depth (leaf included), every alias and every directive, fragments expanded', () => {
    expect(measureDocument(parse('{ a: __typename b: __typename }'))).toEqual({ depth: 1, aliases: 2, directives: 0 });
    const doc = parse('query Q @x { ...F ...F } fragment F on Query @y { p: part(id: "1") @include(if: true) { id } }');
    expect(measureDocument(doc)).toEqual({ depth: 2, aliases: 2, directives: 1 + 2 * 2 });
    // A fragment no operation reaches is still validated: it counts once (issue 10, finding 18).
    expect(measureDocument(parse('{ __typename } fragment U on Query @x { a: __typename @y @z }'))).toEqual({ depth: 1, aliases: 1, directives: 3 });
    expect(measureDocument(parse('{ ...F } fragment F on Query { __typename @x @y } fragment F on Query { __typename }')).directives).toBe(2);
    // The standard introspection query fits the default depth of 15.
    expect(measureDocument(parse(getIntrospectionQuery())).depth).toBe(15);
  });

  it('stays fast on a fragment tree that doubles at every level', () => {
    const levels = 60;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { a${i}: __typename ...F${i + 1} ...F${i + 1} }`).join(' ');
    const doc = parse(`{ ...F0 } ${fragments} fragment F${levels} on Query { __typename }`);
    const started = Date.now();
    const shape = measureDocument(doc);
    expect(Date.now() - started).toBeLessThan(100);
    expect(shape.aliases).toBeGreaterThan(1e15);
    expect(cost(`{ ...F0 } ${fragments} fragment F${levels} on Query { __typename }`)).toBe(1);
  });

  it('counts tokens as graphql does, stopping past the limit', () => {
    expect(checkTokens('{ a b c }', 5)).toBeUndefined();
    expect(checkTokens('{ a b c d e }', 5)).toMatchObject({ limit: 'tokens', max: 5 });
    expect(checkTokens('# only a comment\n{ a }', 3)).toBeUndefined();
  });

  it('knows introspection from __typename', () => {
    const op = (q: string) => {
      const d = parse(q);
      return usesIntrospection(d, d.definitions.find((x) => x.kind === 'OperationDefinition') as never);
    };
    expect(op('{ __typename }')).toBe(false);
    expect(op('{ __type(name: "Part") { name } }')).toBe(true);
    expect(op('{ ...F } fragment F on Query { __schema { queryType { name } } }')).toBe(true);
  });
});

describe('createClientBudgets', () => {
  it('spends per client, refuses without spending, reports in the IETF fields, and builds its limiter through the factory', async () => {
    const made: BudgetLimiterOptions[] = [];
    const budgets = createClientBudgets({
      points: 10,
      windowSeconds: 60,
      overrides: { big: 100 },
      createLimiter: (o) => {
        made.push(o);
        return new RateLimiterMemory(o);
      },
    });
    expect(made).toEqual([{ keyPrefix: 'crossdock-client-budget', points: 100, duration: 60 }]);
    const a = await budgets.charge('small', 7);
    expect(a).toMatchObject({ allowed: true, limit: 10, remaining: 3 });
    expect(budgets.headers(a)).toEqual({ 'ratelimit-policy': '"budget";q=10;w=60', ratelimit: `"budget";r=3;t=${a.resetSeconds}` });
    const refused = await budgets.charge('small', 4);
    expect(refused).toMatchObject({ allowed: false, remaining: 3 });
    expect(budgets.headers(refused)['retry-after']).toMatch(/^\d+$/);
    expect(await budgets.peek('small')).toMatchObject({ remaining: 3 });
    expect(await budgets.charge('small', 3)).toMatchObject({ allowed: true, remaining: 0 });
    // Another client, and one with an override, are unaffected.
    expect(await budgets.charge('other', 10)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await budgets.charge('big', 60)).toMatchObject({ allowed: true, limit: 100, remaining: 40 });
    expect(budgets.headers(await budgets.peek('nobody'))).toEqual({ 'ratelimit-policy': '"budget";q=10;w=60', ratelimit: '"budget";r=10;t=60' });
  });
});

describe('limits configuration', () => {
  it('has the documented defaults, and production turns introspection and suggestions off', () => {
    const dev = loadConfig({}).limits;
    expect(dev).toMatchObject({
      budgets: { points: 1000, windowSeconds: 900, overrides: {} },
      maxDepth: 15,
      maxAliases: 30,
      maxDirectives: 50,
      maxTokens: 5000,
      maxCost: 5000,
      maxBodyBytes: 102_400,
      introspection: { enabled: true, roles: ['admin'] },
      fieldSuggestions: true,
      corsOrigins: [],
      compression: true,
      apq: { enabled: true, maxEntries: 1000 },
      trustedDocuments: { mode: 'off' },
    });
    const prod = loadConfig({
      CROSSDOCK_MODE: 'production',
      CROSSDOCK_API_KEYS: 'a:admin:aaaaaaaaaaaaaaaaaaaa',
      FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
      FINDITPARTS_API_KEY: 'k',
      BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
      BIGCOMMERCE_ACCESS_TOKEN: 't',
    }).limits;
    expect(prod).toMatchObject({ introspection: { enabled: false, roles: ['admin'] }, fieldSuggestions: false });
  });

  it('parses overrides and lists, and names bad values', () => {
    const c = loadConfig({ CLIENT_BUDGETS: '{"shop": 5000}', CORS_ORIGINS: 'https://shop.example/, http://localhost:5173', INTROSPECTION_ROLES: 'operator,admin' }).limits;
    expect(c.budgets.overrides).toEqual({ shop: 5000 });
    expect(c.corsOrigins).toEqual(['https://shop.example', 'http://localhost:5173']);
    expect(c.introspection.roles).toEqual(['operator', 'admin']);
    expect(() => loadConfig({ CLIENT_BUDGETS: '{"shop": -1}' })).toThrow(/CLIENT_BUDGETS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ INTROSPECTION_ROLES: 'root' })).toThrow(/INTROSPECTION_ROLES/);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'safelist' })).toThrow(/TRUSTED_DOCUMENTS_FILE/);
  });
});

describe('estimateCost reads string and enum literals as the values they are', () => {
  // Found with the federation work: valueOf() turned every string literal into undefined, so a
  // filter or cursor written inline was priced as if absent while the same value in a variable was not.
  it('a literal updatedSince filter and a literal after cursor cost what the same values as variables cost', () => {
    const f = { updatedSince: '2026-01-01T00:00:00Z' };
    expect(cost('{ orders(filter: { updatedSince: "2026-01-01T00:00:00Z" }) { totalCount } }')).toBe(cost('query($f: OrderFilter) { orders(filter: $f) { totalCount } }', { f }));
    expect(cost('{ orders(after: "MjU=") { edges { node { id } } } }')).toBe(cost('query($a: String) { orders(after: $a) { edges { node { id } } } }', { a: 'MjU=' }));
  });
});

describe('estimateCost of a federation subgraph: _entities per representation, _service as introspection', () => {
  const subgraph = buildSchema({ federation: true });
  const subgraphCost = (query: string, variables?: Record<string, unknown>) => estimateCost(subgraph, parse(query), { variables });
  const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { sku inventory { available } } ... on Part { partNumber storeProduct { sku } } ... on Inventory { available } } }`;
  const products = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'Product', sku: `SKU-${i}` }));

  it('100 Products by sku cost what 100 product(sku:) fields with the same selection cost', () => {
    const aliased = `{ ${Array.from({ length: 100 }, (_, i) => `p${i}: product(sku: "SKU-${i}") { sku inventory { available } }`).join(' ')} }`;
    expect(subgraphCost(ENTITIES, { r: products(100) })).toBe(1 + 100 * (1 + 3));
    expect(subgraphCost(ENTITIES, { r: products(100) })).toBe(subgraphCost(aliased));
  });

  it("charges each representation its own type's selection and key: a Part by part number is a supplier lookup, Inventory reading supplier stock one too", () => {
    expect(subgraphCost(ENTITIES, { r: [{ __typename: 'Part', id: 'UGFydDox' }] })).toBe(1 + 1 + 2);
    expect(subgraphCost(ENTITIES, { r: [{ __typename: 'Part', partNumber: 'A1' }] })).toBe(1 + 1 + 3 + 2);
    expect(subgraphCost(ENTITIES, { r: [{ __typename: 'Inventory', sku: 'A1' }] })).toBe(1 + 1 + 3);
    expect(subgraphCost('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Inventory { sku storeQuantity } } }', { r: [{ __typename: 'Inventory', sku: 'A1' }] })).toBe(1 + 1);
    // Mixed: each counted once with its own fragment, not every fragment for every entity.
    expect(subgraphCost(ENTITIES, { r: [...products(2), { __typename: 'Inventory', sku: 'A1' }] })).toBe(1 + 2 * 4 + 4);
    // Named fragments and a literal list count the same.
    expect(subgraphCost('{ _entities(representations: [{ __typename: "Product", sku: "A" }]) { ...F } } fragment F on Product { inventory { available } }')).toBe(1 + 1 + 3);
  });

  it('a representation that is not one costs the object field alone; _service { sdl } costs 1 as introspection does', () => {
    expect(subgraphCost(ENTITIES, { r: ['x', { sku: 'A' }, { __typename: 'Review', id: '1' }] })).toBe(1 + 3);
    expect(subgraphCost('{ _service { sdl } }')).toBe(2);
  });

  it('reading _service is introspection for the roles check', () => {
    const doc = parse('query { ...S } fragment S on Query { _service { sdl } }');
    expect(usesIntrospection(doc, doc.definitions[0] as never)).toBe(true);
    const plainDoc = parse('{ part(id: "1") { id } }');
    expect(usesIntrospection(plainDoc, plainDoc.definitions[0] as never)).toBe(false);
  });
});

describe('memoizedCost: an estimate kept per document, under what of the variables it depends on', () => {
  const PARTS = parse('query($ids: [ID!]!) { parts(ids: $ids) { id price { amount } storeProduct { sku } } }');
  const ORDERS = parse('query($f: OrderFilter, $after: String) { orders(filter: $f, after: $after, first: 5) { totalCount edges { node { id } } } }');
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));

  it('answers what estimateCost answers, for any ids of one length, and again for another length', () => {
    const memo = memoizedCost(schema);
    for (const vars of [{ ids: ids(20) }, { ids: ids(20, 500) }, { ids: ids(30) }, { ids: ids(20, 7) }, { ids: [] }, { ids: '5' }]) {
      expect(memo(PARTS, null, vars), JSON.stringify(vars)).toBe(estimateCost(schema, PARTS, { variables: vars }));
    }
    expect(memo(PARTS, null, { ids: ids(20) })).not.toBe(memo(PARTS, null, { ids: ids(30) }));
  });

  it('keeps every value a rule reads: a filter\'s fields, a cursor, entities\' representations', () => {
    const memo = memoizedCost(schema);
    for (const vars of [{ f: { channel: 'SHOPIFY' } }, { f: { channel: 'BIGCOMMERCE' } }, { f: { status: ['PENDING'] } }, { f: null }, { f: null, after: 'YXJyYXljb25uZWN0aW9uOjQ=' }]) {
      expect(memo(ORDERS, null, vars), JSON.stringify(vars)).toBe(estimateCost(schema, ORDERS, { variables: vars }));
    }
    const subgraph = buildSchema({ federation: true });
    const entities = parse('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Part { partNumber storeProduct { sku } } } }');
    const memoSub = memoizedCost(subgraph);
    const byId = { r: [{ __typename: 'Part', id: 'UGFydDox' }] };
    const byNumber = { r: [{ __typename: 'Part', partNumber: 'A1' }] };
    expect(memoSub(entities, null, byId)).toBe(estimateCost(subgraph, entities, { variables: byId }));
    expect(memoSub(entities, null, byNumber)).toBe(estimateCost(subgraph, entities, { variables: byNumber }));
    expect(memoSub(entities, null, byNumber)).not.toBe(memoSub(entities, null, byId));
  });

  it('keys a list of scalars by its length only, and nothing else can look like one', () => {
    expect(costVariablesKey({ ids: ['1', '2'] })).toBe(costVariablesKey({ ids: ['9', '8'] }));
    expect(costVariablesKey({ ids: ['1', '2'] })).not.toBe(costVariablesKey({ ids: ['1'] }));
    // A list of one 2 is a list of length 1; a string is never a list.
    expect(costVariablesKey({ ids: [2] })).not.toBe(costVariablesKey({ ids: ['1', '2'] }));
    expect(costVariablesKey({ ids: '[2]' })).not.toBe(costVariablesKey({ ids: ['1', '2'] }));
    expect(costVariablesKey({ r: [{ a: 1 }] })).not.toBe(costVariablesKey({ r: [{ a: 2 }] }));
  });

  it('stays right past its bound per document', () => {
    const memo = memoizedCost(schema);
    for (let n = 1; n <= 600; n++) expect(memo(PARTS, null, { ids: ids(n) })).toBe(estimateCost(schema, PARTS, { variables: { ids: ids(n) } }));
    expect(memo(PARTS, null, { ids: ids(600) })).toBeGreaterThan(memo(PARTS, null, { ids: ids(1) }));
  });
});

describe('costVariablesKey', () => {
  it('is JSON.stringify with every list of scalars as [its length], at any depth', () => {
    const reference = (v: Record<string, unknown>) =>
      JSON.stringify(v, (_k, x: unknown) => (Array.isArray(x) && x.every((y) => y === null || typeof y !== 'object') ? [x.length] : x));
    const cases: Array<Record<string, unknown>> = [
      {},
      { ids: ['1', '2', '3'] },
      { ids: [], n: 5, s: 'x"y', b: true, z: null, u: undefined },
      { f: { channel: 'SHOPIFY', skus: ['A', 'B'], nested: { list: [1, 2, 3] } }, after: 'YQ==' },
      { r: [{ __typename: 'Part', id: '1' }, { __typename: 'Part', ids: ['1', '2'] }] },
      { mixed: [1, { a: 1 }], 'odd name': [[1, 2], [3]] },
    ];
    for (const v of cases) expect(costVariablesKey(v), JSON.stringify(v)).toBe(reference(v));
    expect(costVariablesKey(null)).toBe('{}');
  });
});
