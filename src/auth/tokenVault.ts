/**
 * Store access tokens from the BigCommerce app install, encrypted at rest.
 *
 * Each token is sealed with AES-256-GCM under TOKEN_ENCRYPTION_KEY with a
 * fresh random 12-byte IV per record (NIST SP 800-38D: a (key, IV) pair must
 * never repeat) and the store hash as additional authenticated data, so a
 * ciphertext copied onto another store's row fails to open. The row keeps
 * the IV, the 16-byte tag and a key id (a digest prefix of the key, never
 * the key) so a key change is told apart from tampering. Plaintext tokens
 * exist only in memory.
 *
 * The rows live in table `store_tokens` of the record layer
 * (sqlTokenVault.ts): the data dir's SQLite file, or PostgreSQL with
 * DATABASE_URL.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface StoreTokenRecord {
  /** BigCommerce store hash (`stores/{hash}` without the prefix). */
  storeHash: string;
  accessToken: string;
  /** Scopes granted, space-separated as BigCommerce sends them. */
  scope: string;
  installedAt: string;
  /** The installing user's BigCommerce id (their email is not kept). */
  userId: number | null;
}

export type VaultRead =
  | { kind: 'installed'; record: StoreTokenRecord }
  | { kind: 'absent' }
  /** A row exists but does not open: another key (`keyMismatch`) or a damaged or tampered row. */
  | { kind: 'unreadable'; keyMismatch: boolean };

export interface TokenVault {
  put(record: StoreTokenRecord): Promise<void>;
  get(storeHash: string): Promise<VaultRead>;
  /** True when a token was there. */
  delete(storeHash: string): Promise<boolean>;
}

export interface SealedToken {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  keyId: string;
}

export interface TokenCipher {
  readonly keyId: string;
  seal(plaintext: string, storeHash: string): SealedToken;
  /** The plaintext, or undefined when the tag does not verify. */
  open(sealed: Omit<SealedToken, 'keyId'>, storeHash: string): string | undefined;
}

const aad = (storeHash: string) => Buffer.from(`crossdock:store_token:v1:${storeHash}`, 'utf8');

export function createTokenCipher(key: Buffer): TokenCipher {
  if (key.length !== 32) throw new Error('the token encryption key must be 32 bytes');
  const keyId = createHash('sha256').update('crossdock-token-key-id').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    seal(plaintext, storeHash) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(storeHash));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { ciphertext, iv, tag: cipher.getAuthTag(), keyId };
    },
    open(sealed, storeHash) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
        decipher.setAAD(aad(storeHash));
        decipher.setAuthTag(sealed.tag);
        return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
