/** Schema assembly: the SDL files in schema/ plus the resolvers; with `federation`, as a Federation v2 subgraph. */
import { buildSubgraphSchema } from './federation/subgraphSchema.js';
import { addResolversToSchema, makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema, GraphQLUnionType } from 'graphql';
import type { GraphQLContext } from './context.js';
import { entityTypeOf, resolveEntities } from './federation/entities.js';
import { subgraphDocument, subgraphSdl } from './federation/subgraphSdl.js';
import { resolvers } from './resolvers/index.js';
import { guardSchema } from './guardSchema.js';
import { loadTypeDefs } from './schemaFiles.js';

export { SCHEMA_DIR, loadTypeDefs } from './schemaFiles.js';

export interface SchemaOptions {
  /**
   * Serve the schema as a Federation v2 subgraph: `_service { sdl }` and
   * `_entities(representations:)` beside every other field (FEDERATION).
   * @default false
   */
  federation?: boolean;
}

/**
 * The subgraph: @apollo/subgraph builds the schema from the federated
 * document (directives, `_Any`, `_Entity`, `_service`, `_entities`); the
 * resolvers are added by @graphql-tools as for the plain schema, and the two
 * federation fields are Crossdock's own (federation/entities.ts).
 */
function buildSubgraph(typeDefs: string[]): GraphQLSchema {
  const schema = buildSubgraphSchema(subgraphDocument(typeDefs));
  addResolversToSchema({ schema, resolvers: resolvers as never, updateResolversInPlace: true });
  const sdl = subgraphSdl(typeDefs);
  const query = schema.getQueryType()!.getFields();
  query._service!.resolve = () => ({ sdl });
  query._entities!.resolve = (_root, args: { representations: readonly unknown[] }, ctx: GraphQLContext) => resolveEntities(args.representations, ctx);
  (schema.getType('_Entity') as GraphQLUnionType).resolveType = (value) => entityTypeOf(value);
  return schema;
}

export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const typeDefs = loadTypeDefs();
  const schema = options.federation ? buildSubgraph(typeDefs) : makeExecutableSchema({ typeDefs, resolvers: resolvers as never });
  // Roles and the mutation audit are part of the schema itself, so every transport (and `_entities`) gets them.
  return guardSchema(schema);
}
