/**
 * The store-token vault on the record layer (src/records/): table
 * `store_tokens`, in the data dir's SQLite file or in PostgreSQL with
 * DATABASE_URL (where a token installed through one instance is read by
 * all; every instance must then share TOKEN_ENCRYPTION_KEY). Rows hold only
 * what tokenVault.ts's cipher sealed (AES-256-GCM, a fresh IV per record,
 * the store hash as additional data) and the key id; plaintext tokens exist
 * only in memory.
 */
import { registerSecret } from '../observability/redact.js';
import { columnsOf } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { TokenCipher, TokenVault } from './tokenVault.js';

export function createSqlTokenVault(records: RecordDatabase, cipher: TokenCipher): TokenVault {
  const { db } = records;
  return {
    async put(record) {
      registerSecret(record.accessToken);
      const sealed = { ...cipher.seal(record.accessToken, record.storeHash), scope: record.scope, installedAt: record.installedAt };
      const row = { ...columnsOf(sealed), user: record.userId === null ? null : JSON.stringify({ id: record.userId }) };
      await db
        .insertInto('store_tokens')
        .values({ store_hash: record.storeHash, ...row })
        .onConflict((oc) => oc.column('store_hash').doUpdateSet(row))
        .execute();
    },
    async get(storeHash) {
      const row = await db.selectFrom('store_tokens').selectAll().where('store_hash', '=', storeHash).executeTakeFirst();
      if (!row) return { kind: 'absent' };
      const accessToken = cipher.open(row, storeHash);
      if (accessToken === undefined) return { kind: 'unreadable', keyMismatch: row.key_id !== cipher.keyId };
      registerSecret(accessToken);
      const user = row.user ? (JSON.parse(row.user) as { id?: unknown }) : null;
      return {
        kind: 'installed',
        record: { storeHash, accessToken, scope: row.scope, installedAt: row.installed_at, userId: typeof user?.id === 'number' ? user.id : null },
      };
    },
    async delete(storeHash) {
      const { numDeletedRows } = await db.deleteFrom('store_tokens').where('store_hash', '=', storeHash).executeTakeFirstOrThrow();
      if (numDeletedRows > 0n) await records.afterSecretDeleted();
      return numDeletedRows > 0n;
    },
  };
}
