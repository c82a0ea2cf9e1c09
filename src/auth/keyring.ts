/**
 * API keys → clients. Keys are held only as SHA-256 digests and looked up by
 * digest, so checking a key takes the same time whatever its content: there
 * is no byte-by-byte comparison to exit early on.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyEntry, Role } from '../config.js';
import type { Client } from '../graphql/context.js';
import { registerSecret } from '../observability/redact.js';

export interface Keyring {
  authenticate(presented: string | undefined): Client | null;
  readonly size: number;
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest('base64');

export function createKeyring(entries: readonly ApiKeyEntry[]): Keyring {
  // A key that ends up in a message (a mistyped header echoed somewhere) is still scrubbed from logs.
  for (const e of entries) registerSecret(e.key);
  const byDigest = new Map<string, Client>(entries.map((e) => [digest(e.key), { name: e.name, role: e.role }]));
  return {
    size: byDigest.size,
    authenticate(presented) {
      if (!presented || presented.length > 512) return null;
      return byDigest.get(digest(presented)) ?? null;
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
