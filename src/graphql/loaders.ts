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

/** The entity kinds a request reads through loaders. */
const LOADER_KINDS = ['part', 'partNumber', 'price', 'stock', 'productById', 'productBySku', 'storeStock', 'order', 'orderLines', 'erpItem', 'erpStock', 'vehicles'] as const satisfies ReadonlyArray<keyof Sources>;
export type LoaderKind = (typeof LOADER_KINDS)[number];
/** What a kind's source holds. */
export type LoaderValue<K extends LoaderKind> = Sources[K] extends EntitySource<infer V> ? V : never;

/**
 * Reads that answer at once from the in-process cache when they can: a
 * resolver that returns a value rather than a promise costs the executor no
 * promise, and costs no DataLoader at all (on the throughput benchmark's
 * warm 20-part query, the loaders' and resolvers' promises were a fifth of
 * what a request allocated).
 */
export interface ImmediateReads {
  /** The value now (EntitySource.peek), else the kind's loader's promise for it. */
  read<K extends LoaderKind>(kind: K, key: string): LoaderValue<K> | null | Promise<LoaderValue<K> | null>;
  /** Every value now when all are at hand, else the loader's `loadMany` (a value, null or the key's Error each). */
  readMany<K extends LoaderKind>(kind: K, keys: readonly string[]): Array<LoaderValue<K> | null> | Promise<Array<LoaderValue<K> | null | Error>>;
}

export type Loaders = { [K in keyof Sources]: Sources[K] extends EntitySource<infer V> ? DataLoader<string, V | null> : never } & ImmediateReads;

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

/**
 * A request's reads of one kind at hand, in order. While the source's
 * `changes` count stands where it stood at the first read, `peek` answers
 * each key as it did, so the list is only appended to (a map per kind per
 * request, filled with every key, was some 8 % of a warm 20-part query's
 * execution in process, 39 against 36 µs); an earlier answer is looked up
 * only when the count moved on or a key is no longer at hand. A source
 * without the count is looked up every time.
 */
class KindReads {
  private readonly keys: string[];
  private readonly values: unknown[];
  private byKey: Map<string, unknown> | undefined;
  constructor(
    /** The source's `changes` at the first read; undefined when it keeps none. */
    readonly changes: number | undefined,
    key: string,
    value: unknown,
  ) {
    this.keys = [key];
    this.values = [value];
  }

  add(key: string, value: unknown): void {
    if (this.byKey === undefined) {
      this.keys.push(key);
      this.values.push(value);
    } else if (!this.byKey.has(key)) this.byKey.set(key, value);
  }

  /** What the first read of `key` answered, undefined when none did. */
  earlier(key: string): unknown {
    if (this.byKey === undefined) {
      // From here on every read is looked up (the count moved on): index the list once, first answers first.
      this.byKey = new Map();
      for (let i = 0; i < this.keys.length; i++) {
        const k = this.keys[i] as string;
        if (!this.byKey.has(k)) this.byKey.set(k, this.values[i]);
      }
    }
    return this.byKey.get(key);
  }
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

/**
 * A request's loaders, each made when a resolver first asks for its kind: a
 * query reads two or three kinds, and making all twelve DataLoaders for every
 * request (and every subscription event) was work thrown away. The getters
 * are on the prototype, so a request allocates one small object up front.
 */
class RequestLoaders implements ImmediateReads {
  readonly made: Partial<Record<LoaderKind, DataLoader<string, unknown>>> = {};
  /**
   * What this request read at once, per kind: a key read again in the same
   * request answers the same value, as a DataLoader's memo would (KindReads).
   */
  private readonly seen: Partial<Record<LoaderKind, KindReads>> = {};
  constructor(
    readonly sources: Sources,
    readonly hints: CacheHints,
  ) {}

  private loader(kind: LoaderKind): DataLoader<string, unknown> {
    return (this as unknown as Record<LoaderKind, DataLoader<string, unknown>>)[kind];
  }

  /** The value at hand for a key (undefined: not at hand), remembered for the rest of the request. */
  private atHand(kind: LoaderKind, key: string): unknown {
    const source = this.sources[kind] as EntitySource<unknown>;
    const reads = this.seen[kind];
    // The cache changed since this request's first read of the kind (or keeps no count): what it read before stands.
    if (reads !== undefined && (reads.changes === undefined || reads.changes !== source.changes?.())) {
      const earlier = reads.earlier(key);
      if (earlier !== undefined) return earlier;
    }
    const value = source.peek?.(key);
    if (value === undefined) {
      // No longer at hand (past its TTL, evicted), yet read before: that answer stands too.
      return reads?.earlier(key);
    }
    if (reads === undefined) {
      this.hints.minTtlMs = Math.min(this.hints.minTtlMs, source.ttlMs);
      this.seen[kind] = new KindReads(source.changes?.(), key, value);
    } else reads.add(key, value);
    return value;
  }

  read<K extends LoaderKind>(kind: K, key: string): LoaderValue<K> | null | Promise<LoaderValue<K> | null> {
    const value = this.atHand(kind, key);
    if (value !== undefined) return value as LoaderValue<K> | null;
    return this.loader(kind).load(key) as Promise<LoaderValue<K> | null>;
  }

  readMany<K extends LoaderKind>(kind: K, keys: readonly string[]): Array<LoaderValue<K> | null> | Promise<Array<LoaderValue<K> | null | Error>> {
    const values = new Array<LoaderValue<K> | null>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = this.atHand(kind, keys[i] as string);
      // One not at hand: the loader reads them all (the rest are hits there too), in one batch.
      if (value === undefined) return this.loader(kind).loadMany(keys) as Promise<Array<LoaderValue<K> | null | Error>>;
      values[i] = value as LoaderValue<K> | null;
    }
    return values;
  }
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
