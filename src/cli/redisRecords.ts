/**
 * `crossdock migrate --from-redis`: one-time copy of the records a
 * scale-out deployment of the last release (b9b4bed) kept in Redis into the
 * SQL record database. The key layout is that release's stores' (their
 * header comments: src/jobs/store/redisJobStore.ts,
 * src/orders/redisOrderStore.ts, src/observability/redisAuditStore.ts,
 * src/auth/redisTokenVault.ts at b9b4bed); every hash field is JSON except
 * the token vault's, which are base64 and plain text.
 *
 * Everything is read first, then written in one transaction: the copy lands
 * whole or not at all. Rows keep their ids and listing order; a row already
 * there (a second run, or a record the new release wrote meanwhile) is kept
 * and the copy's is skipped (ON CONFLICT DO NOTHING), so running it twice
 * copies nothing the second time. Redis is only read: the release can still
 * be rolled back to.
 */
import { createClient } from '@redis/client';
import { sql, type Insertable } from 'kysely';
import { ZERO_COUNTERS } from '../jobs/types.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { RecordTables } from '../records/tables.js';

/** A client for the one-time read: no reconnecting, so a Redis that is not there is said at once. */
export function redisForCopy(url: string) {
  const client = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  return client;
}

type RedisClient = ReturnType<typeof redisForCopy>;
type Rows = { [T in keyof RecordTables]: Array<Insertable<RecordTables[T]>> };

/** What was found in Redis, and how much of it was new to the database, per kind of record. */
export type CopyCounts = Array<{ what: string; found: number; copied: number }>;

const TABLES: ReadonlyArray<[keyof RecordTables, string]> = [
  ['jobs', 'jobs'],
  ['failures', 'failures'],
  ['planned_changes', 'planned changes'],
  ['schedules', 'schedules'],
  ['supplier_orders', 'supplier orders'],
  ['order_events', 'order history'],
  ['idempotency_keys', 'idempotency keys'],
  ['audit_log', 'audit entries'],
  ['store_tokens', 'store tokens'],
];

/** A record's hash of JSON-encoded fields, decoded (`seq` and `_activeKey` are the store's own bookkeeping, not JSON). */
function fields(h: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'seq' && !k.startsWith('_')).map(([k, v]) => [k, JSON.parse(v) as unknown]));
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const iso = (ms: number) => new Date(ms).toISOString();

async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
  return keys.sort();
}

async function readJobs(redis: RedisClient, P: string, rows: Rows): Promise<void> {
  for (const { value: id, score: seq } of await redis.zRangeWithScores(`${P}jobs`, 0, -1)) {
    const j = fields(await redis.hGetAll(`${P}job:${id}`));
    if (j.id === undefined) continue;
    rows.jobs.push({
      id,
      seq,
      kind: String(j.kind),
      scope: JSON.stringify(j.scope ?? {}),
      scope_key: String(j.scopeKey),
      dry_run: j.dryRun ? 1 : 0,
      status: String(j.status),
      phase: String(j.phase),
      counters: JSON.stringify({ ...ZERO_COUNTERS, ...(j.counters as object | undefined) }),
      checkpoint: json(j.checkpoint),
      started_by: String(j.startedBy),
      retry_of: text(j.retryOf),
      schedule_id: text(j.scheduleId),
      error: text(j.error),
      created_at: String(j.createdAt),
      started_at: text(j.startedAt),
      finished_at: text(j.finishedAt),
      run_started_at: text(j.runStartedAt),
      run_start_processed: Number(j.runStartProcessed ?? 0),
      cancel_requested: j.cancelRequested ? 1 : 0,
    });
    const [fail, attempts] = await Promise.all([redis.hGetAll(`${P}job:${id}:fail`), redis.hGetAll(`${P}job:${id}:failn`)]);
    for (const [sku, raw] of Object.entries(fail)) {
      const f = JSON.parse(raw) as { partNumber: string | null; code: string; message: string };
      rows.failures.push({ job_id: id, sku, part_number: f.partNumber, code: f.code, message: f.message, attempts: Number(attempts[sku] ?? 1) });
    }
    const planned = await redis.lRange(`${P}job:${id}:planned`, 0, -1);
    planned.forEach((raw, i) => {
      const p = JSON.parse(raw) as { action: string; sku: string; productId: string | null; changes: unknown };
      rows.planned_changes.push({ job_id: id, seq: i + 1, action: p.action, sku: p.sku, product_id: p.productId, changes: JSON.stringify(p.changes) });
    });
  }
  for (const raw of Object.values(await redis.hGetAll(`${P}schedules`))) {
    const s = JSON.parse(raw) as { id: string; kind: string; scope: unknown; intervalSeconds: number | null; cron: string | null; createdBy: string; createdAt: string; lastRunAt: string | null; nextRunAt: string };
    rows.schedules.push({ id: s.id, kind: s.kind, scope: JSON.stringify(s.scope), interval_seconds: s.intervalSeconds, cron: s.cron, created_by: s.createdBy, created_at: s.createdAt, last_run_at: s.lastRunAt, next_run_at: s.nextRunAt });
  }
}

async function readOrders(redis: RedisClient, P: string, rows: Rows, now: number): Promise<void> {
  for (const { value: id, score: seq } of await redis.zRangeWithScores(`${P}orders`, 0, -1)) {
    const o = fields(await redis.hGetAll(`${P}order:${id}`));
    if (o.id === undefined) continue;
    rows.supplier_orders.push({
      id,
      seq,
      client: String(o.client),
      idempotency_key: String(o.idempotencyKey),
      // Columns the release did not have: null, as migration 2 leaves them in SQL rows.
      request_hash: text(o.requestHash),
      store_order_id: text(o.storeOrderId),
      po_number: String(o.poNumber),
      status: String(o.status),
      supplier_order_id: text(o.supplierOrderId),
      lines: JSON.stringify(o.lines ?? []),
      shipping_method: String(o.shippingMethod),
      address: JSON.stringify(o.address),
      attempts: Number(o.attempts ?? 0),
      next_attempt_at: text(o.nextAttemptAt),
      last_error: text(o.lastError),
      tracking_number: text(o.trackingNumber),
      sending_since: text(o.sendingSince),
      reported_status: text(o.reportedStatus),
      created_at: String(o.createdAt),
      updated_at: String(o.updatedAt),
    });
    (await redis.lRange(`${P}order:${id}:events`, 0, -1)).forEach((raw, i) => {
      const e = JSON.parse(raw) as { at: string; from: string | null; to: string; reason: string };
      rows.order_events.push({ order_id: id, seq: i + 1, at: e.at, from_status: e.from, to_status: e.to, reason: e.reason });
    });
  }
  // idem:{client}:{key}; a client name has no ':' (CROSSDOCK_API_KEYS is name:role:key), a key may.
  for (const name of await keysMatching(redis, `${P}idem:*`)) {
    if ((await redis.type(name)) !== 'hash') continue;
    const rest = name.slice(`${P}idem:`.length);
    const cut = rest.indexOf(':');
    const h = await redis.hGetAll(name);
    if (cut < 1 || !h.hash || !h.state) continue;
    // The release kept the TTL on the key itself; what is left of it is the key's time to live.
    const ttl = await redis.pTTL(name);
    rows.idempotency_keys.push({
      client: rest.slice(0, cut),
      key: rest.slice(cut + 1),
      request_hash: h.hash,
      state: h.state,
      response: h.response ?? null,
      created_at: iso(now),
      expires_at: iso(h.expiresAt ? Number(h.expiresAt) : now + (ttl > 0 ? ttl : 86_400_000)),
      // No lease in that release: a claim left in flight counts as run out (the next request takes it over).
      token: h.token ?? null,
      lease_until: h.leaseUntil ? iso(Number(h.leaseUntil)) : null,
    });
  }
}

async function readSecurity(redis: RedisClient, P: string, rows: Rows): Promise<void> {
  for (const { value, score } of await redis.zRangeWithScores(`${P}audit`, 0, -1)) {
    const e = JSON.parse(value) as { at: string; client: string; role: string; operationName: string | null; field: string; arguments: string | null; variables: string; outcome: string; errorCode: string | null; durationMs: number };
    rows.audit_log.push({ id: score, at: e.at, client: e.client, role: e.role, operation_name: e.operationName, field: e.field, arguments: e.arguments, variables: e.variables, outcome: e.outcome, error_code: e.errorCode, duration_ms: e.durationMs });
  }
  for (const name of await keysMatching(redis, `${P}token:*`)) {
    const h = await redis.hGetAll(name);
    if (!h.ciphertext || !h.iv || !h.tag || !h.keyId) continue;
    rows.store_tokens.push({
      store_hash: name.slice(`${P}token:`.length),
      ciphertext: Buffer.from(h.ciphertext, 'base64'),
      iv: Buffer.from(h.iv, 'base64'),
      tag: Buffer.from(h.tag, 'base64'),
      key_id: h.keyId,
      scope: h.scope ?? '',
      installed_at: h.installedAt ?? '',
      user: h.userId ? JSON.stringify({ id: Number(h.userId) }) : null,
    });
  }
}

/** Copies the release's Redis records under `prefix` into `records` (migrated to the latest version). */
export async function copyRedisRecords(redis: RedisClient, prefix: string, records: RecordDatabase, now = Date.now()): Promise<CopyCounts> {
  const rows = Object.fromEntries(TABLES.map(([t]) => [t, []])) as unknown as Rows;
  await readJobs(redis, prefix, rows);
  await readOrders(redis, prefix, rows, now);
  await readSecurity(redis, prefix, rows);
  return records.db.transaction().execute(async (trx) => {
    const counts: CopyCounts = [];
    for (const [table, what] of TABLES) {
      let copied = 0;
      const all = rows[table] as Array<Insertable<RecordTables[typeof table]>>;
      for (let i = 0; i < all.length; i += 200) {
        const result = await trx
          .insertInto(table)
          .values(all.slice(i, i + 200) as never)
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        copied += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      counts.push({ what, found: all.length, copied });
    }
    if (records.engine === 'postgres') {
      // Identities continue after the ids copied in (migrations 1 and 2 made these columns identities).
      for (const [table, column] of [['jobs', 'seq'], ['supplier_orders', 'seq'], ['audit_log', 'id']] as const) {
        await sql`select setval(pg_get_serial_sequence(${table}, ${column}), max(${sql.ref(column)})) from ${sql.table(table)} having max(${sql.ref(column)}) is not null`.execute(trx);
      }
    }
    return counts;
  });
}
