/**
 * The WhatsApp Cloud API connector (upstreams.md, "TikTok and WhatsApp"):
 * product messages to customers, and the vendor's webhooks about them.
 *
 * - Config: WHATSAPP_API_URL (the Graph API's versioned base), the phone
 *   number id, the access token (a system user's: no refresh), the app
 *   secret (webhook signatures), the verify token (the webhook handshake),
 *   the catalog id (the products' catalog), the template for customers
 *   outside the 24-hour window (name and language), and the pacing figures.
 *   Not required: without it the gateway runs and `sendProductMessage` is
 *   refused.
 * - Pacing on the shared machinery: the number's throughput as a budget
 *   (80 messages per second by default, spaced evenly (at most 50 ms' worth at once) so a
 *   second's worth never leaves at once) and the pair rate as a per-key
 *   interval (one message per recipient every 6 s by default, counted from
 *   the previous answer).
 * - Provides `messaging` (domain/ports.ts); its webhook routes verify and
 *   parse the events and hand them to whatever the domain registered.
 * - The sandbox twin (src/sandbox/whatsapp/) is registered as the webhook's
 *   sender once the gateway listens.
 */
import { z } from 'zod';
import { httpUrl, optionalText } from '../../env/variables.js';
import type { Messaging, MessagingEventHandler } from '../../domain/messagingPorts.js';
import { defineConnector, type ConfigContext } from '../connector.js';
import { LIMITS } from './messages.js';
import { createWhatsAppSender, whatsAppVendor } from './sender.js';
import { WEBHOOK_PATH, whatsAppWebhookRoutes } from './webhookRoutes.js';

/** The Graph API's base with its version (upstreams.md: `https://graph.facebook.com/{vNN.N}`). */
export const GRAPH_API_URL = 'https://graph.facebook.com/v21.0';
/** upstreams.md: interactive and free-form messages only within 24 h of the customer's last message. */
export const CUSTOMER_WINDOW_MS = 24 * 3_600_000;

export interface WhatsAppConfig {
  apiUrl: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  catalogId: string;
  template: { name: string; language: string } | null;
  messagesPerSecond: number;
  recipientIntervalMs: number;
  /** Only on the sandbox twin: tells it where the gateway's webhook route is. */
  twin?: { registerWebhook(url: string): Promise<void> };
}

const matching = (re: RegExp, message: string) => optionalText.refine((v) => v === undefined || re.test(v), { message });

const env = {
  WHATSAPP_API_URL: httpUrl,
  WHATSAPP_PHONE_NUMBER_ID: matching(/^[A-Za-z0-9_-]{1,64}$/, 'must be the phone number id (letters, digits, _ or -)'),
  WHATSAPP_ACCESS_TOKEN: optionalText,
  WHATSAPP_APP_SECRET: optionalText,
  WHATSAPP_VERIFY_TOKEN: optionalText,
  WHATSAPP_CATALOG_ID: matching(/^[A-Za-z0-9_-]{1,64}$/, 'must be the catalog id (letters, digits, _ or -)'),
  // Meta's template names: lower-case letters, digits and underscores.
  WHATSAPP_TEMPLATE_NAME: matching(/^[a-z0-9_]{1,512}$/, 'must be a template name (lower-case letters, digits, underscores)'),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en_US').default('en_US'),
  WHATSAPP_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1_000).default(80),
  WHATSAPP_RECIPIENT_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(6_000),
};

type Env = {
  WHATSAPP_API_URL?: string;
  WHATSAPP_PHONE_NUMBER_ID?: string;
  WHATSAPP_ACCESS_TOKEN?: string;
  WHATSAPP_APP_SECRET?: string;
  WHATSAPP_VERIFY_TOKEN?: string;
  WHATSAPP_CATALOG_ID?: string;
  WHATSAPP_TEMPLATE_NAME?: string;
  WHATSAPP_TEMPLATE_LANGUAGE: string;
  WHATSAPP_MESSAGES_PER_SECOND: number;
  WHATSAPP_RECIPIENT_INTERVAL_MS: number;
};

const SECRETS = ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const;

export const whatsAppConfigSlice = {
  env,
  resolve(values: Readonly<Record<string, unknown>>, { problems }: ConfigContext) {
    const e = values as Env;
    if (!e.WHATSAPP_PHONE_NUMBER_ID && !e.WHATSAPP_ACCESS_TOKEN) return { configured: false as const, reason: 'WHATSAPP_PHONE_NUMBER_ID is not set' };
    const missing = (['WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_CATALOG_ID'] as const).filter((k) => !e[k]);
    if (missing.length) problems.push(`WhatsApp is half-configured: set ${missing.join(', ')} (or none of the WHATSAPP_ variables)`);
    // Shorter values could not be kept out of logs (redact.ts ignores them: they would mask ordinary words).
    for (const k of SECRETS) if (e[k] && (e[k] as string).length < 8) problems.push(`${k} must be at least 8 characters`);
    if (missing.length) return { configured: false as const, reason: 'WhatsApp is half-configured' };
    return {
      configured: true as const,
      config: {
        apiUrl: e.WHATSAPP_API_URL ?? GRAPH_API_URL,
        phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID as string,
        accessToken: e.WHATSAPP_ACCESS_TOKEN as string,
        appSecret: e.WHATSAPP_APP_SECRET as string,
        verifyToken: e.WHATSAPP_VERIFY_TOKEN as string,
        catalogId: e.WHATSAPP_CATALOG_ID as string,
        ...settings(e),
      },
    };
  },
};

/** The settings that are not about where the API is (shared by a configured connector and the twin). */
function settings(e: Env, defaultTemplate?: string): Pick<WhatsAppConfig, 'template' | 'messagesPerSecond' | 'recipientIntervalMs'> {
  const name = e.WHATSAPP_TEMPLATE_NAME ?? defaultTemplate;
  return {
    template: name ? { name, language: e.WHATSAPP_TEMPLATE_LANGUAGE } : null,
    messagesPerSecond: e.WHATSAPP_MESSAGES_PER_SECOND,
    recipientIntervalMs: e.WHATSAPP_RECIPIENT_INTERVAL_MS,
  };
}

export const whatsAppConnector = defineConnector<WhatsAppConfig>({
  name: 'whatsapp',
  title: 'WhatsApp Cloud API',
  required: false,
  config: whatsAppConfigSlice,

  async sandbox(world, values) {
    const { startWhatsAppTwin } = await import('../../sandbox/twins.js');
    const twin = await startWhatsAppTwin(world);
    const o = world.options.whatsapp;
    const e = values as Env;
    return {
      url: twin.url,
      config: {
        apiUrl: twin.apiBase,
        phoneNumberId: o.phoneNumberId,
        accessToken: o.accessToken,
        appSecret: o.appSecret,
        verifyToken: o.verifyToken,
        catalogId: o.catalogId,
        // The twin approves one template; a WHATSAPP_TEMPLATE_NAME of its own is still honoured.
        ...settings(e, o.templates[0]?.name),
        twin: { registerWebhook: (url) => twin.origin.registerWebhook(url).then(() => undefined) },
      },
    };
  },

  create(config, kit) {
    kit.registerSecret(config.accessToken);
    kit.registerSecret(config.appSecret);
    kit.registerSecret(config.verifyToken);
    const api = kit.upstream({
      baseUrl: config.apiUrl,
      vendor: whatsAppVendor(config.accessToken),
      // upstreams.md: 130429 past 80 messages/s per number (by default); spaced evenly, at most 50 ms' worth at once.
      budgets: [{ points: config.messagesPerSecond, durationMs: 1_000, smoothMs: 50 }],
      // upstreams.md: 131056 past about one message per 6 s to the same user.
      perKeyIntervalMs: config.recipientIntervalMs,
    });
    let handler: MessagingEventHandler | undefined;
    let authRefusedAt: string | null = null;
    const sender = createWhatsAppSender(api.http, {
      phoneNumberId: config.phoneNumberId,
      catalogId: config.catalogId,
      template: config.template,
      onAuth(refused) {
        if (refused && !authRefusedAt) kit.logger.error('WhatsApp refused the access token (190): messages wait until WHATSAPP_ACCESS_TOKEN is renewed');
        authRefusedAt = refused ? (authRefusedAt ?? new Date().toISOString()) : null;
      },
    });
    const messaging: Messaging = {
      name: 'whatsapp',
      displayName: 'WhatsApp',
      template: config.template,
      customerWindowMs: CUSTOMER_WINDOW_MS,
      maxProducts: LIMITS.products,
      maxBodyLength: LIMITS.bodyText,
      recipientIntervalMs: config.recipientIntervalMs,
      readyIn: (to) => api.keyedPacer?.waitMs(to) ?? 0,
      send: (message, signal) => sender.send(message, signal),
      onEvents(h) {
        handler = h;
      },
    };
    return {
      provides: { messaging },
      upstreams: [api],
      routes: whatsAppWebhookRoutes({ phoneNumberId: config.phoneNumberId, appSecret: config.appSecret, verifyToken: config.verifyToken, handler: () => handler, logger: kit.logger }),
      health() {
        const detail = { phoneNumberId: config.phoneNumberId, catalogId: config.catalogId, template: config.template?.name ?? null, webhook: WEBHOOK_PATH };
        if (authRefusedAt) return { status: 'unhealthy' as const, reason: `the access token was refused (190) since ${authRefusedAt}: messages wait until WHATSAPP_ACCESS_TOKEN is renewed`, detail };
        return { status: 'healthy' as const, ...(kit.sandbox ? { reason: 'sandbox twin' } : {}), detail };
      },
      async listening() {
        if (!config.twin) return;
        // Bounded: a twin that does not answer must not hold the start.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          config.twin.registerWebhook(`${kit.publicUrl()}${WEBHOOK_PATH}`),
          new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error('the WhatsApp twin did not register the webhook in time')), 5_000);
          }),
        ]).finally(() => clearTimeout(timer));
      },
    };
  },
});
