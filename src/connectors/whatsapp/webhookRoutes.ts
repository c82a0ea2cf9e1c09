/**
 * The webhook routes WhatsApp calls (upstreams.md), public and
 * authenticated by themselves:
 *
 *   GET  /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…
 *        the verification handshake: 200 with the challenge as the body for
 *        the configured verify token, 403 otherwise
 *   POST /webhooks/whatsapp   events, signed X-Hub-Signature-256 over the raw
 *        body (signature.ts): 401 and nothing done when it does not verify
 *
 * A verified body's events (webhookEvents.ts) are handed to the domain and
 * recorded before the answer (a status is one small write): 200 then; 503
 * when they could not be recorded (the records are unreachable), so the
 * vendor delivers them again — applying them twice changes nothing
 * (src/messaging/statusRules.ts).
 */
import type { MessagingEventHandler } from '../../domain/messagingPorts.js';
import type { Logger } from '../../observability/logger.js';
import type { ConnectorRoute, RouteResponse } from '../connector.js';
import { sameSecret, verifyHubSignature } from './signature.js';
import { parseWebhook } from './webhookEvents.js';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

export interface WebhookRoutesOptions {
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** The handler the domain registered; undefined: none yet (503: the vendor delivers again). */
  handler(): MessagingEventHandler | undefined;
  logger: Logger;
  /** Bound on recording one delivery. @default 10000 */
  handleTimeoutMs?: number;
}

const text = (status: number, body: string): RouteResponse => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, body });
const json = (status: number, body: unknown): RouteResponse => ({ status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) });

/** The challenge is echoed as the body: only a short token of plain characters (Meta sends digits). */
const CHALLENGE = /^[A-Za-z0-9._~-]{1,256}$/;

export function whatsAppWebhookRoutes(options: WebhookRoutesOptions): ConnectorRoute[] {
  const { logger } = options;
  const timeoutMs = options.handleTimeoutMs ?? 10_000;
  return [
    {
      method: 'GET',
      path: WEBHOOK_PATH,
      async handle(request) {
        const mode = request.query['hub.mode'];
        const challenge = request.query['hub.challenge'];
        if (mode !== 'subscribe' || !sameSecret(request.query['hub.verify_token'], options.verifyToken) || !challenge || !CHALLENGE.test(challenge)) {
          logger.warn('WhatsApp webhook verification refused');
          return text(403, 'forbidden');
        }
        logger.info('WhatsApp webhook verified');
        return text(200, challenge);
      },
    },
    {
      method: 'POST',
      path: WEBHOOK_PATH,
      async handle(request) {
        const raw = request.rawBody ?? Buffer.alloc(0);
        if (!verifyHubSignature(raw, request.headers['x-hub-signature-256'], options.appSecret)) {
          logger.warn({ bytes: raw.length }, 'WhatsApp webhook refused: the signature does not verify');
          return json(401, { error: { code: 'UNAUTHENTICATED', message: 'X-Hub-Signature-256 is missing or does not match the body' } });
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return json(400, { error: { code: 'BAD_REQUEST', message: 'the body is not JSON' } });
        }
        const parsed = parseWebhook(body, options.phoneNumberId);
        if (!parsed.ok) return json(400, { error: { code: 'BAD_REQUEST', message: parsed.why } });
        if (parsed.events.length === 0) return text(200, 'ok');
        const handler = options.handler();
        if (!handler) return json(503, { error: { code: 'UNAVAILABLE', message: 'not ready for events yet' } });
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            handler(parsed.events),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('recording the events took too long')), timeoutMs);
            }),
          ]);
        } catch (err) {
          logger.warn({ events: parsed.events.length, err: err instanceof Error ? err.message : String(err) }, 'WhatsApp webhook events not recorded; the vendor will deliver them again');
          return json(503, { error: { code: 'UNAVAILABLE', message: 'events not recorded; deliver them again' } });
        } finally {
          clearTimeout(timer);
        }
        return text(200, 'ok');
      },
    },
  ];
}
