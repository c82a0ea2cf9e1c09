/**
 * `_entities` and `_service` under the same roles as the rest of the graph.
 *
 * - Entity fields reached through `_entities` pass the access policy's
 *   field guards (guardSchema.ts) exactly as through `product(sku:)`. No
 *   entity field is restricted in today's policy, so this file adds one —
 *   `Product.price` for operators — through the policy module's own lookup,
 *   and checks a viewer's key gets FORBIDDEN for it through `_entities`
 *   while an operator's reads it: a subgraph path that skipped the guards
 *   (a schema rebuilt after guardSchema ran) would hand the viewer the price.
 * - `_service { sdl }` is the schema in full, so it follows the
 *   introspection rule: with INTROSPECTION=false only INTROSPECTION_ROLES
 *   read it (403 INTROSPECTION_DISABLED, nothing resolved).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { catalogParts } from '../support/syncedCatalog.js';

vi.mock('../../src/auth/accessPolicy.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/accessPolicy.js')>();
  return {
    ...original,
    requiredRole: (type: string, field: string, isMutation?: boolean) => (type === 'Product' && field === 'price' ? 'operator' : original.requiredRole(type, field, isMutation)),
  };
});

const keyOf = () => randomBytes(18).toString('base64url');
const VIEWER = keyOf();
const OPERATOR = keyOf();
const ADMIN = keyOf();
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway(
    { FEDERATION: 'true', INTROSPECTION: 'false', INTROSPECTION_ROLES: 'admin', CROSSDOCK_API_KEYS: `router:viewer:${VIEWER},ops:operator:${OPERATOR},root:admin:${ADMIN}` },
    { parts: 100, bigcommerce: { storeShare: 1 } },
  );
});
afterAll(async () => gw?.close());

const ENTITY_PRICE = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { sku price { amount } } } }`;

describe('roles through _entities', () => {
  it("a viewer's key cannot read through _entities a field a viewer cannot read; an operator's can", async () => {
    const skus = catalogParts(100, 42, 3).map((p) => p.partNumber);
    const representations = skus.map((sku) => ({ __typename: 'Product', sku }));

    const viewer = await gw.gql<GqlBody & { data: { _entities: Array<{ sku: string; price: unknown } | null> } }>(ENTITY_PRICE, { representations }, { 'x-api-key': VIEWER });
    expect(viewer.status).toBe(200);
    expect(viewer.body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual(skus.map((_, i) => ['FORBIDDEN', ['_entities', i, 'price']]));
    expect(viewer.body.errors?.[0]?.extensions?.requiredRole).toBe('operator');
    expect(viewer.body.data._entities.map((e) => e?.price ?? null)).toEqual([null, null, null]);

    // The same field through the ordinary query is refused alike: one policy.
    const direct = await gw.gql(`{ product(sku: "${skus[0]}") { price { amount } } }`, undefined, { 'x-api-key': VIEWER });
    expect(direct.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const operator = await gw.gql<GqlBody & { data: { _entities: Array<{ sku: string; price: { amount: string } } | null> } }>(ENTITY_PRICE, { representations }, { 'x-api-key': OPERATOR });
    expect(operator.body.errors).toBeUndefined();
    expect(operator.body.data._entities.map((e) => e?.sku)).toEqual(skus);
    for (const e of operator.body.data._entities) expect(e?.price?.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('_service { sdl } follows the introspection rule: refused to a viewer with INTROSPECTION=false, served to INTROSPECTION_ROLES', async () => {
    const viewer = await gw.gql('{ _service { sdl } }', undefined, { 'x-api-key': VIEWER });
    expect(viewer.status).toBe(403);
    expect(viewer.body.data ?? null).toBeNull();
    expect(viewer.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED' });
    // Hidden behind a fragment or an alias, it is still introspection.
    const hidden = await gw.gql('query { ...S } fragment S on Query { s: _service { sdl } }', undefined, { 'x-api-key': VIEWER });
    expect(hidden.status).toBe(403);

    const admin = await gw.gql<{ data: { _service: { sdl: string } } }>('{ _service { sdl } }', undefined, { 'x-api-key': ADMIN });
    expect(admin.status).toBe(200);
    expect(admin.body.data._service.sdl).toContain('@key(fields: "sku")');
  });
});
