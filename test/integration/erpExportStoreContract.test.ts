/**
 * The ErpExportStore's rules (src/orders/sqlErpExportStore.ts), on both
 * engines: a SQLite file and a real PostgreSQL (test/support/postgresServer.ts),
 * parameterised as orderStoreContract.test.ts is:
 *
 * - one export per store order, for good: a second create answers the
 *   first, also when 20 race (on PostgreSQL, separate pool connections);
 * - every transition names the states it is valid from, and may require the
 *   call count it read and that no call is in flight; otherwise nothing is
 *   written (status, fields, history);
 * - of 20 concurrent transitions from one state exactly one applies;
 * - the work list (inStatus) oldest first, the listing newest first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpExportStore, NewErpExport } from '../../src/orders/erpExportStore.js';
import { createSqlErpExportStore } from '../../src/orders/sqlErpExportStore.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());
let n = 0;

const intent = (storeOrderId = `so-${n++}`): NewErpExport => ({
  storeOrderId,
  customerReference: storeOrderId,
  status: 'PENDING',
  lines: [{ lineNumber: 1, storeLineId: '1', sku: 'A-1', itemNumber: 'A-1', quantity: 2, status: 'PENDING', erpLineNumber: null, error: null }],
  lastError: null,
  jobId: null,
});

for (const name of RECORD_ENGINES) {
  describe.skipIf(!engineAvailable(name))(`${name} ERP export store`, () => {
    let s: ErpExportStore;
    beforeAll(async () => {
      s = createSqlErpExportStore(await engines.fresh(name));
    });

    it('one export per store order, for good, also when 20 creators race', async () => {
      const first = await s.create(intent('so-once'), 'intent stored');
      expect(first).toMatchObject({ created: true, record: { storeOrderId: 'so-once', status: 'PENDING', attempts: 0, abandoned: [], step: null, sendingSince: null } });
      const again = await s.create({ ...intent('so-once'), status: 'SKIPPED' }, 'again');
      expect(again).toMatchObject({ created: false, record: { id: first.record.id, status: 'PENDING' } });
      const racers = await Promise.all(Array.from({ length: 20 }, () => s.create(intent('so-race'), 'racer')));
      expect(racers.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(racers.map((r) => r.record.id)).size).toBe(1);
      expect((await s.events(racers[0]!.record.id)).map((e) => [e.from, e.to])).toEqual([[null, 'PENDING']]);
      expect((await s.list({ storeOrderId: 'so-race' }, 0, 10)).total).toBe(1);
    });

    it('a transition from a state the export is not in, with another call count, or while a call is in flight, writes nothing', async () => {
      const { record } = await s.create(intent(), 'intent stored');
      // Mark a call in flight (the exporter's begin): counted, compare-and-set on what was read.
      const begun = await s.transition(record.id, 'PENDING', 'AddBatchHead started', { from: ['PENDING'], attempts: 0, idle: true, set: { attempts: 1, sendingSince: '2030-01-01T00:00:00.000Z', step: 'HEAD' } });
      expect(begun).toMatchObject({ applied: true, record: { attempts: 1, step: 'HEAD', sendingSince: '2030-01-01T00:00:00.000Z' } });
      // A second begin on the same read: the call count moved.
      expect((await s.transition(record.id, 'PENDING', 'twice', { from: ['PENDING'], attempts: 0, set: { attempts: 1 } })).applied).toBe(false);
      // A retry (idle only) cannot overtake the call in flight.
      expect((await s.transition(record.id, 'FAILED', 'retry', { from: ['PENDING'], idle: true })).applied).toBe(false);
      // Nor a move from a state it is not in.
      const wrong = await s.transition(record.id, 'CONFIRMED', 'late', { from: ['OPEN'], set: { orderNumber: '1000000009' } });
      expect(wrong).toMatchObject({ applied: false, record: { status: 'PENDING', orderNumber: null } });
      const opened = await s.transition(record.id, 'OPEN', 'batch head added', { from: ['PENDING'], attempts: 1, set: { sendingSince: null, step: null, batchOrderNumber: 'T000000001', lastError: null } });
      expect(opened).toMatchObject({ applied: true, record: { status: 'OPEN', batchOrderNumber: 'T000000001', sendingSince: null, step: null } });
      const lines = opened.record.lines.map((l) => ({ ...l, status: 'REFUSED' as const, error: { code: 'UPSTREAM_ERROR', message: 'no item', field: 'ITNO', errorCode: 'WITNO03' } }));
      const partial = await s.transition(record.id, 'PARTIAL', 'a line refused', { from: ['OPEN', 'UNKNOWN'], set: { lines, lastError: lines[0]!.error, abandoned: ['T000000000'] } });
      expect(partial.record).toMatchObject({ status: 'PARTIAL', abandoned: ['T000000000'], lastError: { field: 'ITNO' }, lines: [{ status: 'REFUSED', error: { errorCode: 'WITNO03' } }] });
      expect(await s.get(record.id)).toEqual(partial.record);
      expect((await s.events(record.id)).map((e) => e.to)).toEqual(['PENDING', 'OPEN', 'PARTIAL']);
    });

    it('20 concurrent transitions from one state: exactly one applies', async () => {
      const { record } = await s.create(intent(), 'intent stored');
      const targets = ['OPEN', 'FAILED', 'UNKNOWN', 'SKIPPED'] as const;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.transition(record.id, targets[i % targets.length]!, `racer ${i}`, { from: ['PENDING'], attempts: 0 })));
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      expect((await s.events(record.id)).length).toBe(2);
    });

    it('work lists oldest first, the listing newest first, filtered', async () => {
      const a = (await s.create(intent('so-list-a'), 'x')).record;
      const b = (await s.create(intent('so-list-b'), 'x')).record;
      const pending = (await s.inStatus(['PENDING'], 1_000)).map((r) => r.id);
      expect(pending.indexOf(a.id)).toBeLessThan(pending.indexOf(b.id));
      const listed = (await s.list({ status: ['PENDING'] }, 0, 1_000)).items.map((r) => r.id);
      expect(listed.indexOf(b.id)).toBeLessThan(listed.indexOf(a.id));
      expect(await s.byStoreOrder('so-list-b')).toEqual(b);
      expect(await s.byStoreOrder('no-such-order')).toBeUndefined();
      await expect(s.transition('00000000-0000-4000-8000-000000000000', 'OPEN', 'x', { from: ['PENDING'] })).rejects.toThrow(/no ERP order export/);
    });
  });
}
