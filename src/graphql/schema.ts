/** Schema assembly: the SDL files in schema/ plus the resolvers. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';
import { guardSchema } from './guardSchema.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
}

export function buildSchema(): GraphQLSchema {
  // Roles and the mutation audit are part of the schema itself, so every transport gets them.
  return guardSchema(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never }));
}
