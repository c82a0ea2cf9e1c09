/**
 * `crossdock schema [--federation]`: the SDL on stdout, from the schema
 * files alone (no gateway, no key), so a supergraph's CI can compose and
 * check Crossdock's subgraph before anything is deployed (README,
 * "Federation"). `--federation` prints what `_service { sdl }` answers with
 * FEDERATION=true; without it, the plain schema's SDL.
 */
import { parse, print } from 'graphql';
import { subgraphSdl } from '../graphql/federation/subgraphSdl.js';
import { loadTypeDefs } from '../graphql/schemaFiles.js';

export function printSchemaSdl(options: { federation: boolean }): string {
  const typeDefs = loadTypeDefs();
  const sdl = options.federation ? subgraphSdl(typeDefs) : print(parse(typeDefs.join('\n')));
  return sdl.endsWith('\n') ? sdl : `${sdl}\n`;
}
