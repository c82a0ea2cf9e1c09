/**
 * What the sandbox accepts at `POST /{phone-number-id}/messages`, from
 * upstreams.md: `{messaging_product:"whatsapp", recipient_type:"individual",
 * to, type, …}` with text `{body, preview_url}`, template `{name,
 * language:{code}, components}`, a single product `{type:"product", body?,
 * footer?, action:{catalog_id, product_retailer_id}}` or a product list
 * `{type:"product_list", header:{type:"text", text}, body:{text},
 * action:{catalog_id, sections:[{title, product_items:[{product_retailer_id}]}]}}`
 * (1–10 sections, at most 30 products, a title per section when more than
 * one). The length limits are the vendor's published ones (body 1024,
 * header and footer 60, section title 24; text messages 4096). A refusal
 * names the vendor's code: 100 for a malformed request, 131009 for a value
 * the API does not accept (a catalog or product it does not know), 132001
 * and 132000 for an unknown template or the wrong number of its parameters.
 */
import { z } from 'zod';

export interface ApprovedTemplate {
  name: string;
  language: string;
  /** How many body variables ({{1}}, {{2}}…) it has. */
  bodyParameters: number;
}

export interface Accepted {
  /** Digits only (the wa_id). */
  user: string;
  input: string;
  type: 'text' | 'interactive' | 'template';
  interactive?: 'product' | 'product_list';
  template?: string;
  products: string[];
  reference?: string;
}

export type Validation = { ok: true; message: Accepted } | { ok: false; code: number; message: string; details: string };

const text = (max: number) => z.object({ text: z.string().min(1).max(max) }).strict();
const base = z.object({
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  to: z.string().regex(/^\+?[1-9]\d{7,14}$/, 'not a phone number'),
  biz_opaque_callback_data: z.string().max(512).optional(),
  context: z.object({ message_id: z.string() }).optional(),
});
const message = z.discriminatedUnion('type', [
  base.extend({ type: z.literal('text'), text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }).strict() }).strict(),
  base
    .extend({
      type: z.literal('template'),
      template: z
        .object({
          name: z.string().min(1).max(512),
          language: z.object({ code: z.string().min(2).max(15), policy: z.literal('deterministic').optional() }).strict(),
          components: z.array(z.object({ type: z.string(), parameters: z.array(z.object({ type: z.string(), text: z.string().max(1024).optional() }).passthrough()).optional() }).passthrough()).optional(),
        })
        .strict(),
    })
    .strict(),
  base
    .extend({
      type: z.literal('interactive'),
      interactive: z.discriminatedUnion('type', [
        z
          .object({
            type: z.literal('product'),
            body: text(1024).optional(),
            footer: text(60).optional(),
            action: z.object({ catalog_id: z.string().min(1), product_retailer_id: z.string().min(1).max(100) }).strict(),
          })
          .strict(),
        z
          .object({
            type: z.literal('product_list'),
            header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).strict(),
            body: text(1024),
            footer: text(60).optional(),
            action: z
              .object({
                catalog_id: z.string().min(1),
                sections: z
                  .array(z.object({ title: z.string().min(1).max(24).optional(), product_items: z.array(z.object({ product_retailer_id: z.string().min(1).max(100) }).strict()).min(1) }).strict())
                  .min(1)
                  .max(10),
              })
              .strict(),
          })
          .strict(),
      ]),
    })
    .strict(),
]);

export interface ValidationContext {
  catalogId: string;
  catalogHas(retailerId: string): boolean;
  templates: readonly ApprovedTemplate[];
}

const refuse = (code: number, message: string, details: string): Validation => ({ ok: false, code, message, details });

export function validateMessage(body: unknown, ctx: ValidationContext): Validation {
  const parsed = message.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(100, '(#100) Invalid parameter', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const m = parsed.data;
  const user = m.to.replace(/^\+/, '');
  const accepted: Accepted = { user, input: m.to, type: m.type, products: [], ...(m.biz_opaque_callback_data !== undefined ? { reference: m.biz_opaque_callback_data } : {}) };
  if (m.type === 'template') {
    const t = ctx.templates.find((x) => x.name === m.template.name && x.language === m.template.language.code);
    if (!t) return refuse(132001, '(#132001) Template name does not exist in the translation', `template name (${m.template.name}) does not exist in ${m.template.language.code}`);
    const given = (m.template.components ?? []).filter((c) => c.type === 'body').flatMap((c) => c.parameters ?? []).length;
    if (given !== t.bodyParameters) return refuse(132000, '(#132000) Number of parameters does not match the expected number of params', `body: expected ${t.bodyParameters} parameters, got ${given}`);
    return { ok: true, message: { ...accepted, template: t.name } };
  }
  if (m.type === 'text') return { ok: true, message: accepted };
  const i = m.interactive;
  if (i.action.catalog_id !== ctx.catalogId) return refuse(131009, '(#131009) Parameter value is not valid', `catalog_id ${i.action.catalog_id} is not connected to this phone number`);
  const products = i.type === 'product' ? [i.action.product_retailer_id] : i.action.sections.flatMap((s) => s.product_items.map((p) => p.product_retailer_id));
  if (i.type === 'product_list') {
    if (products.length > 30) return refuse(131009, '(#131009) Parameter value is not valid', `a product list carries at most 30 products (got ${products.length})`);
    if (i.action.sections.length > 1 && i.action.sections.some((s) => !s.title)) return refuse(131009, '(#131009) Parameter value is not valid', 'every section needs a title when there is more than one');
  }
  const unknown = products.find((p) => !ctx.catalogHas(p));
  if (unknown !== undefined) return refuse(131009, '(#131009) Parameter value is not valid', `product ${unknown} is not in catalog ${ctx.catalogId}`);
  return { ok: true, message: { ...accepted, interactive: i.type, products } };
}
