/**
 * @apollo/subgraph's buildSubgraphSchema, loaded the first time a subgraph
 * schema is built (FEDERATION=true, `crossdock schema --federation`), not at
 * start: it brings @apollo/federation-internals (and uuid, semver,
 * @opentelemetry/api) with it — 1.5 MiB of RSS and 1.7 MiB of heap imported
 * beside the gateway's other packages, against issue 13's idle bound — for a
 * feature a gateway without FEDERATION never uses. The package is CommonJS, so `require` loads it synchronously: the
 * same module instance a static import would give (Node's ESM loader reads
 * a CommonJS module's exports from the same require cache).
 */
import { createRequire } from 'node:module';

type Subgraph = typeof import('@apollo/subgraph');

let subgraph: Subgraph | undefined;

export function buildSubgraphSchema(...args: Parameters<Subgraph['buildSubgraphSchema']>): ReturnType<Subgraph['buildSubgraphSchema']> {
  subgraph ??= createRequire(import.meta.url)('@apollo/subgraph') as Subgraph;
  return subgraph.buildSubgraphSchema(...args);
}
