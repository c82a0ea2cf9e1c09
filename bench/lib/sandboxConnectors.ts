/**
 * The standalone sandbox's TikTok and WhatsApp twins (src/sandbox/main.ts
 * prints where each listens), and the gateway variables that point the
 * connectors at them (README, "Configuration"; src/connectors/tiktok,
 * src/connectors/whatsapp): what a production start needs instead of the
 * embedded sandbox, which it refuses.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxProcess } from './crossdock.js';

/** The standalone sandbox's WhatsApp defaults (src/sandbox/options.ts, SANDBOX_DEFAULTS.whatsapp). */
export const WHATSAPP_SANDBOX = {
  phoneNumberId: 'sandbox-phone',
  accessToken: 'sandbox-whatsapp-token',
  appSecret: 'sandbox-whatsapp-secret',
  verifyToken: 'sandbox-verify',
  catalogId: 'sandbox-catalog',
  /** The one template the twin approves. */
  template: 'crossdock_products',
} as const;

export interface SandboxTwins {
  /** The TikTok twin's oEmbed endpoint, e.g. http://127.0.0.1:P/oembed. */
  tiktokOEmbed: string;
  /** The TikTok twin's origin (share links and CDN by Host; /__sandbox/videos). */
  tiktokOrigin: string;
  /** The WhatsApp twin's Graph API base, e.g. http://127.0.0.1:Q/v21.0. */
  whatsappApi: string;
  /** The WhatsApp twin's origin (/__sandbox/messages, /webhook, /statuses). */
  whatsappOrigin: string;
}

/** Reads the twins' addresses from the sandbox's start-up lines. */
export function sandboxTwins(sb: SandboxProcess): SandboxTwins {
  const out = sb.child.output();
  const tiktok = /TikTok oEmbed\s+(\S+)/.exec(out)?.[1];
  const whatsapp = /WhatsApp Cloud API\s+(\S+)/.exec(out)?.[1];
  if (!tiktok || !whatsapp) throw new Error(`the sandbox did not print its TikTok and WhatsApp addresses:\n${out.slice(0, 2000)}`);
  return { tiktokOEmbed: tiktok, tiktokOrigin: new URL(tiktok).origin, whatsappApi: whatsapp, whatsappOrigin: new URL(whatsapp).origin };
}

/**
 * The TikTok connector on the twin: oEmbed at its URL, and every TikTok host
 * (share links, CDN) connected to its origin. TIKTOK_CONNECT_TO is refused in
 * production mode (it would send any TikTok name to that address), so a
 * gateway using it must run CROSSDOCK_MODE=development.
 */
export function tiktokEnv(twins: SandboxTwins): Record<string, string> {
  return { TIKTOK_OEMBED_URL: twins.tiktokOEmbed, TIKTOK_CONNECT_TO: twins.tiktokOrigin };
}

/** The WhatsApp connector on the twin, with the twin's approved template for customers outside their window. */
export function whatsappEnv(twins: SandboxTwins, messagesPerSecond?: number): Record<string, string> {
  return {
    WHATSAPP_API_URL: twins.whatsappApi,
    WHATSAPP_PHONE_NUMBER_ID: WHATSAPP_SANDBOX.phoneNumberId,
    WHATSAPP_ACCESS_TOKEN: WHATSAPP_SANDBOX.accessToken,
    WHATSAPP_APP_SECRET: WHATSAPP_SANDBOX.appSecret,
    WHATSAPP_VERIFY_TOKEN: WHATSAPP_SANDBOX.verifyToken,
    WHATSAPP_CATALOG_ID: WHATSAPP_SANDBOX.catalogId,
    WHATSAPP_TEMPLATE_NAME: WHATSAPP_SANDBOX.template,
    ...(messagesPerSecond !== undefined ? { WHATSAPP_MESSAGES_PER_SECOND: String(messagesPerSecond) } : {}),
  };
}

/**
 * ION and Shopify on the standalone sandbox too (README, "Configuration"):
 * for a gateway that must run CROSSDOCK_MODE=development (TIKTOK_CONNECT_TO),
 * where an unconfigured optional connector would start its embedded twin
 * inside the measured process. Shopify's webhooks are off (the sandbox can
 * run with SANDBOX_SHOPIFY_ORDERS=0 so its mirror has nothing to copy). The
 * `.ionapi` file is written into `dir`.
 */
export async function ionAndShopifyEnv(sb: SandboxProcess, dir: string): Promise<Record<string, string>> {
  const out = sb.child.output();
  const ion = /Infor ION API \(M3\)\s+(\S+)/.exec(out)?.[1];
  const shopify = /Shopify Admin GraphQL\s+(\S+)/.exec(out)?.[1];
  if (!ion || !shopify) throw new Error(`the sandbox did not print its ION and Shopify addresses:\n${out.slice(0, 2000)}`);
  const file = join(dir, 'sandbox.ionapi');
  const res = await fetch(`${ion}/__sandbox/ionapi`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${ion}/__sandbox/ionapi answered ${res.status}`);
  writeFileSync(file, await res.text());
  return {
    ION_API_FILE: file,
    SHOPIFY_STORE_URL: shopify,
    SHOPIFY_ACCESS_TOKEN: 'sandbox-shopify-token',
    SHOPIFY_API_SECRET: 'sandbox-shopify-secret',
    SHOPIFY_WEBHOOKS: 'false',
  };
}
