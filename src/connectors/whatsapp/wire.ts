/**
 * The WhatsApp Cloud API's wire shapes (upstreams.md, "TikTok and
 * WhatsApp"), as the connector sends and reads them. The sandbox twin has
 * its own (DESIGN.md, principle 5).
 */

/** `POST /{phone-number-id}/messages` — the part every message shares. */
interface WireMessageBase {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The recipient's number (E.164 with its +, which the API accepts). */
  to: string;
  /**
   * Echoed in the status webhooks of this message (Cloud API messages reference,
   * `biz_opaque_callback_data`, at most 512 characters; the vendor does not process it).
   */
  biz_opaque_callback_data?: string;
}

export interface WireProductAction {
  catalog_id: string;
  product_retailer_id: string;
}

export interface WireProductListAction {
  catalog_id: string;
  /** 1–10 sections, at most 30 products in all, a title per section when more than one. */
  sections: Array<{ title?: string; product_items: Array<{ product_retailer_id: string }> }>;
}

export type WireMessage =
  | (WireMessageBase & { type: 'interactive'; interactive: { type: 'product'; body?: { text: string }; footer?: { text: string }; action: WireProductAction } })
  | (WireMessageBase & {
      type: 'interactive';
      interactive: { type: 'product_list'; header: { type: 'text'; text: string }; body: { text: string }; footer?: { text: string }; action: WireProductListAction };
    })
  | (WireMessageBase & {
      type: 'template';
      template: { name: string; language: { code: string }; components: Array<{ type: 'body'; parameters: Array<{ type: 'text'; text: string }> }> };
    });

/** The answer to a send. */
export interface WireSendReply {
  messaging_product?: string;
  contacts?: Array<{ input?: string; wa_id?: string }>;
  messages?: Array<{ id?: string; message_status?: string }>;
}

/** An error answer. */
export interface WireErrorBody {
  error?: { message?: string; type?: string; code?: number | string; error_subcode?: number; error_data?: { messaging_product?: string; details?: string }; fbtrace_id?: string };
}
