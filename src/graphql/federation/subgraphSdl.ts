/**
 * Crossdock as a Federation v2 subgraph: which of its types are entities
 * (and by which keys), and the subgraph SDL a supergraph composes.
 *
 * The schema files (schema/*.graphql) stay plain GraphQL — codegen and the
 * standalone gateway read them — and the federation directives are applied
 * here, to their parsed document, only when the subgraph is asked for
 * (FEDERATION=true, or `crossdock schema --federation`).
 *
 * - Federation v2 subgraph spec (https://www.apollographql.com/docs/graphos/reference/federation/subgraph-spec):
 *   a subgraph links the federation spec with `@link` and serves
 *   `_service { sdl }` and `_entities(representations:)`.
 * - `@key(fields:)` names the fields that identify an entity; a type may
 *   have several keys (https://www.apollographql.com/docs/graphos/reference/federation/directives#key).
 * - `@shareable` lets several subgraphs resolve the same value type; Relay's
 *   PageInfo and a Money pair are defined by many services of a company graph.
 * - Subscriptions stay on Crossdock's own endpoints (SSE at /graphql/stream,
 *   graphql-ws on /graphql): the SDL given to the supergraph leaves the
 *   Subscription type out, so a router never plans one through the subgraph.
 */
import { buildSubgraphSchema } from './subgraphSchema.js';
import { Kind, parse, type ConstDirectiveNode, type DefinitionNode, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { loadTypeDefs } from '../schemaFiles.js';

/** The version of the federation spec the subgraph links (v2.3: @key, @shareable, @inaccessible; understood by Apollo Router, @apollo/gateway, Hive Gateway, Cosmo). */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.3';

/** Entity type → its keys, each a `@key(fields:)` selection. Each key has a reference resolver in entities.ts. */
export const ENTITY_KEYS = {
  Part: ['id', 'partNumber'],
  Product: ['id', 'sku'],
  Inventory: ['sku'],
  Order: ['id'],
  SyncJob: ['id'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type EntityTypeName = keyof typeof ENTITY_KEYS;

export const ENTITY_TYPES = Object.keys(ENTITY_KEYS) as EntityTypeName[];

/** Value types other subgraphs commonly define the same way. */
export const SHAREABLE_TYPES: readonly string[] = ['PageInfo', 'Money'];

const directive = (name: string, args: Record<string, string> = {}): ConstDirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: name },
  arguments: Object.entries(args).map(([arg, value]) => ({
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: arg },
    value: { kind: Kind.STRING, value },
  })),
});

const LINK = parse(`extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key", "@shareable"])`).definitions;

function isSubscriptionDefinition(def: DefinitionNode): boolean {
  return (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === 'Subscription';
}

/**
 * The schema files as a subgraph document: `@link` to the federation spec,
 * `@key`s on the entities, `@shareable` on the shared value types.
 * `withSubscriptions: false` leaves the Subscription type out (the SDL a
 * supergraph composes).
 */
export function subgraphDocument(typeDefs: readonly string[] = loadTypeDefs(), options: { withSubscriptions?: boolean } = {}): DocumentNode {
  const keys: Readonly<Record<string, readonly string[]>> = ENTITY_KEYS;
  const definitions = parse(typeDefs.join('\n')).definitions
    .filter((def) => options.withSubscriptions !== false || !isSubscriptionDefinition(def))
    .map((def): DefinitionNode => {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION) return def;
      const added = [
        ...(keys[def.name.value] ?? []).map((fields) => directive('key', { fields })),
        ...(SHAREABLE_TYPES.includes(def.name.value) ? [directive('shareable')] : []),
      ];
      return added.length ? { ...def, directives: [...(def.directives ?? []), ...added] } : def;
    });
  return { kind: Kind.DOCUMENT, definitions: [...LINK, ...definitions] };
}

/** What @apollo/subgraph's `_service` resolver answers: the SDL as federation prints it. */
export function serviceSdl(schema: GraphQLSchema): string {
  const resolve = schema.getQueryType()?.getFields()._service?.resolve as GraphQLFieldResolver<unknown, unknown> | undefined;
  const answer = resolve?.(undefined, {}, undefined, undefined as never) as { sdl?: unknown } | undefined;
  if (typeof answer?.sdl !== 'string') throw new Error('the subgraph schema has no _service { sdl }');
  return answer.sdl;
}

/**
 * The subgraph SDL a supergraph composes (`_service { sdl }`, and
 * `crossdock schema --federation`): Query, Mutation and the entities, no
 * Subscription. Built without resolvers: it is the schema files' SDL only.
 */
export function subgraphSdl(typeDefs: readonly string[] = loadTypeDefs()): string {
  return serviceSdl(buildSubgraphSchema(subgraphDocument(typeDefs, { withSubscriptions: false })));
}
