/**
 * The MessageStore's rules (src/messaging/sqlMessageStore.ts, migration
 * 0007) on both engines — a SQLite file and a real PostgreSQL
 * (test/support/postgresServer.ts) — parameterised as
 * orderStoreContract.test.ts is:
 *
 * - one message per (client, key), for good: 30 concurrent creates with one
 *   key make one row (on PostgreSQL, separate pool connections racing);
 * - a change reads the message locked and writes what the decision says,
 *   with its history entry, in one transaction: 20 concurrent decisions that
 *   each start attempt n+1 from what they read — one wins;
 * - a decision that says nothing writes nothing;
 * - the vendor's message id names one message;
 * - the due list (QUEUED, due by now, oldest first) and the stalled sends;
 * - a customer's window only moves forwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStore, NewMessage } from '../../src/messaging/messageStore.js';
import { createSqlMessageStore } from '../../src/messaging/sqlMessageStore.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());
let n = 0;
const intent = (key = `k-${n++}`, over: Partial<NewMessage> = {}): NewMessage => ({
  client: 'ops',
  idempotencyKey: key,
  requestHash: `hash-${key}`,
  recipient: '+14155550123',
  products: [{ storeId: '10000002', retailerId: 'BX-1', name: 'Brake Chamber' }],
  body: 'Here it is',
  ...over,
});

for (const name of RECORD_ENGINES) {
  describe.skipIf(!engineAvailable(name))(`${name} message store`, () => {
    let s: MessageStore;
    beforeAll(async () => {
      s = createSqlMessageStore(await engines.fresh(name));
    });

    it('creates one message per client and key, however many ask at once', async () => {
      const results = await Promise.all(Array.from({ length: 30 }, () => s.create(intent('same-key'))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const ids = new Set(results.map((r) => r.message.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      expect(await s.events(id!)).toEqual([{ messageId: id, at: expect.any(String), from: null, to: 'QUEUED', reason: 'intent stored', vendorAt: null }]);
      expect((await s.byKey('ops', 'same-key'))?.id).toBe(id);
      // Another client's same key is another message.
      expect((await s.create(intent('same-key', { client: 'other' }))).created).toBe(true);
      const m = results[0]!.message;
      expect(m).toMatchObject({ status: 'QUEUED', attempts: 0, kind: null, templateOnly: false, vendorMessageId: null, errors: [], products: [{ storeId: '10000002', retailerId: 'BX-1', name: 'Brake Chamber' }] });
    });

    it('writes what a decision says on the message as it is, with its history; one of 20 racing decisions wins', async () => {
      const { message } = await s.create(intent());
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          s.change(message.id, (m) => (m.status === 'QUEUED' && m.attempts === 0 ? { to: 'SENDING', reason: 'attempt 1', set: { attempts: 1, kind: 'PRODUCT', sendingSince: new Date().toISOString() } } : null)),
        ),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      const now = await s.get(message.id);
      expect(now).toMatchObject({ status: 'SENDING', attempts: 1, kind: 'PRODUCT' });
      expect((await s.events(message.id)).map((e) => [e.from, e.to, e.reason])).toEqual([
        [null, 'QUEUED', 'intent stored'],
        ['QUEUED', 'SENDING', 'attempt 1'],
      ]);
    });

    it('a decision that says nothing writes nothing; bookkeeping in the same status adds no history', async () => {
      const { message } = await s.create(intent());
      const none = await s.change(message.id, () => null);
      expect(none).toEqual({ applied: false, message });
      const later = new Date(Date.now() + 60_000).toISOString();
      expect((await s.change(message.id, () => ({ to: 'QUEUED', reason: 'paced', set: { nextAttemptAt: later } }))).applied).toBe(true);
      expect((await s.get(message.id))?.nextAttemptAt).toBe(later);
      expect(await s.events(message.id)).toHaveLength(1);
      await expect(s.change('00000000-0000-4000-8000-000000000000', () => null)).rejects.toThrow(/no WhatsApp message/);
    });

    it('adds the vendor’s errors and its time of a status; the vendor id names one message', async () => {
      const { message } = await s.create(intent());
      await s.change(message.id, () => ({ to: 'SENT', reason: 'sent', set: { vendorMessageId: `wamid.${message.id}` } }));
      const err = { code: '131026', title: 'Message undeliverable', message: null, reason: 'UNDELIVERABLE' as const, at: new Date().toISOString() };
      await s.change(message.id, () => ({ to: 'FAILED', reason: 'failed', set: { statusAt: '2030-01-01T00:00:00.000Z' }, addErrors: [err], vendorAt: '2030-01-01T00:00:00.000Z' }));
      const m = await s.byVendorId(`wamid.${message.id}`);
      expect(m).toMatchObject({ id: message.id, status: 'FAILED', statusAt: '2030-01-01T00:00:00.000Z', errors: [err] });
      expect((await s.events(message.id)).at(-1)).toMatchObject({ from: 'SENT', to: 'FAILED', vendorAt: '2030-01-01T00:00:00.000Z' });
      const other = await s.create(intent());
      await expect(s.change(other.message.id, () => ({ to: 'SENT', reason: 'sent', set: { vendorMessageId: `wamid.${message.id}` } }))).rejects.toThrow();
      expect((await s.get(other.message.id))?.status).toBe('QUEUED');
    });

    it('lists due messages oldest first, not those waiting or in flight; and the sends that stalled', async () => {
      const fresh = createSqlMessageStore(await engines.fresh(name));
      const a = (await fresh.create(intent('a'))).message;
      const b = (await fresh.create(intent('b'))).message;
      const c = (await fresh.create(intent('c'))).message;
      await fresh.change(b.id, () => ({ to: 'QUEUED', reason: 'paced', set: { nextAttemptAt: new Date(Date.now() + 60_000).toISOString() } }));
      await fresh.change(c.id, () => ({ to: 'SENDING', reason: 'attempt 1', set: { attempts: 1, sendingSince: new Date(Date.now() - 120_000).toISOString() } }));
      expect((await fresh.due(new Date().toISOString(), 10)).map((m) => m.id)).toEqual([a.id]);
      expect((await fresh.due(new Date(Date.now() + 120_000).toISOString(), 10)).map((m) => m.id)).toEqual([a.id, b.id]);
      expect((await fresh.stalled(new Date(Date.now() - 60_000).toISOString(), 10)).map((m) => m.id)).toEqual([c.id]);
      expect(await fresh.stalled(new Date(Date.now() - 180_000).toISOString(), 10)).toEqual([]);
    });

    it('keeps the later of two customer messages, whatever order they arrive in; a refusal is kept beside it', async () => {
      const who = `+1415555${String(n++).padStart(4, '0')}`;
      expect(await s.contact(who)).toBeUndefined();
      await s.recordInbound(who, '2030-01-02T00:00:00.000Z');
      await s.recordInbound(who, '2030-01-01T00:00:00.000Z');
      await s.recordInbound(who, '2030-01-02T00:00:00.000Z');
      expect(await s.contact(who)).toEqual({ lastInboundAt: '2030-01-02T00:00:00.000Z', windowRefusedAt: null });
      await s.refuseWindow(who, '2030-01-02T05:00:00.000Z');
      await s.refuseWindow(who, '2030-01-02T04:00:00.000Z');
      await s.recordInbound(who, '2030-01-02T06:00:00.000Z');
      expect(await s.contact(who)).toEqual({ lastInboundAt: '2030-01-02T06:00:00.000Z', windowRefusedAt: '2030-01-02T05:00:00.000Z' });
      const never = `+1415556${String(n++).padStart(4, '0')}`;
      await s.refuseWindow(never, '2030-01-02T05:00:00.000Z');
      expect(await s.contact(never)).toEqual({ lastInboundAt: null, windowRefusedAt: '2030-01-02T05:00:00.000Z' });
    });
  });
}
