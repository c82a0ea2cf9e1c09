/**
 * Contract tests of the WhatsApp Cloud API simulator, over real HTTP on
 * loopback. Expectations come from upstreams.md ("TikTok and WhatsApp") —
 * the send endpoint's bodies and reply, the error shape keyed on `code`
 * (130429 throughput, 131056 pair rate, 131047 re-engagement, 131026
 * undeliverable, 190 token), the 24-hour window, the product-list rules, the
 * verification handshake and the signed status webhooks — and are checked
 * on the wire by a receiver of this test's own, not against the sandbox's
 * types.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { resetSandbox, sandboxStats, startSandbox } from '../support/sandbox.js';

/** Wire bodies are checked field by field, not typed with the sandbox's own types. */
type Json = any;

const SECRET = 'sandbox-whatsapp-secret';
let sb: Sandbox;
let api: string;
let origin: string;
let skus: string[];

/** A webhook receiver: answers the handshake with `challengeAnswer`, records signed POSTs. */
interface Received {
  body: Json;
  signatureOk: boolean;
}
let receiver: Server;
let receiverUrl = '';
let received: Received[] = [];
let challengeAnswer: 'echo' | 'wrong' = 'echo';
let postStatus = 200;

let user = 14155550100;
/** A fresh recipient each time (the pair rate applies per recipient). */
const nextUser = () => `+${++user}`;

async function send(body: Json, token = 'sandbox-whatsapp-token', phone = 'sandbox-phone') {
  const res = await fetch(`${api}/${phone}/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
async function admin(path: string, body?: unknown) {
  const res = await fetch(`${origin}/__sandbox/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
const product = (to: string, retailerId = skus[0]!, extra: Json = {}) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  type: 'interactive',
  interactive: { type: 'product', body: { text: 'Here it is' }, action: { catalog_id: 'sandbox-catalog', product_retailer_id: retailerId } },
  ...extra,
});
const productList = (to: string, sections: Json[], header: Json = { type: 'text', text: 'Parts' }) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'interactive',
  interactive: { type: 'product_list', header, body: { text: 'For your truck' }, action: { catalog_id: 'sandbox-catalog', sections } },
});
const template = (to: string, name = 'crossdock_products', parameters: Json[] = [{ type: 'text', text: 'New parts' }]) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: { name, language: { code: 'en_US' }, components: [{ type: 'body', parameters }] },
});
const statusesFor = (id: string) => received.flatMap((r) => r.body.entry.flatMap((e: Json) => e.changes.flatMap((c: Json) => (c.value.statuses ?? []).filter((s: Json) => s.id === id))));
async function until<T>(what: string, check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const inbound = (from: string) => admin('inbound', { from, text: 'Do you have brake chambers?' });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === 'sandbox-verify';
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(ok ? (challengeAnswer === 'echo' ? (url.searchParams.get('hub.challenge') ?? '') : 'nope') : 'forbidden');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      received.push({ body: JSON.parse(raw.toString('utf8')), signatureOk: req.headers['x-hub-signature-256'] === expected });
      res.writeHead(postStatus);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  sb = await startSandbox({ parts: 200, whatsapp: { statusDelaysMs: { sent: 5, delivered: 15, read: 30 } } });
  api = sb.whatsapp.apiBase;
  origin = sb.whatsapp.url;
  skus = [...sb.bigcommerce.origin.productsBySku().keys()].slice(0, 40);
  expect((await admin('webhook', { url: receiverUrl })).status).toBe(200);
});
afterAll(async () => {
  await sb?.close();
  await new Promise<void>((r) => receiver?.close(() => r()));
});
beforeEach(async () => {
  await sb.whatsapp.origin.webhooksIdle(5_000);
  received = [];
  postStatus = 200;
  challengeAnswer = 'echo';
  await admin('limits', { messagesPerSecond: 80, pairIntervalMs: 6_000 });
});

describe('the send endpoint', () => {
  it('takes a product message inside the window: the vendor reply, then sent, delivered, read webhooks, signed, with the callback data', async () => {
    const to = nextUser();
    const opened = await inbound(to);
    expect(opened.body.windowOpenUntil).toEqual(expect.any(String));
    const res = await send(product(to, skus[0], { biz_opaque_callback_data: 'ref-1' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.slice(1) }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    const id = res.body.messages[0].id as string;
    const statuses = await until('three statuses', () => (statusesFor(id).length >= 3 ? statusesFor(id) : undefined));
    expect(statuses.map((s: Json) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const s of statuses) expect(s).toMatchObject({ id, recipient_id: to.slice(1), biz_opaque_callback_data: 'ref-1', timestamp: expect.stringMatching(/^\d{10}$/) });
    expect(received.every((r) => r.signatureOk)).toBe(true);
    expect(received[0]!.body).toMatchObject({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'sandbox-phone' } } }] }] });
  });

  it('the inbound message itself arrives as a signed messages webhook', async () => {
    const to = nextUser();
    await inbound(to);
    const got = await until('the inbound webhook', () => received.find((r) => r.body.entry[0].changes[0].value.messages));
    expect(got.signatureOk).toBe(true);
    expect(got.body.entry[0].changes[0].value.messages[0]).toMatchObject({ from: to.slice(1), type: 'text', text: { body: 'Do you have brake chambers?' } });
  });

  it('outside the 24-hour window an interactive message is accepted, then fails with 131047; a template goes', async () => {
    const to = nextUser();
    const res = await send(product(to));
    expect(res.status).toBe(200);
    const id = res.body.messages[0].id as string;
    const [failed] = await until('the failed status', () => (statusesFor(id).length ? statusesFor(id) : undefined));
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message' }] });
    const other = nextUser();
    const tpl = await send(template(other));
    expect(tpl.status).toBe(200);
    const tid = tpl.body.messages[0].id as string;
    expect((await until('template statuses', () => (statusesFor(tid).length >= 3 ? statusesFor(tid) : undefined))).map((s: Json) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('an undeliverable number: accepted, then failed with 131026', async () => {
    const res = await send(template('+14155550000'));
    const id = res.body.messages[0].id as string;
    const [failed] = await until('the failed status', () => (statusesFor(id).length ? statusesFor(id) : undefined));
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131026 }] });
  });

  it('product lists: 1–10 sections, at most 30 products, a title per section when several, catalog products only', async () => {
    const to = nextUser();
    await inbound(to);
    const items = (n: number, from = 0) => skus.slice(from, from + n).map((id) => ({ product_retailer_id: id }));
    const refusedWith = async (body: Json) => {
      const res = await send(body);
      expect(res.status).toBe(400);
      return res.body.error;
    };
    expect(await refusedWith(productList(to, [{ product_items: items(31) }]))).toMatchObject({ code: 131009, error_data: { details: expect.stringMatching(/at most 30/) } });
    expect(await refusedWith(productList(to, [{ product_items: items(2) }, { product_items: items(2, 2) }]))).toMatchObject({ code: 131009 });
    expect(await refusedWith(productList(to, Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, product_items: items(1, i) }))))).toMatchObject({ code: 100 });
    expect(await refusedWith(productList(to, [{ product_items: [{ product_retailer_id: 'NO-SUCH-SKU' }] }]))).toMatchObject({ code: 131009, error_data: { details: expect.stringContaining('NO-SUCH-SKU') } });
    expect(await refusedWith({ ...productList(to, [{ product_items: items(2) }]), interactive: { ...productList(to, [{ product_items: items(2) }]).interactive, header: undefined } })).toMatchObject({ code: 100 });
    expect(await refusedWith(product(to, skus[0], { interactive: { type: 'product', action: { catalog_id: 'another-catalog', product_retailer_id: skus[0] } } }))).toMatchObject({ code: 131009 });
    const ok = await send(productList(to, [{ title: 'Brakes', product_items: items(2) }, { title: 'Filters', product_items: items(3, 2) }]));
    expect(ok.status).toBe(200);
  });

  it('templates: an unknown one is 132001, the wrong number of parameters 132000', async () => {
    expect((await send(template(nextUser(), 'no_such_template'))).body.error).toMatchObject({ code: 132001, type: 'OAuthException', fbtrace_id: expect.any(String), error_data: { messaging_product: 'whatsapp' } });
    expect((await send(template(nextUser(), 'crossdock_products', []))).body.error).toMatchObject({ code: 132000 });
  });

  it('the pair rate: a second message to one user within the interval is 131056, another user is fine', async () => {
    await admin('limits', { pairIntervalMs: 400 });
    const to = nextUser();
    expect((await send(template(to))).status).toBe(200);
    const again = await send(template(to));
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 131056, message: expect.stringMatching(/pair rate limit/) });
    expect((await send(template(nextUser()))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 450));
    expect((await send(template(to))).status).toBe(200);
  });

  it('throughput: past the number’s messages per second, 130429, counted as throttled', async () => {
    // One a second, a bucket of one: of 8 sends at once, at most 1 + (seconds they took) go.
    // The bound counts the refill the sends' own time allowed, so a busy host (a full suite
    // once took long enough at 5/s that only 2 of 8 were refused) cannot break it.
    await admin('limits', { messagesPerSecond: 1 });
    await resetSandbox(origin);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => send(template(nextUser()))));
    const seconds = (performance.now() - started) / 1000;
    const refused = results.filter((r) => r.status === 400);
    expect(results.length - refused.length).toBeLessThanOrEqual(1 + Math.floor(seconds));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r.body.error).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit' });
    expect((await sandboxStats(origin)).throttled).toBe(refused.length);
    expect((await admin('messages')).body.refused['130429']).toBe(refused.length);
  });

  it('auth: a wrong token is 401 with code 190; an expired one 190 with subcode 463', async () => {
    const wrong = await send(template(nextUser()), 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    await admin('token', { expired: true });
    try {
      const expired = await send(template(nextUser()));
      expect(expired.status).toBe(401);
      expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463 });
    } finally {
      await admin('token', { expired: false });
    }
  });

  it('malformed requests: 100, with what is wrong; an unknown phone number id: 100', async () => {
    expect((await send({ to: nextUser(), type: 'text', text: { body: 'x' } })).body.error).toMatchObject({ code: 100 });
    expect((await send({ messaging_product: 'whatsapp', to: '555-0100', type: 'text', text: { body: 'x' } })).body.error).toMatchObject({ code: 100, error_data: { details: expect.stringContaining('to') } });
    expect((await send(template(nextUser()), 'sandbox-whatsapp-token', 'other-phone')).body.error).toMatchObject({ code: 100, message: expect.stringMatching(/does not exist/) });
  });
});

describe('webhook registration and delivery', () => {
  it('registers a URL only after the handshake echoes the challenge', async () => {
    challengeAnswer = 'wrong';
    const refused = await admin('webhook', { url: `${receiverUrl}?x=1` });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ verified: false, status: 200 });
    // Still the verified URL from before.
    expect((await admin('webhook')).body).toMatchObject({ url: receiverUrl, verified: true });
  });

  it('retries a delivery the receiver did not take (non-2xx)', async () => {
    postStatus = 503;
    const to = nextUser();
    await inbound(to);
    await until('a failed delivery', () => (received.length >= 1 ? true : undefined));
    postStatus = 200;
    expect(await sb.whatsapp.origin.webhooksIdle(10_000)).toBe(true);
    const deliveries = received.filter((r) => r.body.entry[0].changes[0].value.messages?.[0]?.from === to.slice(1));
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(sb.whatsapp.origin.counters().webhooks.retried).toBeGreaterThanOrEqual(1);
  });

  it('can deliver every status twice, and a message’s statuses shuffled', async () => {
    expect((await admin('webhook', { url: receiverUrl, duplicate: true, shuffle: true })).status).toBe(200);
    try {
      const res = await send(template(nextUser()));
      const id = res.body.messages[0].id as string;
      const statuses = await until('six deliveries', () => (statusesFor(id).length >= 6 ? statusesFor(id) : undefined));
      expect(statuses.map((s: Json) => s.status).sort()).toEqual(['delivered', 'delivered', 'read', 'read', 'sent', 'sent']);
    } finally {
      await admin('webhook', { url: receiverUrl });
    }
  });
});
