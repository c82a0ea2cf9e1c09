/**
 * OrderStore on Redis (scale-out, REDIS_URL; Redis with the append-only file
 * and noeviction, so an acknowledged record is neither lost nor evicted).
 *
 * Key layout (P = REDIS_KEY_PREFIX):
 *
 *   P idem:{client}:{key}       HASH  hash, state (IN_FLIGHT|DONE), response; PEXPIRE = key TTL
 *   P order:{id}                HASH  one field per record field, JSON-encoded (+ seq)
 *   P order:{id}:events         LIST  the state history, in order
 *   P orders                    ZSET  id by seq
 *   P orders:seq                STRING the sequence counter
 *   P orders:status:{STATUS}    SET   ids in that status (the outbox's and poller's work lists)
 *   P orders:key:{client}:{key} STRING order id by idempotency key
 *
 * The idempotency claim and every status transition (status, status sets
 * and history together) are Lua scripts, so they are atomic across every
 * instance: concurrent requests with one key on two instances see exactly
 * one `claimed`. Expired keys are dropped by Redis's TTL (purge is a no-op).
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../strategies/redisConnection.js';
import type { IdempotencyClaim, OrderStore } from './orderStore.js';
import type { OrderEventRecord, SupplierOrderRecord, SupplierOrderStatus } from './types.js';

const CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'hash', 'state', 'response', 'expiresAt')
if h[1] and (not h[4] or tonumber(h[4]) > tonumber(ARGV[3])) then
  if h[1] ~= ARGV[1] then return {'mismatch'} end
  if h[2] == 'IN_FLIGHT' then return {'inFlight'} end
  return {'replay', h[3] or 'null'}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'state', 'IN_FLIGHT', 'expiresAt', tostring(tonumber(ARGV[3]) + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'claimed'}
`;

const RELEASE = `if redis.call('HGET', KEYS[1], 'state') == 'IN_FLIGHT' then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * KEYS: order hash, events list, status-set prefix. ARGV: id, new status (JSON),
 * event time (JSON), reason (JSON), then field/value pairs to write.
 */
const TRANSITION = `
local before = redis.call('HGET', KEYS[1], 'status')
if not before then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], unpack(ARGV, 5))
if before ~= ARGV[2] then
  redis.call('SREM', KEYS[3] .. string.sub(before, 2, -2), ARGV[1])
  redis.call('SADD', KEYS[3] .. string.sub(ARGV[2], 2, -2), ARGV[1])
  redis.call('RPUSH', KEYS[2], '{"at":' .. ARGV[3] .. ',"from":' .. before .. ',"to":' .. ARGV[2] .. ',"reason":' .. ARGV[4] .. '}')
end
return 1
`;

const FIELDS = [
  'id',
  'client',
  'idempotencyKey',
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
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof SupplierOrderRecord>;

function decode(h: Record<string, string>): (SupplierOrderRecord & { seq: number }) | undefined {
  if (!h.id) return undefined;
  const out: Record<string, unknown> = { seq: Number(h.seq ?? 0) };
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
    order: (id: string) => `${P}order:${id}`,
    events: (id: string) => `${P}order:${id}:events`,
    all: `${P}orders`,
    seq: `${P}orders:seq`,
    statusPrefix: `${P}orders:status:`,
    status: (s: SupplierOrderStatus) => `${P}orders:status:${s}`,
    byKey: (client: string, key: string) => `${P}orders:key:${client}:${key}`,
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
    async claimKey(client, key, requestHash, ttlMs, at): Promise<IdempotencyClaim> {
      const res = (await redis.run('idempotency.claim', (c) => c.eval(CLAIM, { keys: [k.idem(client, key)], arguments: [requestHash, String(ttlMs), String(at?.now ?? Date.now())] }))) as string[];
      switch (res[0]) {
        case 'claimed':
          return { kind: 'claimed' };
        case 'inFlight':
          return { kind: 'inFlight' };
        case 'mismatch':
          return { kind: 'mismatch' };
        case 'replay':
          return { kind: 'replay', response: JSON.parse(res[1] ?? 'null') as unknown };
        default:
          throw new Error(`unexpected idempotency claim answer ${String(res[0])}`);
      }
    },
    async completeKey(client, key, response) {
      // HSET keeps the key's TTL (set at the claim).
      await redis.run('idempotency.complete', (c) => c.hSet(k.idem(client, key), { state: 'DONE', response: JSON.stringify(response) }));
    },
    async releaseKey(client, key) {
      await redis.run('idempotency.release', (c) => c.eval(RELEASE, { keys: [k.idem(client, key)] }));
    },
    // Redis drops expired keys by itself (PEXPIRE at the claim).
    purgeExpiredKeys: async () => 0,
    async create(order, reason) {
      const now = new Date().toISOString();
      const id = randomUUID();
      const record: SupplierOrderRecord = { ...order, id, createdAt: now, updatedAt: now };
      const event: Omit<OrderEventRecord, 'orderId'> = { at: now, from: null, to: order.status, reason };
      await redis.run('order.create', async (c) => {
        const seq = await c.incr(k.seq);
        // MULTI/EXEC: the record, its indexes and its first history entry land together.
        await c
          .multi()
          .hSet(k.order(id), { seq: String(seq), ...Object.fromEntries(chunk(pairs(record as unknown as Record<string, unknown>))) })
          .zAdd(k.all, { score: seq, value: id })
          .sAdd(k.status(order.status), id)
          .set(k.byKey(order.client, order.idempotencyKey), id)
          .rPush(k.events(id), JSON.stringify(event))
          .exec();
      });
      return mustRead(id);
    },
    async transition(id, to, reason, patch = {}) {
      const now = new Date().toISOString();
      const fields = pairs({ ...patch, updatedAt: now });
      const n = await redis.run('order.transition', (c) =>
        c.eval(TRANSITION, { keys: [k.order(id), k.events(id), k.statusPrefix], arguments: [id, JSON.stringify(to), JSON.stringify(now), JSON.stringify(reason), ...fields] }),
      );
      if (Number(n) !== 1) throw new Error(`no supplier order ${id}`);
      return mustRead(id);
    },
    async patch(id, patch) {
      const fields = pairs({ ...patch, updatedAt: new Date().toISOString() });
      await redis.run('order.patch', (c) => c.hSet(k.order(id), Object.fromEntries(chunk(fields))));
      return mustRead(id);
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
    async events(orderId) {
      const raw = await redis.run('order.events', (c) => c.lRange(k.events(orderId), 0, -1));
      return raw.map((r) => ({ orderId, ...(JSON.parse(r) as Omit<OrderEventRecord, 'orderId'>) }));
    },
    // The connection belongs to the strategies (src/strategies/redis.ts), which close it.
    async close() {},
  };
}

function chunk(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}
