/**
 * Webhook subscriptions and their delivery (upstreams.md, "Webhooks"):
 * `webhookSubscriptionCreate(topic:, webhookSubscription: {callbackUrl})`
 * registers an HTTP endpoint; an event is POSTed to every subscription of
 * its topic with the body as JSON and the headers the vendor sends —
 * `X-Shopify-Topic`, `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw
 * body with the app's secret), `X-Shopify-Shop-Domain`,
 * `X-Shopify-API-Version` (the version the subscription was made with),
 * `X-Shopify-Webhook-Id` (one per delivery, the same on its retries),
 * `X-Shopify-Event-Id` (one per event, the same to every subscriber), and
 * `X-Shopify-Triggered-At`.
 *
 * Any 2xx within the timeout (the vendor waits 5 s) is delivered; anything
 * else is retried with the same payload and headers on a bounded schedule
 * (the vendor retries 8 times over 4 hours; the sandbox's default schedule
 * is 8 retries over about two minutes, so tests see the whole of it).
 * Redirects are not followed. Deliveries are independent: nothing orders
 * them, so a retry can land after a newer event, as upstream.
 *
 * Test hooks: delivery can be switched off; a recorded event can be sent
 * again exactly as it was (`POST /__sandbox/webhooks/redeliver`).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { View } from './adminResolvers.js';
import { gid, iso } from './orderViews.js';
import { WEBHOOK_TOPICS, type WebhookTopic } from './adminSchema.js';

export interface WebhookOptions {
  /** The app's client secret: the HMAC key. */
  secret: string;
  shopDomain: string;
  /** Deliver at all (tests turn it off to see the incremental path alone). */
  enabled: boolean;
  /** Delays before each retry, in ms (their number is the retry count). */
  retryDelaysMs: readonly number[];
  /** How long a delivery may take before it counts as failed. */
  timeoutMs: number;
  /** A subscription configured with the app rather than through the API (orders/create, orders/updated), if any. */
  staticUrl?: string;
  /** The API version of the configured subscription. */
  staticVersion: string;
}

export interface WebhookSubscriptionRecord {
  legacyId: number;
  topic: WebhookTopic;
  callbackUrl: string;
  format: 'JSON' | 'XML';
  includeFields: string[];
  version: string;
  createdSec: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'off';

export interface DeliveryRecord {
  webhookId: string;
  eventId: string;
  topic: string;
  url: string;
  version: string;
  /** The order or bulk operation the event is about. */
  subject: string;
  triggeredAt: string;
  state: DeliveryState;
  attempts: Array<{ at: string; status?: number; error?: string }>;
}

export interface WebhookCounters {
  events: number;
  sent: number;
  delivered: number;
  failed: number;
  retries: number;
}

export interface Webhooks {
  create(topic: string, input: { callbackUrl?: string | null; format?: string | null; includeFields?: string[] | null }, version: string): { subscription: View | null; userErrors: Array<{ field: string[]; message: string }> };
  remove(legacyId: number): { deletedId: string | null; userErrors: Array<{ field: string[]; message: string }> };
  list(): View[];
  get(legacyId: number): View | null;
  /** Sends an event (topic as on the wire, e.g. `orders/create`) to its subscribers; returns its event id. */
  emit(topic: string, subject: string, payload: unknown, opts?: { deliver?: boolean }): string;
  /** Sends a recorded event again, byte for byte, with its ids; returns the deliveries started. */
  redeliver(eventId: string): number;
  enabled(): boolean;
  setEnabled(on: boolean): void;
  subscriptions(): WebhookSubscriptionRecord[];
  deliveries(): DeliveryRecord[];
  clearSubscriptions(): void;
  counters(): WebhookCounters;
  resetCounters(): void;
  /** Drops the delivery log and pending retries (subscriptions stay: they are the app's configuration). */
  resetLog(): void;
  close(): void;
}

/** `ORDERS_CREATE` → `orders/create`; `BULK_OPERATIONS_FINISH` → `bulk_operations/finish`. */
export function wireTopic(topic: WebhookTopic): string {
  const i = topic.lastIndexOf('_');
  return `${topic.slice(0, i)}/${topic.slice(i + 1)}`.toLowerCase();
}

export function signWebhook(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

interface RecordedEvent {
  eventId: string;
  topic: string;
  subject: string;
  body: string;
  triggeredAt: string;
}

const EVENTS_KEPT = 2_000;
const DELIVERIES_KEPT = 2_000;

const emptyCounters = (): WebhookCounters => ({ events: 0, sent: 0, delivered: 0, failed: 0, retries: 0 });

export function createWebhooks(options: WebhookOptions): Webhooks {
  let on = options.enabled;
  let subs = new Map<number, WebhookSubscriptionRecord>();
  let nextId = 1_300_000_000_001;
  const events = new Map<string, RecordedEvent>();
  const log: DeliveryRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<AbortController>();
  let counters = emptyCounters();
  let closed = false;
  /** Bumped by a log reset: outcomes of deliveries started before it are dropped. */
  let generation = 0;

  function view(s: WebhookSubscriptionRecord): View {
    return {
      __typename: 'WebhookSubscription',
      id: gid('WebhookSubscription', s.legacyId),
      topic: s.topic,
      format: s.format,
      callbackUrl: s.callbackUrl,
      endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: s.callbackUrl },
      includeFields: s.includeFields,
      apiVersion: { handle: s.version, displayName: s.version, supported: true },
      createdAt: iso(s.createdSec),
      updatedAt: iso(s.createdSec),
    };
  }

  function create(topic: string, input: { callbackUrl?: string | null; format?: string | null; includeFields?: string[] | null }, version: string) {
    const field = ['webhookSubscription', 'callbackUrl'];
    if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) return { subscription: null, userErrors: [{ field: ['topic'], message: `Topic ${topic} is not supported` }] };
    const url = input.callbackUrl ?? '';
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    // The vendor requires https; the sandbox also takes http, for loopback gateways.
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return { subscription: null, userErrors: [{ field, message: 'Address is invalid' }] };
    if ([...subs.values()].some((s) => s.topic === topic && s.callbackUrl === url)) return { subscription: null, userErrors: [{ field, message: 'Address for this topic has already been taken' }] };
    const record: WebhookSubscriptionRecord = {
      legacyId: nextId++,
      topic: topic as WebhookTopic,
      callbackUrl: url,
      format: input.format === 'XML' ? 'XML' : 'JSON',
      includeFields: input.includeFields ?? [],
      version,
      createdSec: Math.floor(Date.now() / 1000),
    };
    subs.set(record.legacyId, record);
    return { subscription: view(record), userErrors: [] };
  }

  function remove(legacyId: number) {
    if (!subs.delete(legacyId)) return { deletedId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
    return { deletedId: gid('WebhookSubscription', legacyId), userErrors: [] };
  }

  function keep<T>(list: T[], max: number): void {
    if (list.length > max) list.splice(0, list.length - max);
  }

  function attempt(d: DeliveryRecord, body: string, headers: Record<string, string>): void {
    if (closed) return;
    const mine = generation;
    const controller = new AbortController();
    inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    counters.sent++;
    const at = new Date().toISOString();
    type Outcome = { status?: number; error?: string };
    fetch(d.url, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal })
      .then(
        async (res): Promise<Outcome> => {
          await res.body?.cancel().catch(() => undefined);
          return { status: res.status };
        },
        (err: unknown): Outcome => ({ error: controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : err instanceof Error ? err.message : String(err) }),
      )
      .then((outcome) => {
        clearTimeout(timer);
        inflight.delete(controller);
        if (closed || mine !== generation) return;
        d.attempts.push({ at, ...outcome });
        if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
          d.state = 'delivered';
          counters.delivered++;
          return;
        }
        const delay = options.retryDelaysMs[d.attempts.length - 1];
        if (delay === undefined) {
          d.state = 'failed';
          counters.failed++;
          return;
        }
        counters.retries++;
        const t = setTimeout(() => {
          timers.delete(t);
          attempt(d, body, headers);
        }, delay);
        t.unref();
        timers.add(t);
      });
  }

  function deliver(event: RecordedEvent, target: { url: string; version: string }, deliverNow: boolean): void {
    const d: DeliveryRecord = {
      webhookId: randomUUID(),
      eventId: event.eventId,
      topic: event.topic,
      url: target.url,
      version: target.version,
      subject: event.subject,
      triggeredAt: event.triggeredAt,
      state: deliverNow ? 'pending' : 'off',
      attempts: [],
    };
    log.push(d);
    keep(log, DELIVERIES_KEPT);
    if (!deliverNow) return;
    attempt(d, event.body, {
      'content-type': 'application/json',
      'user-agent': 'Shopify-Captain-Hook',
      'x-shopify-topic': event.topic,
      'x-shopify-hmac-sha256': signWebhook(event.body, options.secret),
      'x-shopify-shop-domain': options.shopDomain,
      'x-shopify-api-version': target.version,
      'x-shopify-webhook-id': d.webhookId,
      'x-shopify-event-id': event.eventId,
      'x-shopify-triggered-at': event.triggeredAt,
    });
  }

  function targets(topic: string): Array<{ url: string; version: string }> {
    const out = [...subs.values()].filter((s) => wireTopic(s.topic) === topic).map((s) => ({ url: s.callbackUrl, version: s.version }));
    if (options.staticUrl && (topic === 'orders/create' || topic === 'orders/updated')) out.push({ url: options.staticUrl, version: options.staticVersion });
    return out;
  }

  function emit(topic: string, subject: string, payload: unknown, opts: { deliver?: boolean } = {}): string {
    const event: RecordedEvent = { eventId: randomUUID(), topic, subject, body: JSON.stringify(payload), triggeredAt: new Date().toISOString() };
    events.set(event.eventId, event);
    if (events.size > EVENTS_KEPT) events.delete(events.keys().next().value!);
    counters.events++;
    const now = on && opts.deliver !== false;
    for (const t of targets(topic)) deliver(event, t, now);
    return event.eventId;
  }

  function redeliver(eventId: string): number {
    const event = events.get(eventId);
    if (!event) return 0;
    const sent = log.filter((d) => d.eventId === eventId);
    // The same delivery again (same webhook id, body and headers), as the vendor's retries are.
    for (const prior of sent) {
      const d: DeliveryRecord = { ...prior, state: 'pending', attempts: [] };
      log.push(d);
      attempt(d, event.body, {
        'content-type': 'application/json',
        'user-agent': 'Shopify-Captain-Hook',
        'x-shopify-topic': event.topic,
        'x-shopify-hmac-sha256': signWebhook(event.body, options.secret),
        'x-shopify-shop-domain': options.shopDomain,
        'x-shopify-api-version': prior.version,
        'x-shopify-webhook-id': prior.webhookId,
        'x-shopify-event-id': event.eventId,
        'x-shopify-triggered-at': event.triggeredAt,
      });
    }
    keep(log, DELIVERIES_KEPT);
    return sent.length;
  }

  function resetLog(): void {
    generation++;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const c of inflight) c.abort();
    inflight.clear();
    events.clear();
    log.length = 0;
  }

  return {
    create,
    remove,
    list: () => [...subs.values()].map(view),
    get: (legacyId) => {
      const s = subs.get(legacyId);
      return s ? view(s) : null;
    },
    emit,
    redeliver,
    enabled: () => on,
    setEnabled(next) {
      on = next;
    },
    subscriptions: () => [...subs.values()].map((s) => ({ ...s })),
    deliveries: () => log.map((d) => ({ ...d, attempts: [...d.attempts] })),
    clearSubscriptions() {
      subs = new Map();
    },
    counters: () => ({ ...counters }),
    resetCounters() {
      counters = emptyCounters();
    },
    resetLog,
    close() {
      closed = true;
      resetLog();
    },
  };
}
