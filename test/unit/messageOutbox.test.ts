/**
 * The message outbox's passes (src/messaging/messageOutbox.ts) on a SQLite
 * record store and a scripted Messaging whose sends answer when the test
 * says: a send that has not been answered yet never holds back a message
 * that fell due after it (a pass that waited for all its sends left the
 * number's budget idle until its slowest send came back — seen as a send
 * rate of about half the number's bound in bench/whatsappSend.ts), and no
 * more than `concurrency` sends are in flight at once.
 *
 * Assertions are about which sends were made while which others were
 * unanswered (orders), bounded by waits that end by themselves, never about
 * how fast a machine is.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Messaging, MessageAck, OutgoingMessage } from '../../src/domain/messagingPorts.js';
import { createMessageOutbox, type MessageOutbox } from '../../src/messaging/messageOutbox.js';
import type { MessageStore } from '../../src/messaging/messageStore.js';
import { createSqlMessageStore } from '../../src/messaging/sqlMessageStore.js';
import { createLogger } from '../../src/observability/logger.js';
import { recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

/** A Messaging whose every send waits until the test answers it. */
function scriptedMessaging() {
  const pending = new Map<string, { message: OutgoingMessage; answer: () => void }>();
  const sent: string[] = [];
  let n = 0;
  const messaging: Messaging = {
    name: 'scripted',
    displayName: 'Scripted',
    template: { name: 'product_offer', language: 'en_US' },
    customerWindowMs: 24 * 3_600_000,
    maxProducts: 30,
    maxBodyLength: 1024,
    recipientIntervalMs: 6_000,
    readyIn: () => 0,
    send: (message) =>
      new Promise<MessageAck>((resolve) => {
        sent.push(message.to);
        pending.set(message.to, { message, answer: () => resolve({ vendorMessageId: `wamid.${n++}` }) });
      }),
    onEvents: () => undefined,
  };
  return {
    messaging,
    sent,
    inFlight: () => pending.size,
    answer(to: string) {
      const p = pending.get(to);
      if (!p) throw new Error(`no send to ${to} in flight`);
      pending.delete(to);
      p.answer();
    },
    answerAll() {
      for (const to of [...pending.keys()]) this.answer(to);
    },
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let k = 0;
const queue = (store: MessageStore, to: string) =>
  store.create({ client: 'ops', idempotencyKey: `key-${k++}`, requestHash: 'h', recipient: to, products: [{ storeId: '10000002', retailerId: 'BX-1', name: 'Brake Chamber' }], body: 'Here it is' });

describe('message outbox passes', () => {
  let outbox: MessageOutbox | undefined;
  let release: (() => void) | undefined;
  afterEach(async () => {
    release?.();
    await outbox?.stop();
    outbox = undefined;
  });

  it('sends a message that fell due while an earlier send is still unanswered', async () => {
    const store = createSqlMessageStore(await engines.fresh('sqlite'));
    const vendor = scriptedMessaging();
    release = () => vendor.answerAll();
    outbox = createMessageOutbox({ store, messaging: vendor.messaging, logger: createLogger({ level: 'silent' }), publish: () => undefined, tickMs: 20 });
    await queue(store, '+14155550101');
    outbox.start();
    await until('the first send is made', () => vendor.sent.includes('+14155550101'));
    // The first send is unanswered (a slow vendor, or a wait for the number's budget); another falls due.
    await queue(store, '+14155550102');
    outbox.kick();
    await until('the second send is made while the first is unanswered', () => vendor.sent.includes('+14155550102'));
    expect(vendor.inFlight()).toBe(2);
    vendor.answerAll();
    await until('both are SENT', async () => (await store.due(new Date(Date.now() + 60_000).toISOString(), 10)).length === 0 && vendor.inFlight() === 0);
  });

  it('keeps no more than its concurrency in flight, and sends the rest as room frees', async () => {
    const store = createSqlMessageStore(await engines.fresh('sqlite'));
    const vendor = scriptedMessaging();
    release = () => vendor.answerAll();
    outbox = createMessageOutbox({ store, messaging: vendor.messaging, logger: createLogger({ level: 'silent' }), publish: () => undefined, tickMs: 20, concurrency: 3 });
    const recipients = Array.from({ length: 7 }, (_, i) => `+1415555020${i}`);
    for (const to of recipients) await queue(store, to);
    outbox.start();
    await until('three sends are made', () => vendor.sent.length === 3);
    // Several passes later, still three: none past the concurrency.
    for (let i = 0; i < 5; i++) {
      outbox.kick();
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(vendor.sent).toHaveLength(3);
    for (let round = 0; vendor.sent.length < recipients.length; round++) {
      if (round > 10) throw new Error(`only ${vendor.sent.length} of ${recipients.length} sent`);
      const before = vendor.sent.length;
      vendor.answerAll();
      await until('the next sends are made', () => vendor.sent.length > before);
      expect(vendor.inFlight()).toBeLessThanOrEqual(3);
    }
    expect(new Set(vendor.sent)).toEqual(new Set(recipients));
  });
});
