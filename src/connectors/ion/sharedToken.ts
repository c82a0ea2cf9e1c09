/**
 * Where the current ION token is kept so that every instance uses the same
 * one: the kit's sealed token vault (AES-256-GCM at rest; SQLite embedded,
 * Redis with REDIS_URL, so one token serves the fleet), under
 * `ion:{tenant}:{client id}`. The vault's record holds the token as sealed
 * JSON. With the embedded vault it also outlives a restart, so a gateway
 * killed with -9 picks its token up again instead of asking for another.
 */
import type { TokenVault } from '../../auth/tokenVault.js';
import { forgetSecret } from '../../observability/redact.js';
import type { IonToken } from './tokenEndpoint.js';

export interface SharedTokenStore {
  /** The token some instance stored, or undefined (none, unreadable, or the vault unreachable). */
  read(): Promise<IonToken | undefined>;
  write(token: IonToken): Promise<void>;
  remove(): Promise<void>;
}

interface Sealed {
  v: 1;
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
  obtainedAt: number;
}

function parse(raw: string): IonToken | undefined {
  try {
    const s = JSON.parse(raw) as Partial<Sealed>;
    if (s.v !== 1 || typeof s.accessToken !== 'string' || typeof s.expiresAt !== 'number' || typeof s.obtainedAt !== 'number') return undefined;
    return { accessToken: s.accessToken, ...(typeof s.refreshToken === 'string' ? { refreshToken: s.refreshToken } : {}), expiresAt: s.expiresAt, obtainedAt: s.obtainedAt };
  } catch {
    return undefined;
  }
}

export function createSharedTokenStore(vault: TokenVault, key: string, onError: (what: string, err: unknown) => void): SharedTokenStore {
  return {
    async read() {
      try {
        const r = await vault.get(key);
        if (r.kind !== 'installed') return undefined;
        // The vault registers what it opens as a secret; the tokens inside are registered by the
        // token manager one by one, so the sealed JSON itself need not stay in the set.
        forgetSecret(r.record.accessToken);
        return parse(r.record.accessToken);
      } catch (err) {
        onError('read', err);
        return undefined;
      }
    },
    async write(token) {
      const sealed: Sealed = { v: 1, accessToken: token.accessToken, ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}), expiresAt: token.expiresAt, obtainedAt: token.obtainedAt };
      const json = JSON.stringify(sealed);
      await vault.put({ storeHash: key, accessToken: json, scope: 'ion', installedAt: new Date(token.obtainedAt).toISOString(), userId: null });
      forgetSecret(json);
    },
    async remove() {
      await vault.delete(key).catch((err: unknown) => onError('remove', err));
    },
  };
}
