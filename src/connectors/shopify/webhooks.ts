/**
 * Shopify's webhooks in (upstreams.md, "Webhooks"; DESIGN.md, "Webhooks
 * in"): `orders/create` and `orders/updated` POSTed to the connector's
 * public route with the REST order JSON as the body.
 *
 * - Authentic only when `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(raw
 *   body, app secret)), compared in constant time over the exact bytes
 *   received; missing or wrong is 401 and nothing is kept.
 * - Shopify waits 5 s at most and retries 8 times over 4 hours with the same
 *   payload: the route answers as soon as the event is recorded (the sink
 *   records it durably; the mirror applies it afterwards), and dedupe is the
 *   sink's, on `X-Shopify-Event-Id`.
 * - Until the gateway has a sink (it is still starting) a delivery is 503:
 *   Shopify delivers it again.
 * - Registered at start with `webhookSubscriptionCreate` (topics
 *   ORDERS_CREATE and ORDERS_UPDATED, the callback under the gateway's
 *   public URL); a subscription already there for the address is fine.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ConnectorRoute, RouteResponse } from '../connector.js';
import type { OrderEventSink } from '../../domain/orderSourcePorts.js';
import type { Logger } from '../../observability/logger.js';
import type { AdminApi } from './adminApi.js';
import { MappingError, mapRestOrder } from './map.js';
import { ESTIMATED_COST_MUTATION, WEBHOOK_CREATE, WEBHOOK_TOPICS } from './queries.js';
import type { RestOrder, WireUserError } from './wire.js';

/** Where Shopify posts order webhooks (under PUBLIC_URL). */
export const WEBHOOK_PATH = '/shopify/webhooks';
export const ORDER_TOPICS = new Set(['orders/create', 'orders/updated']);

const json = (status: number, body: Record<string, unknown>): RouteResponse => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });

/** base64(HMAC-SHA256(body, secret)) equals `presented`, in time independent of where they differ. */
export function verifyShopifyHmac(rawBody: Buffer, presented: string | undefined, secret: string): boolean {
  if (!presented) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  let given: Buffer;
  try {
    given = Buffer.from(presented.trim(), 'base64');
  } catch {
    return false;
  }
  // A digest of the wrong length is refused before the comparison (timingSafeEqual needs equal lengths).
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookIntake {
  route: ConnectorRoute;
  deliverTo(sink: OrderEventSink): void;
}

export function createWebhookIntake(options: { secret: string; shopCurrency: () => string | null; logger: Logger }): WebhookIntake {
  let sink: OrderEventSink | undefined;
  const route: ConnectorRoute = {
    method: 'POST',
    path: WEBHOOK_PATH,
    async handle(request) {
      const raw = request.rawBody;
      if (!raw || !verifyShopifyHmac(raw, request.headers['x-shopify-hmac-sha256'], options.secret)) {
        return json(401, { error: 'the X-Shopify-Hmac-Sha256 signature does not match the body' });
      }
      const topic = (request.headers['x-shopify-topic'] ?? '').trim().toLowerCase();
      // Authentic, but not an order topic this connector asked for: acknowledged, so Shopify stops sending it.
      if (!ORDER_TOPICS.has(topic)) return json(200, { ignored: topic.slice(0, 60) || 'no topic' });
      if (!sink) return json(503, { error: 'the gateway is starting; deliver again' });
      // upstreams.md: dedupe on X-Shopify-Event-Id (retries carry the same one, and the same payload:
      // without the header, the payload's digest stands for it).
      const eventId = (request.headers['x-shopify-event-id'] ?? '').trim().slice(0, 200) || `sha256:${createHash('sha256').update(raw).digest('base64url')}`;
      let order = null;
      let problem: string | null = null;
      try {
        order = mapRestOrder(JSON.parse(raw.toString('utf8')) as RestOrder, options.shopCurrency());
      } catch (err) {
        // Signed by Shopify but not an order the mirror can keep: recorded (and listed), acknowledged.
        problem = err instanceof MappingError ? err.message : 'the body is not JSON';
      }
      try {
        await sink({ eventId, topic, order, problem });
      } catch (err) {
        options.logger.warn({ err: err instanceof Error ? err.message : String(err), topic }, 'a Shopify webhook could not be recorded; Shopify delivers it again');
        return json(503, { error: 'not recorded; deliver again' });
      }
      return json(200, { received: eventId });
    },
  };
  return {
    route,
    deliverTo(next) {
      sink = next;
    },
  };
}

/** Asks Shopify to push order changes to `callbackUrl`; a subscription already there for it is kept. */
export async function registerOrderWebhooks(api: AdminApi, callbackUrl: string, logger: Logger): Promise<void> {
  for (const topic of WEBHOOK_TOPICS) {
    const { data } = await api.query<{ webhookSubscriptionCreate?: { webhookSubscription?: { id?: string } | null; userErrors?: WireUserError[] } }>({
      name: 'webhook.create',
      document: WEBHOOK_CREATE,
      variables: { topic, callbackUrl },
      estimatedCost: ESTIMATED_COST_MUTATION,
      lane: 'bulk',
      mutation: true,
    });
    const errors = (data.webhookSubscriptionCreate?.userErrors ?? []).map((e) => e.message ?? '').filter(Boolean);
    // Shopify's answer when the same topic and address are subscribed already.
    if (errors.length && !errors.every((m) => /already been taken|already exists/i.test(m))) {
      logger.warn({ topic, errors: errors.slice(0, 3) }, 'Shopify refused the webhook subscription; the mirror relies on its incremental pulls');
    }
  }
}
