/**
 * The WhatsApp twin's webhook sender delivers one message's statuses in the
 * order it was given them: the next waits until the one before was taken (or
 * given up). Without that, concurrent POSTs overtook each other on a busy
 * host and a full suite saw `sent, read, delivered` for an in-order message;
 * disorder is the `shuffle` option's job (upstreams.md: "Statuses may skip
 * `delivered` and arrive out of order" — the twin does that when asked).
 * Pinned with a receiver that refuses a message's first status once, so the
 * vendor-style retry (200 ms later) has to come before the second status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender, type WebhookSender } from '../../src/sandbox/whatsapp/webhooks.js';

let receiver: Server;
let url = '';
/** Bodies the receiver answered 2xx, in the order it took them. */
const taken: string[] = [];
/** Bodies to refuse (503) the first time they arrive. */
const refuseOnce = new Set<string>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      res.end(u.searchParams.get('hub.challenge') ?? '');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const tag = (JSON.parse(Buffer.concat(chunks).toString()) as { tag: string }).tag;
      if (refuseOnce.delete(tag)) {
        res.statusCode = 503;
        res.end();
        return;
      }
      taken.push(tag);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

describe('the WhatsApp twin’s webhook sender', () => {
  it('delivers one message’s statuses in order, even when the first needs a retry; another message is not held up', async () => {
    const sender: WebhookSender = createWebhookSender({ appSecret: 's', verifyToken: 'v' });
    try {
      expect((await sender.register(url)).verified).toBe(true);
      refuseOnce.add('m1-sent');
      sender.send({ tag: 'm1-sent' }, 'm1');
      sender.send({ tag: 'm1-delivered' }, 'm1');
      sender.send({ tag: 'm2-sent' }, 'm2');
      sender.send({ tag: 'm1-read' }, 'm1');
      expect(await sender.idle(10_000)).toBe(true);
      expect(taken.filter((t) => t.startsWith('m1-'))).toEqual(['m1-sent', 'm1-delivered', 'm1-read']);
      // m2 went while m1's first status waited for its retry.
      expect(taken.indexOf('m2-sent')).toBeLessThan(taken.indexOf('m1-sent'));
      expect(sender.counters()).toMatchObject({ delivered: 4, retried: 1, failed: 0, pending: 0 });
    } finally {
      sender.close();
    }
  });
});
