/**
 * `_entities(representations:)`: a supergraph router sends the keys of the
 * entities it needs from Crossdock, and each is resolved through the same
 * request-scoped loaders as the rest of the graph — 100 `Product`
 * representations by `sku` are one batched `sku:in` store call, 100 `Part`s
 * by `id` two multi calls of 50 (README, "What a query costs").
 *
 * Subgraph spec (https://www.apollographql.com/docs/graphos/reference/federation/subgraph-spec#resolve-requests-for-entities):
 * the answer is a list in the order of the representations, an entity or
 * null for each. Its items are nullable, so a representation that is not
 * one — not an object, no `__typename`, a type that is not an entity here,
 * no key field, a key value that is not a valid id or code — is a
 * BAD_USER_INPUT error for that item alone (with its `index`), and the
 * others still resolve. (@apollo/subgraph's own resolver throws for the
 * whole field on an unknown type, which fails every entity of the request.)
 */
import { isRecordId } from '../../domain/codes.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError, isGatewayError } from '../errors.js';
import { checkCode, parseId, parseOrderId } from '../ids.js';
import { orderByRef } from '../resolvers/orders.js';
import type { InventoryModel } from '../models.js';
import { ENTITY_KEYS, type EntityTypeName } from './subgraphSdl.js';

type KeyResolver = (value: string, ctx: GraphQLContext) => Promise<object | null> | object | null;

/** One resolver per `@key` of ENTITY_KEYS: a key's value → the entity, through the loaders. */
const REFERENCE_RESOLVERS: { [T in EntityTypeName]: Record<(typeof ENTITY_KEYS)[T][number], KeyResolver> } = {
  Part: {
    id: (id, ctx) => ctx.loaders.part.load(parseId('Part', id)),
    async partNumber(partNumber, ctx) {
      const id = await ctx.loaders.partNumber.load(checkCode('partNumber', partNumber));
      return id ? ctx.loaders.part.load(id) : null;
    },
  },
  Product: {
    id: (id, ctx) => ctx.loaders.productById.load(parseId('Product', id)),
    sku: (sku, ctx) => ctx.loaders.productBySku.load(checkCode('sku', sku)),
  },
  Inventory: {
    // Inventory is computed per SKU (merged supplier and store stock): every valid SKU has one.
    sku: (sku): InventoryModel => ({ sku: checkCode('sku', sku), supplierVariantId: undefined }),
  },
  Order: {
    // Either channel's: a store order by the store loader, a mirrored one from the mirror.
    id: (id, ctx) => orderByRef(parseOrderId(id), ctx),
  },
  SyncJob: {
    async id(id, ctx) {
      // Job records are live state, never kept in the whole-response cache (resolvers/sync.ts).
      ctx.hints.uncacheable = true;
      if (!isRecordId(id)) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'malformed SyncJob id', { argument: 'id' });
      return (await ctx.services.jobs.store.get(id)) ?? null;
    },
  },
};

/**
 * The type each resolved entity was asked for, for `_Entity`'s resolveType.
 * Resolved objects come from caches shared between requests, so they are
 * tagged here rather than given a `__typename` (as @apollo/subgraph does):
 * an object is only ever resolved as its own type, so a tag never goes stale.
 */
const entityTypes = new WeakMap<object, EntityTypeName>();

export function entityTypeOf(value: unknown): EntityTypeName | undefined {
  return typeof value === 'object' && value !== null ? entityTypes.get(value) : undefined;
}

function isEntityType(name: unknown): name is EntityTypeName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ENTITY_KEYS, name);
}

function invalid(index: number, message: string, extensions: Record<string, unknown> = {}): Error {
  return gatewayError(ErrorCode.BAD_USER_INPUT, `representations[${index}]: ${message}`, { argument: 'representations', index, ...extensions });
}

/** Which key a representation gives, and its value; an error when it is not a representation of an entity here. */
export function readRepresentation(representation: unknown, index: number): { type: EntityTypeName; key: string; value: string } | Error {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
    return invalid(index, 'a representation is an object with __typename and the fields of one @key');
  }
  const rep = representation as Record<string, unknown>;
  const type = rep.__typename;
  if (typeof type !== 'string') return invalid(index, 'a representation needs a __typename');
  if (!isEntityType(type)) {
    return invalid(index, `${type.slice(0, 64)} is not an entity of this subgraph (entities: ${Object.keys(ENTITY_KEYS).join(', ')})`, { typename: type.slice(0, 64) });
  }
  const keys: readonly string[] = ENTITY_KEYS[type];
  const key = keys.find((k) => rep[k] !== undefined && rep[k] !== null);
  if (key === undefined) return invalid(index, `a ${type} representation needs one of its keys: ${keys.join(', ')}`, { typename: type });
  const value = rep[key];
  if (typeof value !== 'string') return invalid(index, `${type}.${key} must be a string`, { typename: type });
  return { type, key, value };
}

/** One representation's entity (or null when there is none), tagged with its type; rejects with a typed error for that item only. */
async function resolveOne(representation: unknown, index: number, ctx: GraphQLContext): Promise<object | null> {
  const read = readRepresentation(representation, index);
  if (read instanceof Error) throw read;
  const resolvers: Readonly<Record<string, KeyResolver>> = REFERENCE_RESOLVERS[read.type];
  let entity: object | null;
  try {
    entity = await resolvers[read.key]!(read.value, ctx);
  } catch (err) {
    // A key value that is not a valid id or code (ids.ts): the same typed error, saying which representation.
    if (isGatewayError(err) && err.extensions?.code === ErrorCode.BAD_USER_INPUT) throw invalid(index, `${read.type}.${read.key}: ${err.message}`, { typename: read.type });
    throw err;
  }
  if (entity) entityTypes.set(entity, read.type);
  return entity;
}

/**
 * `Query._entities`: every representation is started at once (so the
 * loaders see all keys in one tick and batch them), each settling on its own.
 */
export function resolveEntities(representations: readonly unknown[], ctx: GraphQLContext): Array<Promise<object | null>> {
  return representations.map((rep, i) => resolveOne(rep, i, ctx));
}
