/**
 * OrderStore on Redis (scale-out, REDIS_URL; Redis with the append-only file
 * and noeviction, so an acknowledged record is neither lost nor evicted).
 *
 * Key layout (P = REDIS_KEY_PREFIX):
 *
 *   P idem:{client}:{key}       HASH  hash, state (IN_FLIGHT|DONE), response, token, expiresAt, leaseUntil (ms);
 *                                     PEXPIRE = key TTL, a backstop: expiry is judged by the caller's clock
 *   P idem:expiry               ZSET  idem key by expiresAt (what purgeExpiredKeys deletes)
 *   P order:{id}                HASH  one field per record field, JSON-encoded (+ seq)
 *   P order:{id}:events         LIST  the state history, in order
 *   P orders                    ZSET  id by seq
 *   P orders:seq                STRING the sequence counter
 *   P orders:status:{STATUS}    SET   ids in that status (the outbox's and poller's work lists)
 *   P orders:key:{client}:{key} STRING order id by idempotency key (for good: never expires)
 *   P orders:unreported         SET   ids of store orders' orders whose status is not yet written back
 *
 * The idempotency claim, the order's creation and every status transition
 * are Lua scripts, so each is atomic across every instance: one `claimed`
 * per key and lease, one order per (client, key), and a transition applies
 * only from the state it names (compare-and-set), exactly as the SQLite
 * store's transactions (orderStore.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/connection.js';
import type { IdempotencyClaim, NewOrder, OrderChange, OrderStore } from './orderStore.js';
import type { OrderEventRecord, SupplierOrderRecord, SupplierOrderStatus } from './types.js';

/**
 * KEYS: idem hash, expiry zset. ARGV: request hash, ttl ms, now, leaseUntil, expiresAt, token.
 * A key past its expiresAt (by the caller's clock) counts as absent; a claim
 * past its leaseUntil is taken over. A claim without leaseUntil predates
 * leases: its process is gone, so its lease counts as run out.
 */
const CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'hash', 'state', 'response', 'expiresAt', 'leaseUntil')
local now = tonumber(ARGV[3])
if h[1] and (not h[4] or tonumber(h[4]) > now) then
  if h[1] ~= ARGV[1] then return {'mismatch'} end
  if h[2] ~= 'IN_FLIGHT' then return {'replay', h[3] or 'null'} end
  local leaseUntil = tonumber(h[5] or '0')
  if leaseUntil > now then return {'inFlight', tostring(leaseUntil - now)} end
  redis.call('HSET', KEYS[1], 'token', ARGV[6], 'leaseUntil', ARGV[4])
  return {'takenOver'}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'state', 'IN_FLIGHT', 'token', ARGV[6], 'expiresAt', ARGV[5], 'leaseUntil', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[5], KEYS[1])
return {'claimed'}
`;

/** KEYS: idem hash. ARGV: token, response. Only the claimant holding the lease completes the key (HSET keeps its TTL). */
const COMPLETE = `
if redis.call('HGET', KEYS[1], 'state') == 'IN_FLIGHT' and redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'DONE', 'response', ARGV[2])
  redis.call('HDEL', KEYS[1], 'leaseUntil')
  return 1
end
return 0
`;

/** KEYS: idem hash, expiry zset. ARGV: token. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'state') == 'IN_FLIGHT' and redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('ZREM', KEYS[2], KEYS[1])
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** KEYS: expiry zset. ARGV: now. Deletes every key whose expiresAt has passed; answers how many existed. */
const PURGE = `
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
local n = 0
for _, key in ipairs(keys) do
  local expiresAt = tonumber(redis.call('HGET', key, 'expiresAt') or '0')
  if expiresAt <= tonumber(ARGV[1]) then n = n + redis.call('DEL', key) end
  redis.call('ZREM', KEYS[1], key)
end
return {n, #keys}
`;

/**
 * KEYS: by-key pointer, order hash, all-orders zset, seq counter, status set, events list.
 * ARGV: id, first event (JSON), then field/value pairs. Answers the id that
 * holds the key: this one when created, the existing one otherwise.
 */
const CREATE = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local seq = redis.call('INCR', KEYS[4])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'seq', tostring(seq), unpack(ARGV, 3))
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('RPUSH', KEYS[6], ARGV[2])
return ARGV[1]
`;

/**
 * Compare-and-set transition. KEYS: order hash, events list, status-set
 * prefix, unreported set. ARGV: id, new status (JSON), event time (JSON),
 * reason (JSON), expected statuses (",A,B,"), expected attempts (JSON, or ''
 * for any), idle ('1': only with no send in flight), then field/value pairs
 * to write. Answers 1 applied, 0 not in the expected state, -1 no such order.
 */
const TRANSITION = `
local h = redis.call('HMGET', KEYS[1], 'status', 'attempts', 'sendingSince', 'storeOrderId')
local before = h[1]
if not before then return -1 end
if not string.find(ARGV[5], ',' .. string.sub(before, 2, -2) .. ',', 1, true) then return 0 end
if ARGV[6] ~= '' and h[2] ~= ARGV[6] then return 0 end
if ARGV[7] == '1' and h[3] and h[3] ~= 'null' then return 0 end
if #ARGV > 7 then
  redis.call('HSET', KEYS[1], 'status', ARGV[2], unpack(ARGV, 8))
else
  redis.call('HSET', KEYS[1], 'status', ARGV[2])
end
if before ~= ARGV[2] then
  redis.call('SREM', KEYS[3] .. string.sub(before, 2, -2), ARGV[1])
  redis.call('SADD', KEYS[3] .. string.sub(ARGV[2], 2, -2), ARGV[1])
  redis.call('RPUSH', KEYS[2], '{"at":' .. ARGV[3] .. ',"from":' .. before .. ',"to":' .. ARGV[2] .. ',"reason":' .. ARGV[4] .. '}')
  if h[4] and h[4] ~= 'null' then redis.call('SADD', KEYS[4], ARGV[1]) end
end
return 1
`;

/** KEYS: order hash, unreported set. ARGV: id, status (JSON). */
const MARK_REPORTED = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'reportedStatus', ARGV[2])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
`;

const FIELDS = [
  'id',
  'client',
  'idempotencyKey',
  'requestHash',
  'storeOrderId',
  'poNumber',
  'status',
  'supplierOrderId',
  'lines',
  'shippingMethod',
  'address',
  'attempts',
  'nextAttemptAt',
  'lastError',
  'trackingNumber',
  'sendingSince',
  'reportedStatus',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof SupplierOrderRecord>;

function decode(h: Record<string, string>): (SupplierOrderRecord & { seq: number }) | undefined {
  if (!h.id) return undefined;
  const out: Record<string, unknown> = { seq: Number(h.seq ?? 0) };
  // Fields added after the first release are absent from older records: null.
  for (const f of FIELDS) out[f] = h[f] === undefined ? null : JSON.parse(h[f]);
  return out as unknown as SupplierOrderRecord & { seq: number };
}

function strip(o: SupplierOrderRecord & { seq?: number }): SupplierOrderRecord {
  const { seq: _seq, ...rest } = o;
  return rest;
}

function pairs(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out.push(k, JSON.stringify(v));
  return out;
}

export interface RedisOrderStoreOptions {
  redis: RedisConnection;
  /** Key prefix (REDIS_KEY_PREFIX). */
  prefix: string;
}

export function createRedisOrderStore(options: RedisOrderStoreOptions): OrderStore {
  const { redis } = options;
  const P = options.prefix;
  const k = {
    idem: (client: string, key: string) => `${P}idem:${client}:${key}`,
    idemExpiry: `${P}idem:expiry`,
    order: (id: string) => `${P}order:${id}`,
    events: (id: string) => `${P}order:${id}:events`,
    all: `${P}orders`,
    seq: `${P}orders:seq`,
    statusPrefix: `${P}orders:status:`,
    status: (s: SupplierOrderStatus) => `${P}orders:status:${s}`,
    byKey: (client: string, key: string) => `${P}orders:key:${client}:${key}`,
    unreported: `${P}orders:unreported`,
  };

  const readRaw = (id: string) => redis.run('order.get', async (c) => decode(await c.hGetAll(k.order(id))));
  const readMany = (ids: string[]) =>
    redis.run('order.list', async (c) => (await Promise.all(ids.map((id) => c.hGetAll(k.order(id))))).map(decode).filter((o): o is SupplierOrderRecord & { seq: number } => o !== undefined));
  const mustRead = async (id: string) => {
    const o = await readRaw(id);
    if (!o) throw new Error(`no supplier order ${id}`);
    return strip(o);
  };
  async function inStatuses(statuses: readonly SupplierOrderStatus[]) {
    const ids = await redis.run('order.status', (c) => (statuses.length ? c.sUnion(statuses.map(k.status)) : Promise.resolve([] as string[])));
    return (await readMany(ids)).sort((a, b) => a.seq - b.seq);
  }

  return {
    async claimKey(client, key, requestHash, ttlMs, lease): Promise<IdempotencyClaim> {
      const token = randomUUID();
      const args = [requestHash, String(ttlMs), String(lease.now), String(lease.now + lease.leaseMs), String(lease.now + ttlMs), token];
      const res = (await redis.run('idempotency.claim', (c) => c.eval(CLAIM, { keys: [k.idem(client, key), k.idemExpiry], arguments: args }))) as string[];
      switch (res[0]) {
        case 'claimed':
          return { kind: 'claimed', token, takenOver: false };
        case 'takenOver':
          return { kind: 'claimed', token, takenOver: true };
        case 'inFlight':
          return { kind: 'inFlight', retryInMs: Number(res[1] ?? 0) };
        case 'mismatch':
          return { kind: 'mismatch' };
        case 'replay':
          return { kind: 'replay', response: JSON.parse(res[1] ?? 'null') as unknown };
        default:
          throw new Error(`unexpected idempotency claim answer ${String(res[0])}`);
      }
    },
    async completeKey(client, key, response, token) {
      const n = await redis.run('idempotency.complete', (c) => c.eval(COMPLETE, { keys: [k.idem(client, key)], arguments: [token, JSON.stringify(response)] }));
      return Number(n) === 1;
    },
    async releaseKey(client, key, token) {
      await redis.run('idempotency.release', (c) => c.eval(RELEASE, { keys: [k.idem(client, key), k.idemExpiry], arguments: [token] }));
    },
    async purgeExpiredKeys(now) {
      // In batches of 1000 index entries, so no one script blocks Redis for long.
      let purged = 0;
      for (;;) {
        const [n, seen] = (await redis.run('idempotency.purge', (c) => c.eval(PURGE, { keys: [k.idemExpiry], arguments: [String(now)] }))) as [number, number];
        purged += Number(n);
        if (Number(seen) < 1000) return purged;
      }
    },
    async create(order: NewOrder, reason) {
      const now = new Date().toISOString();
      const id = randomUUID();
      const record: SupplierOrderRecord = { ...order, id, createdAt: now, updatedAt: now };
      const event: Omit<OrderEventRecord, 'orderId'> = { at: now, from: null, to: order.status, reason };
      const holder = (await redis.run('order.create', (c) =>
        c.eval(CREATE, {
          keys: [k.byKey(order.client, order.idempotencyKey), k.order(id), k.all, k.seq, k.status(order.status), k.events(id)],
          arguments: [id, JSON.stringify(event), ...pairs(record as unknown as Record<string, unknown>)],
        }),
      )) as string;
      return { created: holder === id, order: await mustRead(holder) };
    },
    async transition(id, to, reason, change: OrderChange) {
      const now = new Date().toISOString();
      const fields = pairs({ ...(change.set ?? {}), updatedAt: now });
      const n = Number(
        await redis.run('order.transition', (c) =>
          c.eval(TRANSITION, {
            keys: [k.order(id), k.events(id), k.statusPrefix, k.unreported],
            arguments: [
              id,
              JSON.stringify(to),
              JSON.stringify(now),
              JSON.stringify(reason),
              `,${change.from.join(',')},`,
              change.attempts === undefined ? '' : JSON.stringify(change.attempts),
              change.idle ? '1' : '0',
              ...fields,
            ],
          }),
        ),
      );
      if (n === -1) throw new Error(`no supplier order ${id}`);
      return { applied: n === 1, order: await mustRead(id) };
    },
    async get(id) {
      const o = await readRaw(id);
      return o ? strip(o) : undefined;
    },
    async byKey(client, key) {
      const id = await redis.run('order.byKey', (c) => c.get(k.byKey(client, key)));
      if (!id) return undefined;
      const o = await readRaw(id);
      return o ? strip(o) : undefined;
    },
    async list(filter, offset, limit) {
      const ids = filter.status?.length ? null : await redis.run('order.list', (c) => c.zRange(k.all, 0, -1, { REV: true }));
      const orders = ids ? await readMany(ids) : (await inStatuses(filter.status ?? [])).reverse();
      const items = orders.filter(
        (o) =>
          (!filter.storeOrderId || o.storeOrderId === filter.storeOrderId) &&
          (!filter.createdAfter || o.createdAt >= filter.createdAfter) &&
          (!filter.createdBefore || o.createdAt < filter.createdBefore),
      );
      return { items: items.slice(offset, offset + limit).map(strip), total: items.length };
    },
    async due(now, statuses) {
      const orders = await inStatuses(statuses);
      return orders.filter((o) => o.nextAttemptAt === null || o.nextAttemptAt <= now).slice(0, 100).map(strip);
    },
    async inStatus(statuses) {
      return (await inStatuses(statuses)).slice(0, 500).map(strip);
    },
    async unreported(statuses, limit) {
      const ids = await redis.run('order.unreported', (c) => c.sMembers(k.unreported));
      return (await readMany(ids))
        .filter((o) => o.storeOrderId !== null && o.status !== o.reportedStatus && statuses.includes(o.status))
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
        .map(strip);
    },
    async markReported(id, status) {
      const n = await redis.run('order.markReported', (c) => c.eval(MARK_REPORTED, { keys: [k.order(id), k.unreported], arguments: [id, JSON.stringify(status)] }));
      return Number(n) === 1;
    },
    async events(orderId) {
      const raw = await redis.run('order.events', (c) => c.lRange(k.events(orderId), 0, -1));
      return raw.map((r) => ({ orderId, ...(JSON.parse(r) as Omit<OrderEventRecord, 'orderId'>) }));
    },
    // The connection belongs to the strategies (src/strategies/redis.ts), which close it.
    async close() {},
  };
}
