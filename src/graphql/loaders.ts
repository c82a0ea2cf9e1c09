/**
 * Request-scoped DataLoaders over the shared sources: one GraphQL request
 * asks each source once per tick, with every key its fields need. Each load
 * records the entity's TTL (for the whole-response cache) and whether a
 * stale value was served (for `extensions.stale`).
 */
import DataLoader from 'dataloader';
import type { EntitySource } from '../cache/entityCache.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import { ErrorCode, gatewayError } from './errors.js';
import type { Sources } from './sources.js';

export interface CacheHints {
  /** Smallest TTL among the entities the response used. */
  minTtlMs: number;
  /** Some value was served stale because an upstream failed. */
  stale: boolean;
  /** The response reads live state (health, counters) and must not be cached. */
  uncacheable: boolean;
  /** Operation type, once resolved. */
  operation?: 'query' | 'mutation' | 'subscription';
  /** The response carries errors. */
  hadErrors?: boolean;
}

export function newCacheHints(maxTtlMs: number): CacheHints {
  return { minTtlMs: maxTtlMs, stale: false, uncacheable: false };
}

export type Loaders = { [K in keyof Sources]: Sources[K] extends EntitySource<infer V> ? DataLoader<string, V | null> : never };

/** Maps a connector failure to the code a client sees; the message never carries a URL or secret. */
export function toGatewayError(err: unknown): Error {
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case 'rateLimited':
        return gatewayError(ErrorCode.UPSTREAM_RATE_LIMITED, `${err.upstream} is at its request quota; try again shortly`, {
          upstream: err.upstream,
          retryAfterMs: err.retryInMs,
        });
      case 'rejected':
      case 'tooLarge':
        return gatewayError(ErrorCode.UPSTREAM_ERROR, err.message, { upstream: err.upstream });
      case 'unavailable':
      case 'timeout':
      case 'unauthorized':
        return gatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `${err.upstream} is unavailable`, { upstream: err.upstream });
      default: {
        const never: never = err.kind;
        return new Error(`unknown upstream error kind ${String(never)}`);
      }
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

function loaderFor<V>(source: EntitySource<V>, hints: CacheHints): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (keys) => {
    hints.minTtlMs = Math.min(hints.minTtlMs, source.ttlMs);
    const results = await source.loadMany(keys);
    return results.map((r) => {
      if (r instanceof Error) return toGatewayError(r);
      if (r.stale) hints.stale = true;
      return r.value;
    });
  });
}

/** The entity kinds a request reads through loaders. */
const LOADER_KINDS = ['part', 'partNumber', 'price', 'stock', 'productById', 'productBySku', 'storeStock', 'order', 'orderLines', 'erpItem', 'erpStock', 'vehicles'] as const satisfies ReadonlyArray<keyof Sources>;

/**
 * A request's loaders, each made when a resolver first asks for its kind: a
 * query reads two or three kinds, and making all twelve DataLoaders for every
 * request (and every subscription event) was work thrown away. The getters
 * are on the prototype, so a request allocates one small object up front.
 */
class RequestLoaders {
  readonly made: Partial<Record<(typeof LOADER_KINDS)[number], DataLoader<string, unknown>>> = {};
  constructor(
    readonly sources: Sources,
    readonly hints: CacheHints,
  ) {}
}
for (const kind of LOADER_KINDS) {
  Object.defineProperty(RequestLoaders.prototype, kind, {
    enumerable: true,
    get(this: RequestLoaders) {
      return (this.made[kind] ??= loaderFor(this.sources[kind] as EntitySource<unknown>, this.hints));
    },
  });
}

export function createLoaders(sources: Sources, hints: CacheHints): Loaders {
  return new RequestLoaders(sources, hints) as unknown as Loaders;
}
