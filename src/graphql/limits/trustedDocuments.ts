/**
 * Trusted documents: automatic persisted queries (APQ) and the production
 * safelist.
 *
 * APQ (Apollo's protocol: `extensions.persistedQuery.sha256Hash`, version 1)
 * is Apollo Server's own; this file gives it a bounded in-memory cache
 * (entries and bytes), so registrations cannot grow memory without bound.
 *
 * In safelist mode (TRUSTED_DOCUMENTS=safelist) only documents in
 * TRUSTED_DOCUMENTS_FILE run: by hash alone (the APQ cache is then the
 * safelist, read-only, so an unknown hash is PERSISTED_QUERY_NOT_FOUND and
 * nothing can be registered), or by sending the exact document (its SHA-256
 * must be in the list; anything else is QUERY_NOT_IN_SAFELIST). The file is
 * a JSON object `{ "<sha256 hex>": "<document>" }` (what
 * `npm run trusted-documents` writes), or Apollo's persisted query manifest
 * (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`);
 * every hash is checked against its document when the gateway starts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PersistedQueryOptions } from '@apollo/server';
import { LRUCache } from 'lru-cache';

/** Apollo's APQ cache interface (KeyValueCache<string>). */
export type ApqCache = NonNullable<PersistedQueryOptions['cache']>;

export interface TrustedDocuments {
  /** Whether a document with this SHA-256 (lower-case hex) is registered. */
  has(hash: string): boolean;
  get(hash: string): string | undefined;
  readonly size: number;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A safelist from `{ hash: document }` entries; every hash must be its document's SHA-256. */
export function createTrustedDocuments(entries: Record<string, string>): TrustedDocuments {
  const byHash = new Map<string, string>();
  for (const [hash, document] of Object.entries(entries)) {
    if (typeof document !== 'string' || document.trim() === '') throw new Error(`trusted document ${hash.slice(0, 80)} is not a non-empty string`);
    const actual = sha256Hex(document);
    if (hash.toLowerCase() !== actual) throw new Error(`trusted document ${hash.slice(0, 80)}: the key is not the SHA-256 of its document (it is ${actual})`);
    byHash.set(actual, document);
  }
  return {
    has: (hash) => byHash.has(hash.toLowerCase()),
    get: (hash) => byHash.get(hash.toLowerCase()),
    get size() {
      return byHash.size;
    },
  };
}

/** Reads TRUSTED_DOCUMENTS_FILE: a `{ hash: document }` object or an Apollo persisted query manifest. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`TRUSTED_DOCUMENTS_FILE cannot be read as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('TRUSTED_DOCUMENTS_FILE must hold a JSON object');
  const record = parsed as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    const operations = Array.isArray(record.operations) ? (record.operations as Array<{ id?: unknown; body?: unknown }>) : [];
    const entries: Record<string, string> = {};
    for (const op of operations) {
      if (typeof op.id !== 'string' || typeof op.body !== 'string') throw new Error('TRUSTED_DOCUMENTS_FILE: every manifest operation needs a string id and body');
      entries[op.id] = op.body;
    }
    return createTrustedDocuments(entries);
  }
  return createTrustedDocuments(record as Record<string, string>);
}

/** Apollo prefixes APQ keys (`apq:<hash>`). */
const hashOf = (key: string) => key.slice(key.lastIndexOf(':') + 1);

/** APQ's cache in safelist mode: the safelist, read-only. */
export function safelistApqCache(trusted: TrustedDocuments): ApqCache {
  return {
    get: async (key) => trusted.get(hashOf(key)),
    // Registering is not possible in safelist mode.
    set: async () => undefined,
    delete: async () => false,
  };
}

export interface ApqCacheOptions {
  /** Most documents kept. @default 1000 */
  maxEntries?: number;
  /** Most bytes of documents kept. @default 16 MiB */
  maxBytes?: number;
}

/** A bounded in-memory APQ cache (least recently used documents go first). */
export function createApqCache(options: ApqCacheOptions = {}): ApqCache {
  const lru = new LRUCache<string, string>({
    max: options.maxEntries ?? 1_000,
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (value, key) => Math.max(1, Buffer.byteLength(value) + key.length),
  });
  return {
    get: async (key) => lru.get(key),
    async set(key, value, setOptions) {
      const ttl = setOptions?.ttl;
      lru.set(key, value, typeof ttl === 'number' && ttl > 0 ? { ttl: ttl * 1000 } : undefined);
    },
    delete: async (key) => lru.delete(key),
  };
}
