/**
 * A domain message as the Cloud API's `POST /{phone-number-id}/messages`
 * body (upstreams.md): one product as an interactive `product` message,
 * several as a `product_list` (one section: the API allows 1–10, a title on
 * each when there are more than one, 30 products at most), and outside the
 * customer's window the configured template, its one body variable filled
 * with the message's text.
 *
 * Products are named by their retailer id in the catalog the business
 * connected to the number (WHATSAPP_CATALOG_ID): the store SKU (README
 * "WhatsApp").
 */
import type { OutgoingMessage } from '../../domain/messagingPorts.js';
import type { WireMessage } from './wire.js';

/** The API's limits on the parts Crossdock fills. */
export const LIMITS = { products: 30, bodyText: 1024, headerText: 60, sectionTitle: 24, reference: 512 } as const;

export interface MessageSettings {
  catalogId: string;
  /** The template for customers outside the window; null when none is configured. */
  template: { name: string; language: string } | null;
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function wireMessage(message: OutgoingMessage, settings: MessageSettings): WireMessage {
  const base = {
    messaging_product: 'whatsapp' as const,
    recipient_type: 'individual' as const,
    to: message.to,
    biz_opaque_callback_data: message.reference.slice(0, LIMITS.reference),
  };
  const products = message.products;
  if (products.length === 0 || products.length > LIMITS.products) throw new Error(`a product message carries 1 to ${LIMITS.products} products (got ${products.length})`);
  const body = cut(message.body, LIMITS.bodyText);
  switch (message.kind) {
    case 'PRODUCT': {
      const [only] = products;
      if (!only || products.length !== 1) throw new Error('a single-product message carries exactly one product');
      return {
        ...base,
        type: 'interactive',
        interactive: { type: 'product', ...(body ? { body: { text: body } } : {}), action: { catalog_id: settings.catalogId, product_retailer_id: only.retailerId } },
      };
    }
    case 'PRODUCT_LIST':
      return {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'product_list',
          header: { type: 'text', text: cut(`Products (${products.length})`, LIMITS.headerText) },
          body: { text: body || cut(products.map((p) => p.name).join(', '), LIMITS.bodyText) },
          action: { catalog_id: settings.catalogId, sections: [{ title: cut('Products', LIMITS.sectionTitle), product_items: products.map((p) => ({ product_retailer_id: p.retailerId })) }] },
        },
      };
    case 'TEMPLATE': {
      const t = settings.template;
      if (!t) throw new Error('no template is configured (WHATSAPP_TEMPLATE_NAME)');
      return {
        ...base,
        type: 'template',
        template: { name: t.name, language: { code: t.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: body || products.map((p) => p.name).join(', ') }] }] },
      };
    }
    default: {
      const never: never = message.kind;
      throw new Error(`unknown message kind ${String(never)}`);
    }
  }
}
