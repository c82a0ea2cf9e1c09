/**
 * The record-throughput scenario's baseline (BENCH_BASELINE_DIR): the
 * release's (b9b4bed) SQLite stores speak that release's interface — its
 * `create` answers the order itself, its `completeKey` answers nothing, its
 * claims carry no token — and must still run the scenario's order intent and
 * page checkpoint, or there is no "before" beside the "after". The release's
 * stores are stood in for by objects with exactly those signatures
 * (src/orders/orderStore.ts and src/jobs/store/jobStore.ts at b9b4bed).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointer, placeIntent, releaseEngine } from '../../bench/recordThroughput.js';
import type { SyncJobRecord } from '../../src/jobs/types.js';
import type { SupplierOrderRecord } from '../../src/orders/types.js';

type ReleaseClaim = { kind: 'claimed' } | { kind: 'replay'; response: unknown } | { kind: 'inFlight' } | { kind: 'mismatch' };

/** The release's OrderStore, in memory: `claimKey` without a lease, `create` → the record, `completeKey` → nothing. */
function releaseOrderStore() {
  const keys = new Map<string, { hash: string; response?: unknown }>();
  const orders: SupplierOrderRecord[] = [];
  return {
    keys,
    orders,
    async claimKey(client: string, key: string, requestHash: string, _ttlMs: number): Promise<ReleaseClaim> {
      const row = keys.get(`${client}\n${key}`);
      if (!row) {
        keys.set(`${client}\n${key}`, { hash: requestHash });
        return { kind: 'claimed' };
      }
      if (row.hash !== requestHash) return { kind: 'mismatch' };
      return 'response' in row ? { kind: 'replay', response: row.response } : { kind: 'inFlight' };
    },
    async byKey(client: string, key: string): Promise<SupplierOrderRecord | undefined> {
      return orders.find((o) => o.client === client && o.idempotencyKey === key);
    },
    async create(order: Omit<SupplierOrderRecord, 'id' | 'createdAt' | 'updatedAt'>, _reason: string): Promise<SupplierOrderRecord> {
      const now = new Date().toISOString();
      const record = { ...order, id: randomUUID(), createdAt: now, updatedAt: now };
      orders.push(record);
      return record;
    },
    async completeKey(client: string, key: string, response: unknown): Promise<void> {
      const row = keys.get(`${client}\n${key}`);
      if (row) row.response = response;
    },
    async close(): Promise<void> {},
  };
}

/** The release's JobStore, in memory, as far as a page checkpoint goes. */
function releaseJobStore() {
  const jobs = new Map<string, SyncJobRecord>();
  const pages: string[] = [];
  return {
    pages,
    async createOrGetActive(job: { kind: SyncJobRecord['kind']; scope: SyncJobRecord['scope']; scopeKey: string; dryRun: boolean; startedBy: string }) {
      const record = { id: randomUUID(), ...job, status: 'QUEUED', checkpoint: null } as unknown as SyncJobRecord;
      jobs.set(record.id, record);
      return { job: record, created: true };
    },
    async commitPage(jobId: string, page: { checkpoint: SyncJobRecord['checkpoint'] }) {
      const job = jobs.get(jobId);
      if (!job) throw new Error(`no job ${jobId}`);
      pages.push(jobId);
      return { ...job, checkpoint: page.checkpoint };
    },
    async close(): Promise<void> {},
  };
}

describe('the release’s stores as the record-throughput baseline', () => {
  it('run the order intent: the key is claimed, the order created once, the key answered with it', async () => {
    const orders = releaseOrderStore();
    const engine = releaseEngine({ createSqliteOrderStore: () => orders, createSqliteJobStore: () => releaseJobStore() }, ':memory:');
    for (let i = 0; i < 3; i++) expect(await placeIntent(engine.orders)).toBeGreaterThanOrEqual(0);
    expect(orders.orders).toHaveLength(3);
    for (const order of orders.orders) {
      expect(orders.keys.get(`bench\n${order.idempotencyKey}`)?.response).toEqual({ kind: 'placed', order });
    }
    await engine.close();
  });

  it('run the page checkpoint on a job of their own', async () => {
    const jobs = releaseJobStore();
    const engine = releaseEngine({ createSqliteOrderStore: () => releaseOrderStore(), createSqliteJobStore: () => jobs }, ':memory:');
    const checkpoint = checkpointer(engine.jobs);
    for (let i = 0; i < 3; i++) expect(await checkpoint()).toBeGreaterThanOrEqual(0);
    expect(new Set(jobs.pages).size).toBe(1);
    expect(jobs.pages).toHaveLength(3);
    await engine.close();
  });
});
