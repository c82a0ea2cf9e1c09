/**
 * The WhatsApp Cloud API simulator (upstreams.md, "TikTok and WhatsApp"):
 * one origin (default http://127.0.0.1:4106) for phone number id
 * `sandbox-phone`, bearer token `sandbox-whatsapp-token`:
 *
 *   POST /{version}/{phone-number-id}/messages   text, template, product and product-list messages
 *
 * Request path: stats + faults (origin) → the bearer token (401, code 190) →
 * the number's throughput (130429) → the message's shape (100, 131009,
 * 132000, 132001) → the pair rate (131056) → accepted:
 * `{messaging_product, contacts:[{input, wa_id}], messages:[{id:"wamid.…"}]}`.
 * Errors are `{error:{message, type, code, error_data:{messaging_product,
 * details}, error_subcode?, fbtrace_id}}`, HTTP 400 (401 for 190).
 *
 * After an accepted message, status webhooks go to the registered URL,
 * signed (webhooks.ts), each with the message's `biz_opaque_callback_data`:
 * `sent`, `delivered`, then `read` (unless read receipts are off); an
 * interactive or text message outside the user's 24-hour window, or to an
 * undeliverable number, gets one `failed` status instead (131047, 131026),
 * as the vendor reports them after accepting the message.
 *
 * Admin routes (besides stats, faults, reset and openapi.json): `POST
 * /__sandbox/webhook {url, duplicate?, shuffle?}` (registers a webhook URL
 * after the verification handshake), `GET /__sandbox/webhook`, `POST
 * /__sandbox/inbound {from, text?, timestamp?}` (a user writes: their window
 * opens, and a `messages` webhook goes out), `GET /__sandbox/messages`,
 * `GET|POST /__sandbox/limits`, `GET|POST /__sandbox/statuses {readReceipts?,
 * delaysMs?}` (how statuses are reported), `POST /__sandbox/token {expired}`.
 *
 * Written from upstreams.md; shares nothing with the gateway's connector.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { createOrigin, type Origin } from '../common/origin.js';
import type { WhatsAppSandboxOptions } from '../options.js';
import { createSendLimits, limitPatchSchema, type SendLimits } from './limits.js';
import { buildWhatsAppOpenApi } from './openapi.js';
import { validateMessage, type Accepted } from './validate.js';
import { createWebhookSender, type WebhookCounters } from './webhooks.js';

export interface SandboxMessage extends Accepted {
  id: string;
  at: string;
  /** The statuses sent for it, in the order sent. */
  statuses: string[];
}

export interface WhatsAppCounters {
  accepted: number;
  /** Refusals by the vendor's code. */
  refused: Record<string, number>;
  webhooks: WebhookCounters;
}

export interface WhatsAppOrigin extends Origin {
  readonly limits: SendLimits;
  /** Registers the gateway's webhook URL (the verification handshake first). */
  registerWebhook(url: string, flags?: { duplicate?: boolean; shuffle?: boolean }): Promise<{ verified: boolean; status: number | null }>;
  /** A user writes to the business number at `at` (ms): their window opens; a `messages` webhook goes out. */
  inbound(from: string, text: string, at?: number): string;
  messages(): SandboxMessage[];
  counters(): WhatsAppCounters;
  /** Resolves once no webhook is waiting to be delivered. */
  webhooksIdle(timeoutMs?: number): Promise<boolean>;
}

const FAULT_MESSAGES: Record<number, string> = {
  429: 'Too many requests (injected fault)',
  500: 'An unexpected error has occurred. Please retry your request later. (injected fault)',
  503: 'Service temporarily unavailable (injected fault)',
  504: 'Gateway timeout (injected fault)',
};

const wamid = () => `wamid.${randomBytes(24).toString('base64url')}`;
const trace = () => randomBytes(8).toString('base64url');

export function createWhatsAppOrigin(options: WhatsAppSandboxOptions, catalogHas: (retailerId: string) => boolean): WhatsAppOrigin {
  const limits = createSendLimits({ messagesPerSecond: options.messagesPerSecond, pairIntervalMs: options.pairIntervalMs, windowMs: options.windowMs });
  const webhooks = createWebhookSender({ appSecret: options.appSecret, verifyToken: options.verifyToken, ...(options.webhookUrl ? { initialUrl: options.webhookUrl } : {}) });
  const undeliverable = new RegExp(options.undeliverable);
  let sent: SandboxMessage[] = [];
  let accepted = 0;
  let refused: Record<string, number> = {};
  let tokenExpired = false;
  /** How statuses are reported (changed at run time through POST /__sandbox/statuses). */
  let reporting = { delaysMs: { ...options.statusDelaysMs }, readReceipts: options.readReceipts };
  const timers = new Set<NodeJS.Timeout>();

  const origin = createOrigin({
    name: 'WhatsApp Cloud API',
    faults: options.faults,
    faultAnswer: (status) => ({
      body: { error: { message: FAULT_MESSAGES[status] ?? `injected fault (HTTP ${status})`, type: 'OAuthException', code: status === 429 ? 4 : 2, is_transient: true, fbtrace_id: trace() } },
    }),
    isOrderPlacement: (method, route) => method === 'POST' && route.endsWith('/messages'),
    openapi: () => buildWhatsAppOpenApi(options),
    resetData: () => {
      sent = [];
      limits.reset();
      tokenExpired = false;
      reporting = { delaysMs: { ...options.statusDelaysMs }, readReceipts: options.readReceipts };
    },
    resetStats: () => {
      accepted = 0;
      refused = {};
      webhooks.resetCounters();
    },
  });
  const { app } = origin;

  function refuse(reply: FastifyReply, status: number, code: number, message: string, details: string, subcode?: number) {
    refused[String(code)] = (refused[String(code)] ?? 0) + 1;
    return reply.code(status).send({
      error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: trace() },
    });
  }

  const metadata = { display_phone_number: options.displayPhoneNumber, phone_number_id: options.phoneNumberId };
  const envelope = (value: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: options.businessAccountId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
  });
  const seconds = (ms: number) => String(Math.floor(ms / 1000));

  function statusEvent(m: SandboxMessage, status: string, errors?: Array<{ code: number; title: string; message: string; details: string }>) {
    return envelope({
      statuses: [
        {
          id: m.id,
          status,
          timestamp: seconds(Date.now()),
          recipient_id: m.user,
          ...(m.reference !== undefined ? { biz_opaque_callback_data: m.reference } : {}),
          ...(status === 'sent' || status === 'delivered' ? { conversation: { id: `conv-${m.user}`, origin: { type: m.type === 'template' ? 'marketing' : 'service' } }, pricing: { billable: true, pricing_model: 'CBP', category: m.type === 'template' ? 'marketing' : 'service' } } : {}),
          ...(errors ? { errors: errors.map((e) => ({ code: e.code, title: e.title, message: e.message, error_data: { details: e.details } })) } : {}),
        },
      ],
    });
  }

  /** The statuses the vendor reports for an accepted message, each after its delay. */
  function schedule(m: SandboxMessage): void {
    const d = reporting.delaysMs;
    let plan: Array<{ status: string; errors?: Parameters<typeof statusEvent>[2] }>;
    if (m.type !== 'template' && !limits.windowOpen(m.user)) {
      plan = [{ status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' }] }];
    } else if (undeliverable.test(m.user)) {
      plan = [{ status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', details: 'Unable to deliver message. The recipient may not be a WhatsApp user.' }] }];
    } else {
      plan = [{ status: 'sent' }, { status: 'delivered' }, ...(reporting.readReceipts ? [{ status: 'read' }] : [])];
    }
    const delays = [d.sent, d.delivered, d.read];
    if (webhooks.target()?.shuffle) {
      for (let i = plan.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [plan[i], plan[j]] = [plan[j]!, plan[i]!];
      }
    }
    plan.forEach((step, i) => {
      const t = setTimeout(() => {
        timers.delete(t);
        m.statuses.push(step.status);
        // Keyed by the message: its statuses reach the receiver in the plan's order.
        webhooks.send(statusEvent(m, step.status, step.errors), m.id);
      }, delays[i] ?? d.read);
      t.unref();
      timers.add(t);
    });
  }

  app.setNotFoundHandler(async (request, reply) => refuse(reply, 400, 100, `Unsupported ${request.method.toLowerCase()} request.`, 'Unknown path components'));
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? 400 : 500;
    return reply.code(status).send({ error: { message: status === 400 ? `(#100) ${error.message ?? 'Invalid request'}` : 'An unknown error occurred', type: 'OAuthException', code: status === 400 ? 100 : 1, fbtrace_id: trace() } });
  });

  app.post('/:version/:phoneNumberId/messages', async (request, reply) => {
    const { version, phoneNumberId } = request.params as { version: string; phoneNumberId: string };
    if (!/^v\d+\.\d+$/.test(version)) return refuse(reply, 400, 2500, 'Unknown path components', `/${version}`);
    const auth = request.headers.authorization ?? '';
    if (auth !== `Bearer ${options.accessToken}` || tokenExpired) {
      return tokenExpired && auth === `Bearer ${options.accessToken}`
        ? refuse(reply, 401, 190, 'Error validating access token: Session has expired.', 'the access token expired', 463)
        : refuse(reply, 401, 190, 'Invalid OAuth access token - Cannot parse access token', 'invalid access token');
    }
    if (phoneNumberId !== options.phoneNumberId) {
      return refuse(reply, 400, 100, `Unsupported post request. Object with ID '${phoneNumberId.slice(0, 64)}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 'unknown phone number id');
    }
    if (!limits.takeThroughput()) {
      origin.stats.countThrottled();
      return refuse(reply, 400, 130429, '(#130429) Rate limit hit', `Cloud API message throughput has been reached (${limits.policy().messagesPerSecond} messages per second).`);
    }
    const v = validateMessage(request.body, { catalogId: options.catalogId, catalogHas, templates: options.templates });
    if (!v.ok) return refuse(reply, 400, v.code, v.message, v.details);
    const wait = limits.pairWait(v.message.user);
    if (wait > 0) {
      return refuse(reply, 400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit', `Too many messages sent from this phone number to the same phone number in a short period of time (next in ${wait} ms).`);
    }
    limits.accepted(v.message.user);
    const m: SandboxMessage = { ...v.message, id: wamid(), at: new Date().toISOString(), statuses: [] };
    sent.push(m);
    if (sent.length > 10_000) sent = sent.slice(-5_000);
    accepted++;
    // acceptThenHang: the message is taken, the answer never comes (a send whose outcome is unknown).
    if (origin.shouldAcceptThenHang(request)) {
      schedule(m);
      origin.hang(request, reply);
      return reply;
    }
    schedule(m);
    return { messaging_product: 'whatsapp', contacts: [{ input: v.message.input, wa_id: v.message.user }], messages: [{ id: m.id }] };
  });

  // ---- sandbox admin ------------------------------------------------------------------------------
  app.get('/__sandbox/webhook', async () => webhooks.target() ?? { url: null });
  app.post('/__sandbox/webhook', async (request, reply) => {
    const parsed = z.object({ url: z.string().url(), duplicate: z.boolean().optional(), shuffle: z.boolean().optional() }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid webhook registration', detail: parsed.error.message });
    const outcome = await webhooks.register(parsed.data.url, parsed.data);
    return reply.code(outcome.verified ? 200 : 400).send({ url: parsed.data.url, ...outcome });
  });
  function inbound(from: string, text: string, at = Date.now()): string {
    const user = from.replace(/^\+/, '');
    limits.inbound(user, at);
    const id = wamid();
    webhooks.send(envelope({ contacts: [{ profile: { name: 'Sandbox Customer' }, wa_id: user }], messages: [{ from: user, id, timestamp: seconds(at), type: 'text', text: { body: text } }] }));
    return id;
  }
  app.post('/__sandbox/inbound', async (request, reply) => {
    const parsed = z
      .object({ from: z.string().regex(/^\+?[1-9]\d{7,14}$/), text: z.string().max(4096).default('Hi!'), timestamp: z.number().int().positive().optional() })
      .strict()
      .safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid inbound message', detail: parsed.error.message });
    const at = parsed.data.timestamp !== undefined ? parsed.data.timestamp * 1000 : Date.now();
    const id = inbound(parsed.data.from, parsed.data.text, at);
    const until = limits.windowUntil(parsed.data.from.replace(/^\+/, ''));
    return { id, windowOpenUntil: until === null ? null : new Date(until).toISOString() };
  });
  app.get('/__sandbox/messages', async () => ({ accepted, refused, webhooks: webhooks.counters(), messages: sent.slice(-1_000) }));
  app.get('/__sandbox/limits', async () => limits.policy());
  app.post('/__sandbox/limits', async (request, reply) => {
    const parsed = limitPatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid limits', detail: parsed.error.message });
    return limits.setPolicy(parsed.data);
  });
  app.get('/__sandbox/statuses', async () => reporting);
  app.post('/__sandbox/statuses', async (request, reply) => {
    const delay = z.number().int().min(0).max(600_000);
    const parsed = z
      .object({ readReceipts: z.boolean().optional(), delaysMs: z.object({ sent: delay, delivered: delay, read: delay }).strict().optional() })
      .strict()
      .safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid status reporting', detail: parsed.error.message });
    reporting = { delaysMs: parsed.data.delaysMs ?? reporting.delaysMs, readReceipts: parsed.data.readReceipts ?? reporting.readReceipts };
    return reporting;
  });
  app.post('/__sandbox/token', async (request, reply) => {
    const parsed = z.object({ expired: z.boolean() }).strict().safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'invalid token state', detail: parsed.error.message });
    tokenExpired = parsed.data.expired;
    return { expired: tokenExpired };
  });

  const close = origin.close.bind(origin);
  return Object.assign(origin, {
    limits,
    registerWebhook: (url: string, flags?: { duplicate?: boolean; shuffle?: boolean }) => webhooks.register(url, flags),
    inbound,
    messages: () => [...sent],
    counters: () => ({ accepted, refused: { ...refused }, webhooks: webhooks.counters() }),
    webhooksIdle: (timeoutMs = 10_000) => webhooks.idle(timeoutMs),
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      webhooks.close();
      await close();
    },
  });
}
