/**
 * The store-token vault on Redis (scale-out): the same sealed records as the
 * SQLite vault (AES-256-GCM, a fresh IV per record, the store hash as
 * additional data, a key id), in one hash per store, so a token installed
 * through any instance is read by all of them. Every instance must share
 * TOKEN_ENCRYPTION_KEY. Plaintext tokens exist only in memory.
 *
 *   <prefix>token:{storeHash}  HASH  ciphertext, iv, tag (base64), keyId, scope, installedAt, userId
 */
import { registerSecret } from '../observability/redact.js';
import type { RedisConnection } from '../redis/connection.js';
import type { TokenCipher, TokenVault } from './tokenVault.js';

export function createRedisTokenVault(options: { redis: RedisConnection; prefix: string; cipher: TokenCipher }): TokenVault {
  const { redis, cipher } = options;
  const keyOf = (storeHash: string) => `${options.prefix}token:${storeHash}`;
  return {
    async put(record) {
      registerSecret(record.accessToken);
      const sealed = cipher.seal(record.accessToken, record.storeHash);
      const key = keyOf(record.storeHash);
      await redis.run('token.put', (c) =>
        c
          .multi()
          .del(key)
          .hSet(key, {
            ciphertext: sealed.ciphertext.toString('base64'),
            iv: sealed.iv.toString('base64'),
            tag: sealed.tag.toString('base64'),
            keyId: sealed.keyId,
            scope: record.scope,
            installedAt: record.installedAt,
            userId: record.userId === null ? '' : String(record.userId),
          })
          .exec(),
      );
    },
    async get(storeHash) {
      const h = await redis.run('token.get', (c) => c.hGetAll(keyOf(storeHash)));
      if (!h.ciphertext || !h.iv || !h.tag) return { kind: 'absent' };
      const accessToken = cipher.open({ ciphertext: Buffer.from(h.ciphertext, 'base64'), iv: Buffer.from(h.iv, 'base64'), tag: Buffer.from(h.tag, 'base64') }, storeHash);
      if (accessToken === undefined) return { kind: 'unreadable', keyMismatch: h.keyId !== cipher.keyId };
      registerSecret(accessToken);
      const userId = h.userId ? Number(h.userId) : null;
      return { kind: 'installed', record: { storeHash, accessToken, scope: h.scope ?? '', installedAt: h.installedAt ?? '', userId: Number.isFinite(userId) ? userId : null } };
    },
    async delete(storeHash) {
      return (await redis.run('token.delete', (c) => c.del(keyOf(storeHash)))) > 0;
    },
    // The connection belongs to the strategies, which close it.
    async close() {},
  };
}
