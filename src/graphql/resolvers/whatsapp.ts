/**
 * WhatsApp product messages in the graph (README "WhatsApp"):
 * `sendProductMessage` (exactly once per idempotency key), `whatsAppMessage`
 * and its subscription. The products are store products, read through the
 * request's batched loaders (one store call for all of them) and named in
 * the message by their retailer id, the store SKU.
 *
 * Without a messaging connector (production without WHATSAPP_PHONE_NUMBER_ID)
 * every field is refused with UPSTREAM_UNAVAILABLE, `extensions { upstream:
 * "whatsapp", reason: NOT_CONFIGURED }`. The recipient is shown masked, and
 * the vendor's texts go through the same redaction as log lines.
 */
import { requireRole } from '../../auth/roles.js';
import type { MessagesDomain } from '../../composition/domain.js';
import { maskPhone } from '../../domain/phoneNumber.js';
import type { StoreProduct } from '../../domain/types.js';
import { changeStream } from '../../events/changeStream.js';
import type { ProductMessageRecord } from '../../messaging/types.js';
import { isFinalMessage } from '../../messaging/types.js';
import { redactText } from '../../observability/redact.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { MutationResolvers, QueryResolvers, SubscriptionResolvers, WhatsAppMessageErrorResolvers, WhatsAppMessageEventResolvers, WhatsAppMessageResolvers } from '../generated/resolvers.js';
import { parseId } from '../ids.js';

function messages(ctx: GraphQLContext): MessagesDomain {
  ctx.hints.uncacheable = true;
  const m = ctx.services.messages;
  if (!m) throw gatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, 'WhatsApp is not configured (set WHATSAPP_PHONE_NUMBER_ID and the other WHATSAPP_ variables)', { upstream: 'whatsapp', reason: 'NOT_CONFIGURED' });
  return m;
}

export const whatsAppQueries: Pick<QueryResolvers, 'whatsAppMessage'> = {
  whatsAppMessage: async (_root, { id }, ctx) => (await messages(ctx).service.get(id)) ?? null,
};

export const whatsAppMutations: Pick<MutationResolvers, 'sendProductMessage'> = {
  async sendProductMessage(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'sendProductMessage');
    const m = messages(ctx);
    const ids = input.productIds.map((id) => parseId('Product', id));
    if (ids.length > 30) throw gatewayError(ErrorCode.BAD_USER_INPUT, `productIds: at most 30 store products (got ${ids.length})`, { argument: 'productIds' });
    // One batched store read for all of them, in the order asked.
    const found = await ctx.loaders.productById.loadMany(ids);
    const products = found.map((p, i) => {
      if (p instanceof Error) throw p;
      if (!p) throw gatewayError(ErrorCode.BAD_USER_INPUT, `productIds[${i}]: the store has no such product`, { argument: `productIds[${i}]` });
      const product = p as StoreProduct;
      if (!product.sku) throw gatewayError(ErrorCode.BAD_USER_INPUT, `productIds[${i}]: the product has no SKU, so the catalog cannot name it`, { argument: `productIds[${i}]` });
      return { storeId: product.storeId, retailerId: product.sku, name: product.name };
    });
    return m.service.send({ to: input.to, products, body: input.body ?? null, idempotencyKey: input.idempotencyKey }, ctx.client.name);
  },
};

export const whatsAppSubscriptions: Pick<SubscriptionResolvers, 'whatsAppMessage'> = {
  whatsAppMessage: {
    async subscribe(_root, { id }, ctx) {
      const m = messages(ctx);
      const current = await m.service.get(id);
      if (!current) throw gatewayError(ErrorCode.NOT_FOUND, 'no such WhatsApp message', { argument: 'id' });
      return changeStream(m.events.subscribe, (message) => isFinalMessage(message.status), current, id);
    },
    resolve: (message: ProductMessageRecord) => message,
  },
};

export const whatsAppMessageResolvers: WhatsAppMessageResolvers = {
  to: (m) => maskPhone(m.recipient),
  products: (m, _a, ctx) => ctx.loaders.productById.loadMany(m.products.map((p) => p.storeId)).then((all) => all.map((p) => (p instanceof Error ? null : p))),
  history: async (m, _a, ctx) => messages(ctx).service.events(m.id),
};

export const whatsAppMessageEventResolvers: WhatsAppMessageEventResolvers = {
  reason: (e) => redactText(e.reason),
};

export const whatsAppMessageErrorResolvers: WhatsAppMessageErrorResolvers = {
  title: (e) => redactText(e.title),
  message: (e) => (e.message == null ? null : redactText(e.message)),
};
