/**
 * Apollo Server as the request pipeline, without a hook on every field
 * (issue 13): Apollo's cache-control plugin, installed by default, wraps
 * every resolver of the schema to compute field cache hints the gateway
 * never uses (its own hints are the entity TTLs, loaders.ts). It is off; the
 * one thing it sent, `Cache-Control: no-store` on every GraphQL answer, is
 * still sent (cacheHintsPlugin.ts), for executed, cached and refused answers.
 */
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const built = vi.hoisted(() => [] as GraphQLSchema[]);
vi.mock('../../src/graphql/schema.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/graphql/schema.js')>();
  return {
    ...original,
    buildSchema: (...args: Parameters<typeof original.buildSchema>) => {
      const schema = original.buildSchema(...args);
      built.push(schema);
      return schema;
    },
  };
});

const QUERY = 'query P($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount } storeProduct { sku } } }';

describe('the Apollo request pipeline', () => {
  let gw: TestGateway;
  /** Part's resolvers as the schema had them before any request. */
  let initial: Record<string, unknown>;
  const partFields = () => (built[0]!.getType('Part') as GraphQLObjectType).getFields();
  beforeAll(async () => {
    gw = await startGateway();
    expect(built).toHaveLength(1);
    initial = Object.fromEntries(Object.entries(partFields()).map(([name, f]) => [name, f.resolve]));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('sends Cache-Control: no-store on GraphQL answers, executed, cached and refused', async () => {
    const executed = await gw.gql(QUERY, { ids: ['1', '2', '3'] });
    expect(executed.status).toBe(200);
    expect(executed.body.errors).toBeUndefined();
    expect(executed.headers.get('cache-control')).toBe('no-store');
    const cached = await gw.gql(QUERY, { ids: ['1', '2', '3'] });
    expect(cached.body).toEqual(executed.body);
    expect(cached.headers.get('cache-control')).toBe('no-store');
    const invalid = await gw.gql('{ partz }');
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const failing = await gw.gql('{ part(id: "../x") { id } }');
    expect(failing.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(failing.headers.get('cache-control')).toBe('no-store');
  });

  it('runs the resolvers as written: no plugin wraps the fields of the schema', async () => {
    const res = await gw.gql(QUERY, { ids: ['4', '5'] });
    expect(res.body.errors).toBeUndefined();
    for (const [name, f] of Object.entries(partFields())) expect(f.resolve, `Part.${name}`).toBe(initial[name]);
    // Apollo marks a schema whose resolvers it wrapped (schemaInstrumentation.js, "apolloServerPluginsEnabled").
    expect(Object.getOwnPropertySymbols(built[0]!).map((s) => s.description)).not.toContain('apolloServerPluginsEnabled');
  });
});
