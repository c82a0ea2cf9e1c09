/**
 * WhatsApp product messages end to end (issue 16, acceptance 5): the real
 * gateway and its embedded sandbox on loopback — the store twin's products,
 * the WhatsApp Cloud twin sending its status webhooks, signed, to the
 * gateway's `/webhooks/whatsapp` — spoken to over HTTP and graphql-sse.
 *
 * - a product message goes SENT → DELIVERED → READ through the twin's signed
 *   webhooks, streamed by the `whatsAppMessage` subscription;
 * - a bad signature is 401 and changes nothing; duplicate and out-of-order
 *   statuses (posted by the test, and delivered twice and shuffled by the
 *   twin) change nothing;
 * - 200 concurrent sends with one key send one message;
 * - 500 messages to distinct recipients are paced to the number's limit:
 *   the twin refuses none with 130429;
 * - outside the 24-hour window the template goes (never written; written 25
 *   hours ago), inside it the interactive forms; a refusal as outside the
 *   window (131047, the gateway believing otherwise) is resent once as the
 *   template;
 * - the pair rate is paced (no 131056), an expired token (190) waits and
 *   recovers with /ready saying so, an undeliverable number fails with
 *   131026, a send whose answer never comes is not resent and its status
 *   events resolve it; input is checked before anything is sent;
 * - the verification handshake.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WhatsAppOrigin } from '../../src/sandbox/whatsapp/app.js';
import { runningTwin } from '../../src/sandbox/twins.js';
import type { RunningOrigin } from '../../src/sandbox/world.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';
import { resetSandbox, sandboxStats, setFaults } from '../support/sandbox.js';

const OPERATOR = `cdk_test_${randomBytes(18).toString('base64url')}`;
const VIEWER = `cdk_test_${randomBytes(18).toString('base64url')}`;
const SECRET = 'sandbox-whatsapp-secret';
/** The recipient interval, short for the test (the twin's pair rate matches it). */
const PAIR_MS = 1_000;

let gw: TestGateway;
let wa: RunningOrigin<WhatsAppOrigin>;
let productIds: string[];
let user = 14155551000;
const nextUser = () => `+${++user}`;
let keys = 0;
const key = () => `wa-test-${++keys}-${randomBytes(4).toString('hex')}`;

interface MessageView {
  id: string;
  status: string;
  kind: string | null;
  to: string;
  vendorMessageId: string | null;
  attempts: number;
  errors: Array<{ code: string; title: string; message: string | null }>;
  history: Array<{ from: string | null; to: string; reason: string; vendorAt: string | null }>;
}
const FIELDS = `id status kind to vendorMessageId attempts errors { code title message } history { from to reason vendorAt }`;
const SEND = `mutation Send($in: SendProductMessageInput!) { sendProductMessage(input: $in) { replayed message { ${FIELDS} } } }`;

async function send(input: { to: string; productIds: string[]; body?: string; idempotencyKey: string }, apiKey = OPERATOR) {
  const res = await gw.gql<GqlBody>(SEND, { in: input }, { 'x-api-key': apiKey });
  const payload = res.body.data?.sendProductMessage as { replayed: boolean; message: MessageView } | undefined;
  return { res, payload, code: res.body.errors?.[0]?.extensions?.code as string | undefined };
}
async function message(id: string): Promise<MessageView> {
  const res = await gw.gql(`query($id: ID!) { whatsAppMessage(id: $id) { ${FIELDS} } }`, { id }, { 'x-api-key': VIEWER });
  return res.body.data?.whatsAppMessage as MessageView;
}
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const statusIs = (id: string, ...statuses: string[]) => until(`message ${id} to be ${statuses.join(' or ')}`, async () => {
  const m = await message(id);
  return statuses.includes(m.status) ? m : undefined;
});
async function twin(path: string, body?: unknown) {
  const res = await fetch(`${wa.url}/__sandbox/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}
const twinMessagesTo = (to: string) => wa.origin.messages().filter((m) => m.user === to.slice(1));
/** A customer writes (through the twin, whose webhook tells the gateway). */
async function customerWrites(to: string) {
  await twin('inbound', { from: to, text: 'Hi! Brake parts?' });
  await wa.origin.webhooksIdle();
}

/** A webhook body as WhatsApp sends it, for this number. */
const envelope = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'sandbox-waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550100000', phone_number_id: 'sandbox-phone' }, ...value } }] }],
});
const statusBody = (vendorMessageId: string, to: string, status: string, extra: Record<string, unknown> = {}) =>
  envelope({ statuses: [{ id: vendorMessageId, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to.slice(1), ...extra }] });
async function postWebhook(body: unknown, signWith: string | null = SECRET, raw?: string) {
  const text = raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signWith !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', signWith).update(JSON.stringify(body)).digest('hex')}`;
  const res = await fetch(`${gw.url}/webhooks/whatsapp`, { method: 'POST', headers, body: text });
  return res.status;
}

beforeAll(async () => {
  gw = await startGateway(
    {
      CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},look:viewer:${VIEWER}`,
      WHATSAPP_RECIPIENT_INTERVAL_MS: String(PAIR_MS),
      MESSAGE_RETRY_STEP_MS: '100',
      UPSTREAM_HEADERS_TIMEOUT_MS: '1500',
      BREAKER_FAILURE_THRESHOLD: '1000',
    },
    { parts: 300, bigcommerce: { quota: 10_000 }, whatsapp: { pairIntervalMs: PAIR_MS, statusDelaysMs: { sent: 30, delivered: 90, read: 180 } } },
  );
  wa = runningTwin(gw.sandbox, 'whatsapp')!;
  expect(wa).toBeDefined();
  const res = await gw.gql(`{ products(first: 40) { edges { node { id sku } } } }`, {}, { 'x-api-key': VIEWER });
  productIds = (res.body.data?.products as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node.id);
  expect(productIds.length).toBe(40);
}, 60_000);
afterAll(async () => gw?.close());
beforeEach(async () => {
  await wa.origin.webhooksIdle();
  await twin('statuses', { readReceipts: true, delaysMs: { sent: 30, delivered: 90, read: 180 } });
});

describe('webhooks in', () => {
  it('answers the verification handshake for the configured verify token only', async () => {
    const ok = await fetch(`${gw.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=sandbox-verify&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    for (const q of ['hub.mode=subscribe&hub.verify_token=sandbox-verifz&hub.challenge=1', 'hub.mode=unsubscribe&hub.verify_token=sandbox-verify&hub.challenge=1', 'hub.mode=subscribe&hub.challenge=1']) {
      expect((await fetch(`${gw.url}/webhooks/whatsapp?${q}`)).status, q).toBe(403);
    }
    // The twin registered the gateway's route through the same handshake when the gateway started.
    expect(await twin('webhook')).toMatchObject({ url: `${gw.url}/webhooks/whatsapp`, verified: true });
  });
});

describe('a product message', () => {
  it('goes SENT → DELIVERED → READ through signed webhooks, streamed over graphql-sse', async () => {
    // Slow enough statuses that the stream sees each one.
    await twin('statuses', { delaysMs: { sent: 300, delivered: 900, read: 1_500 } });
    const to = nextUser();
    await customerWrites(to);
    const sent = await send({ to, productIds: [productIds[0]!], body: 'The brake chamber you asked about', idempotencyKey: key() });
    expect(sent.res.body.errors).toBeUndefined();
    expect(sent.payload).toMatchObject({ replayed: false, message: { status: 'SENT', kind: 'PRODUCT', to: `+14*******${to.slice(-2)}`, attempts: 1 } });
    const id = sent.payload!.message.id;
    const client = createSseClient({ url: `${gw.url}/graphql/stream`, headers: () => ({ 'x-api-key': VIEWER }), retryAttempts: 0 });
    const seen: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe({ query: `subscription($id: ID!) { whatsAppMessage(id: $id) { status } }`, variables: { id } }, {
          next: (v) => seen.push((v.data as { whatsAppMessage: { status: string } }).whatsAppMessage.status),
          error: reject,
          complete: resolve,
        });
      });
    } finally {
      client.dispose();
    }
    expect(seen[0]).toBe('SENT');
    expect(seen.at(-1)).toBe('READ');
    expect(seen).toContain('DELIVERED');
    const m = await message(id);
    expect(m.history.map((h) => `${h.from}→${h.to}`)).toEqual(['null→QUEUED', 'QUEUED→SENDING', 'SENDING→SENT', 'SENT→DELIVERED', 'DELIVERED→READ']);
    expect(m.history.slice(-2).every((h) => h.vendorAt !== null)).toBe(true);
    // One message at the twin, the interactive product.
    expect(twinMessagesTo(to)).toHaveLength(1);
    expect(twinMessagesTo(to)[0]).toMatchObject({ type: 'interactive', interactive: 'product', products: [expect.any(String)], reference: `cd1:${id}:1` });
  });

  it('a bad signature is 401 and changes nothing; the same body signed is applied', async () => {
    await twin('statuses', { readReceipts: false });
    const to = nextUser();
    await customerWrites(to);
    const { payload } = await send({ to, productIds: productIds.slice(0, 3), idempotencyKey: key() });
    const id = payload!.message.id;
    const delivered = await statusIs(id, 'DELIVERED');
    await wa.origin.webhooksIdle();
    const read = statusBody(delivered.vendorMessageId!, to, 'read');
    expect(await postWebhook(read, 'not-the-app-secret')).toBe(401);
    expect(await postWebhook(read, null)).toBe(401);
    // Signed, but not over these bytes (one space added).
    expect(await postWebhook(read, SECRET, `${JSON.stringify(read)} `)).toBe(401);
    expect(await message(id)).toEqual(delivered);
    expect(await postWebhook(read)).toBe(200);
    expect((await message(id)).status).toBe('READ');
  });

  it('duplicate and out-of-order statuses change nothing, from the test and from the twin (twice, shuffled)', async () => {
    const to = nextUser();
    await customerWrites(to);
    const { payload } = await send({ to, productIds: productIds.slice(0, 2), idempotencyKey: key() });
    const done = await statusIs(payload!.message.id, 'READ');
    await wa.origin.webhooksIdle();
    for (const status of ['delivered', 'sent', 'read', 'failed', 'read']) {
      expect(await postWebhook(statusBody(done.vendorMessageId!, to, status, status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}))).toBe(200);
    }
    expect(await message(done.id)).toEqual(done);

    // The twin now delivers every status twice and a message's statuses in random order.
    await twin('webhook', { url: `${gw.url}/webhooks/whatsapp`, duplicate: true, shuffle: true });
    try {
      const finals: MessageView[] = [];
      for (let i = 0; i < 5; i++) {
        const who = nextUser();
        await customerWrites(who);
        const s = await send({ to: who, productIds: [productIds[i]!], idempotencyKey: key() });
        await wa.origin.webhooksIdle();
        finals.push(await statusIs(s.payload!.message.id, 'READ'));
      }
      for (const m of finals) {
        const path = m.history.map((h) => h.to);
        // Forwards only, each status once.
        expect(new Set(path).size, path.join(',')).toBe(path.length);
        expect(path.at(-1)).toBe('READ');
        expect(path.indexOf('DELIVERED') === -1 || path.indexOf('DELIVERED') < path.indexOf('READ')).toBe(true);
      }
    } finally {
      await twin('webhook', { url: `${gw.url}/webhooks/whatsapp` });
    }
  });

  it('200 concurrent sends with one key send one message; the same key with other input is a conflict', async () => {
    const to = nextUser();
    await customerWrites(to);
    const k = key();
    const before = wa.origin.counters().accepted;
    const results = await Promise.all(Array.from({ length: 200 }, () => send({ to, productIds: [productIds[5]!], idempotencyKey: k })));
    for (const r of results) expect(r.res.body.errors, JSON.stringify(r.res.body.errors)).toBeUndefined();
    const ids = new Set(results.map((r) => r.payload!.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.payload!.replayed)).toHaveLength(1);
    await statusIs([...ids][0]!, 'READ');
    expect(wa.origin.counters().accepted - before).toBe(1);
    expect(twinMessagesTo(to)).toHaveLength(1);
    const other = await send({ to, productIds: [productIds[6]!], idempotencyKey: k });
    expect(other.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(other.res.body.errors?.[0]?.extensions?.reason).toBe('KEY_REUSED');
  });

  it('500 messages to distinct recipients are paced to the number’s limit: the twin refuses none with 130429', async () => {
    await resetSandbox(wa.url);
    const limit = ((await twin('limits')) as { messagesPerSecond: number }).messagesPerSecond;
    expect(limit).toBe(80);
    const recipients = Array.from({ length: 500 }, () => nextUser());
    const started = Date.now();
    const answers = [];
    // In waves of 100 requests, as clients would send them.
    for (let i = 0; i < 500; i += 100) answers.push(...(await Promise.all(recipients.slice(i, i + 100).map((to) => send({ to, productIds: [productIds[7]!], idempotencyKey: key() })))));
    for (const a of answers) expect(a.res.body.errors).toBeUndefined();
    await until('500 messages at the twin', async () => (wa.origin.counters().accepted >= 500 ? true : undefined), 60_000);
    const elapsed = Date.now() - started;
    const counters = wa.origin.counters();
    expect(counters.refused['130429'] ?? 0).toBe(0);
    expect((await sandboxStats(wa.url)).throttled).toBe(0);
    expect(counters.accepted).toBe(500);
    // Paced, not merely lucky: 500 at 80 a second (a second's worth at once) take at least (500 - 80) / 80 s.
    expect(elapsed).toBeGreaterThanOrEqual(((500 - limit) / limit) * 1000);
    // Each went once (no resend).
    const perUser = new Map<string, number>();
    for (const m of wa.origin.messages()) perUser.set(m.user, (perUser.get(m.user) ?? 0) + 1);
    expect(recipients.every((r) => perUser.get(r.slice(1)) === 1)).toBe(true);
  }, 120_000);
});

describe('the customer window', () => {
  it('outside it the template goes; inside it the interactive forms', async () => {
    const stranger = nextUser();
    const tpl = await send({ to: stranger, productIds: productIds.slice(0, 2), body: 'Spring brake sale', idempotencyKey: key() });
    expect(tpl.payload!.message).toMatchObject({ status: 'SENT', kind: 'TEMPLATE' });
    expect(twinMessagesTo(stranger)[0]).toMatchObject({ type: 'template', template: 'crossdock_products' });

    // Wrote 25 hours ago (a webhook delivered late, signed): still outside.
    const old = nextUser();
    const at = Math.floor((Date.now() - 25 * 3_600_000) / 1000);
    expect(await postWebhook(envelope({ messages: [{ from: old.slice(1), id: `wamid.old-${old}`, timestamp: String(at), type: 'text', text: { body: 'hi' } }] }))).toBe(200);
    expect((await send({ to: old, productIds: [productIds[0]!], idempotencyKey: key() })).payload!.message.kind).toBe('TEMPLATE');

    const customer = nextUser();
    await customerWrites(customer);
    expect((await send({ to: customer, productIds: productIds.slice(0, 4), idempotencyKey: key() })).payload!.message.kind).toBe('PRODUCT_LIST');
    expect(twinMessagesTo(customer)[0]).toMatchObject({ type: 'interactive', interactive: 'product_list', products: expect.arrayContaining([expect.any(String)]) });
    expect(twinMessagesTo(customer)[0]!.products).toHaveLength(4);
  });

  it('refused as outside the window (131047) where the gateway thought it open: resent once, as the template', async () => {
    // The gateway hears of a message the twin never had (a signed webhook): it believes the window open.
    const to = nextUser();
    expect(await postWebhook(envelope({ messages: [{ from: to.slice(1), id: `wamid.in-${to}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hi' } }] }))).toBe(200);
    const { payload } = await send({ to, productIds: [productIds[1]!], idempotencyKey: key() });
    expect(payload!.message.kind).toBe('PRODUCT');
    const done = await statusIs(payload!.message.id, 'READ');
    expect(done).toMatchObject({ kind: 'TEMPLATE', attempts: 2, errors: [{ code: '131047', title: 'Re-engagement message' }] });
    expect(done.history.some((h) => h.to === 'QUEUED' && /131047/.test(h.reason))).toBe(true);
    expect(twinMessagesTo(to).map((m) => m.type)).toEqual(['interactive', 'template']);
    // The window stays closed for the next message, until the customer writes.
    expect((await send({ to, productIds: [productIds[2]!], idempotencyKey: key() })).payload!.message.kind).toBe('TEMPLATE');
  });
});

describe('pacing and the vendor’s codes', () => {
  it('paces messages to one recipient by the pair interval: no 131056', async () => {
    const to = nextUser();
    await customerWrites(to);
    const before = wa.origin.counters().refused['131056'] ?? 0;
    const first = await send({ to, productIds: [productIds[0]!], idempotencyKey: key() });
    const second = await send({ to, productIds: [productIds[1]!], idempotencyKey: key() });
    const third = await send({ to, productIds: [productIds[2]!], idempotencyKey: key() });
    for (const s of [first, second, third]) await statusIs(s.payload!.message.id, 'SENT', 'DELIVERED', 'READ');
    expect((wa.origin.counters().refused['131056'] ?? 0) - before).toBe(0);
    const at = twinMessagesTo(to).map((m) => Date.parse(m.at));
    expect(at).toHaveLength(3);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(PAIR_MS - 5);
  });

  it('an expired token (190): the message waits, /ready says why, and it goes once the token works again', async () => {
    await twin('token', { expired: true });
    const to = nextUser();
    let id = '';
    try {
      const { payload } = await send({ to, productIds: [productIds[3]!], idempotencyKey: key() });
      id = payload!.message.id;
      const waiting = await until('the refusal recorded', async () => {
        const m = await message(id);
        return m.errors.some((e) => e.code === '190') ? m : undefined;
      });
      expect(waiting.status).toBe('QUEUED');
      const ready = (await (await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': VIEWER } })).json()) as { checks: { connectors: Record<string, { status: string; reason?: string }> } };
      expect(ready.checks.connectors.whatsapp).toMatchObject({ status: 'unhealthy', reason: expect.stringMatching(/190/) });
    } finally {
      await twin('token', { expired: false });
    }
    const sent = await statusIs(id, 'SENT', 'DELIVERED', 'READ');
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(twinMessagesTo(to)).toHaveLength(1);
    const ready = (await (await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': VIEWER } })).json()) as { checks: { connectors: Record<string, { status: string }> } };
    expect(ready.checks.connectors.whatsapp?.status).toBe('healthy');
  });

  it('an undeliverable number fails with 131026', async () => {
    const { payload } = await send({ to: '+14155550000', productIds: [productIds[0]!], idempotencyKey: key() });
    const failed = await statusIs(payload!.message.id, 'FAILED');
    expect(failed.errors).toEqual([expect.objectContaining({ code: '131026', title: 'Message undeliverable' })]);
  });

  it('a send whose answer never comes is not sent again; the twin’s status events resolve it', async () => {
    await setFaults(wa.url, { acceptThenHang: true, match: { path: '/messages$' } });
    const to = nextUser();
    let id = '';
    try {
      const { payload } = await send({ to, productIds: [productIds[4]!], idempotencyKey: key() });
      id = payload!.message.id;
      await until('the send to be taken', async () => (twinMessagesTo(to).length === 1 ? true : undefined));
    } finally {
      await setFaults(wa.url, {});
    }
    const done = await statusIs(id, 'READ');
    expect(done.attempts).toBe(1);
    // Resolved by the status events (they echo the reference), never resent.
    expect(done.vendorMessageId).toBe(twinMessagesTo(to)[0]!.id);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(twinMessagesTo(to)).toHaveLength(1);
    expect((await message(id)).status).toBe('READ');
  });
});

describe('input is checked before anything is sent', () => {
  it('a number not in E.164, unknown or too many products, a bad key: BAD_USER_INPUT, and the twin hears nothing', async () => {
    const before = (await sandboxStats(wa.url)).requests;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ to: '4155550123' }, 'to'],
      [{ to: '+1 415 555 0123' }, 'to'],
      [{ productIds: ['999999999'] }, 'productIds[0]'],
      [{ productIds: [...productIds.slice(0, 31), ...productIds.slice(0, 1)] }, 'productIds'],
      [{ productIds: [productIds[0], productIds[0]] }, 'productIds'],
      [{ productIds: [] }, 'productIds'],
      [{ idempotencyKey: 'has spaces in it' }, 'idempotencyKey'],
      [{ body: 'x'.repeat(1_025) }, 'body'],
    ];
    for (const [over, argument] of cases) {
      const r = await send({ to: nextUser(), productIds: [productIds[0]!], idempotencyKey: key(), ...over } as never);
      expect(r.code, JSON.stringify(over).slice(0, 80)).toBe('BAD_USER_INPUT');
      expect(r.res.body.errors?.[0]?.extensions?.argument).toBe(argument);
      // The message never echoes the number it refused.
      expect(r.res.body.errors?.[0]?.message).not.toContain('4155550123');
    }
    expect((await sandboxStats(wa.url)).requests).toBe(before);
  });

  it('a viewer reads messages but may not send', async () => {
    const refused = await send({ to: nextUser(), productIds: [productIds[0]!], idempotencyKey: key() }, VIEWER);
    expect(refused.code).toBe('FORBIDDEN');
  });
});
