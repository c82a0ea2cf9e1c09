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
 * The embedded store is the SQLite file every other record lives in
 * (`crossdock.db`, table `store_tokens`); the interface is asynchronous so a
 * Redis vault can implement it.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { registerSecret } from '../observability/redact.js';

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
  close(): Promise<void>;
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

export interface SqliteTokenVaultOptions {
  /** The SQLite file (the data dir's `crossdock.db`). */
  path: string;
  cipher: TokenCipher;
}

interface Row {
  store_hash: string;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  key_id: string;
  scope: string;
  installed_at: string;
  user: string | null;
}

export function createSqliteTokenVault(options: SqliteTokenVaultOptions): TokenVault {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Overwritten pages are zeroed, so a replaced or deleted ciphertext does not linger in free pages.
  db.pragma('secure_delete = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS store_tokens (
    store_hash TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    iv BLOB NOT NULL,
    tag BLOB NOT NULL,
    key_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    user TEXT
  )`);
  const upsert = db.prepare(`INSERT INTO store_tokens (store_hash, ciphertext, iv, tag, key_id, scope, installed_at, user)
    VALUES (@store_hash, @ciphertext, @iv, @tag, @key_id, @scope, @installed_at, @user)
    ON CONFLICT(store_hash) DO UPDATE SET ciphertext = excluded.ciphertext, iv = excluded.iv, tag = excluded.tag,
      key_id = excluded.key_id, scope = excluded.scope, installed_at = excluded.installed_at, user = excluded.user`);
  const select = db.prepare('SELECT * FROM store_tokens WHERE store_hash = ?');
  const remove = db.prepare('DELETE FROM store_tokens WHERE store_hash = ?');
  const { cipher } = options;

  return {
    async put(record) {
      registerSecret(record.accessToken);
      const sealed = cipher.seal(record.accessToken, record.storeHash);
      upsert.run({
        store_hash: record.storeHash,
        ciphertext: sealed.ciphertext,
        iv: sealed.iv,
        tag: sealed.tag,
        key_id: sealed.keyId,
        scope: record.scope,
        installed_at: record.installedAt,
        user: record.userId === null ? null : JSON.stringify({ id: record.userId }),
      });
    },
    async get(storeHash) {
      const row = select.get(storeHash) as Row | undefined;
      if (!row) return { kind: 'absent' };
      const accessToken = cipher.open({ ciphertext: row.ciphertext, iv: row.iv, tag: row.tag }, storeHash);
      if (accessToken === undefined) return { kind: 'unreadable', keyMismatch: row.key_id !== cipher.keyId };
      registerSecret(accessToken);
      const user = row.user ? (JSON.parse(row.user) as { id?: unknown }) : null;
      return {
        kind: 'installed',
        record: {
          storeHash,
          accessToken,
          scope: row.scope,
          installedAt: row.installed_at,
          userId: typeof user?.id === 'number' ? user.id : null,
        },
      };
    },
    async delete(storeHash) {
      const removed = remove.run(storeHash).changes > 0;
      // Move the deleted row's pages out of the write-ahead log into the (zeroed) main file.
      if (removed) db.pragma('wal_checkpoint(TRUNCATE)');
      return removed;
    },
    async close() {
      db.close();
    },
  };
}
