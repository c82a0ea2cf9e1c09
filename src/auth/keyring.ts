/**
 * API keys → clients. A client may hold several keys (rotation with overlap);
 * a key may be limited to networks (CIDRs) and may expire. Keys are held only
 * as SHA-256 digests and looked up by digest, so checking a key takes the same
 * time whatever its content: there is no byte-by-byte comparison to exit
 * early on. What audit, budgets and metrics see is the client and a key id (a
 * short hash of the key), never the key.
 *
 * The set of keys can be replaced while requests run (`replace`, after the
 * keys file changed or on SIGHUP): a request checks against the set it found,
 * and the swap is one assignment, so none fails during a reload.
 */
import { createHash, hash, randomBytes } from 'node:crypto';
import type { ApiKeyEntry, Role } from '../config.js';
import type { Client } from '../graphql/context.js';
import { registerSecret } from '../observability/redact.js';
import { createNetworks, type Networks } from './networks.js';

/** Why a presented key was not accepted; the transports map each to a status and a message. */
export type KeyRefusal =
  | { reason: 'missing' | 'unknown'; message: string }
  | { reason: 'expired'; message: string; expiredAt: string }
  | { reason: 'network'; message: string };

export type KeyCheck = { ok: true; client: Client } | ({ ok: false } & KeyRefusal);

export interface Keyring {
  /** `address`: the client address (networks.ts clientAddress); required to pass a key limited to networks. */
  check(presented: string | undefined, address: string | undefined): KeyCheck;
  /** The client for a key that is accepted from `address`, else null. */
  authenticate(presented: string | undefined, address?: string): Client | null;
  /** Swaps in a new set of keys at once. */
  replace(entries: readonly ApiKeyEntry[]): void;
  readonly size: number;
}

/** The key's id: 12 hex digits of its SHA-256, for audit and logs (never the key). */
export function keyIdOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Every request's key goes through here. crypto.hash (Node ≥ 20.12, within the engines field) is
 * the one-shot form: no Hash object and no native handle made per call, under a third of
 * createHash's time for the same digest.
 */
const digest = (key: string) => hash('sha256', key, 'base64');

interface Held {
  client: Client;
  networks?: Networks;
  expiresAt?: number;
}

function index(entries: readonly ApiKeyEntry[]): Map<string, Held> {
  const byDigest = new Map<string, Held>();
  for (const e of entries) {
    // A key that ends up in a message (a mistyped header echoed somewhere) is still scrubbed from logs.
    registerSecret(e.key);
    byDigest.set(digest(e.key), {
      client: { name: e.name, role: e.role, keyId: keyIdOf(e.key) },
      ...(e.allow?.length ? { networks: createNetworks(e.allow) } : {}),
      ...(e.expiresAt ? { expiresAt: Date.parse(e.expiresAt) } : {}),
    });
  }
  return byDigest;
}

export function createKeyring(entries: readonly ApiKeyEntry[], options: { now?: () => number } = {}): Keyring {
  const now = options.now ?? Date.now;
  let byDigest = index(entries);

  function check(presented: string | undefined, address: string | undefined): KeyCheck {
    if (!presented) return { ok: false, reason: 'missing', message: 'an API key is required (X-API-Key or Authorization: Bearer)' };
    const held = presented.length > 512 ? undefined : byDigest.get(digest(presented));
    if (!held) return { ok: false, reason: 'unknown', message: 'the API key is not valid' };
    if (held.expiresAt !== undefined && now() >= held.expiresAt) {
      const at = new Date(held.expiresAt).toISOString();
      return { ok: false, reason: 'expired', expiredAt: at, message: `this API key expired at ${at}; use the client's new key` };
    }
    if (held.networks && !(address && held.networks.has(address))) {
      return { ok: false, reason: 'network', message: 'this API key is not accepted from this address (its allow-list)' };
    }
    return { ok: true, client: held.client };
  }

  return {
    get size() {
      return byDigest.size;
    },
    check,
    authenticate(presented, address) {
      const r = check(presented, address);
      return r.ok ? r.client : null;
    },
    replace(next) {
      byDigest = index(next);
    },
  };
}

/** A development key for the embedded default: printed at start, never stored. */
export function generateDevKey(role: Role = 'admin'): ApiKeyEntry {
  return { name: 'dev', role, key: `cdk_dev_${randomBytes(18).toString('base64url')}` };
}

/** The key a request presents: `X-API-Key`, or `Authorization: Bearer`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m?.[1]) return m[1];
  }
  return undefined;
}
