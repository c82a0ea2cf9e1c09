/** Social links → product drafts: the ingestion, the drafts (reads viewer; writes operator, accessPolicy.ts). */
import { requireRole } from '../../auth/roles.js';
import type { GraphQLContext } from '../context.js';
import type { MutationResolvers, ProductDraftResolvers, ProductMatchResolvers, QueryResolvers, DraftImageResolvers } from '../generated/resolvers.js';
import { connection, parseWindow } from '../pagination.js';

const MAX_PAGE = 100;

function social(ctx: GraphQLContext) {
  // Drafts change under ingestion and publication: never from the whole-response cache.
  ctx.hints.uncacheable = true;
  return ctx.services.social;
}

export const socialQueries: Pick<QueryResolvers, 'productDraft' | 'productDrafts'> = {
  async productDraft(_root, { id }, ctx) {
    return (await social(ctx).drafts.get(id)) ?? null;
  },
  async productDrafts(_root, { filter, first, after }, ctx) {
    const window = parseWindow(first, after, MAX_PAGE);
    const { items, total } = await social(ctx).drafts.list({ status: filter?.status ?? undefined, platform: filter?.platform ?? undefined }, window.offset, window.first);
    return connection(items, window.offset, total, window.offset + items.length < total);
  },
};

export const socialMutations: Pick<MutationResolvers, 'ingestSocialLink' | 'updateProductDraft' | 'publishProductDraft'> = {
  ingestSocialLink(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'ingestSocialLink');
    return social(ctx).ingest.ingest(input.url, ctx.client.name);
  },
  updateProductDraft(_root, { input }, ctx) {
    requireRole(ctx.client, 'operator', 'updateProductDraft');
    const { id, ...patch } = input;
    return social(ctx).drafts.update(id, patch);
  },
  publishProductDraft(_root, { id, idempotencyKey }, ctx) {
    requireRole(ctx.client, 'operator', 'publishProductDraft');
    return social(ctx).drafts.publish(id, idempotencyKey, ctx.client.name);
  },
};

export const productDraftResolvers: ProductDraftResolvers = {
  source: (d) => ({ platform: d.platform, videoId: d.videoId, url: d.sourceUrl, author: d.author, authorUrl: d.authorUrl, caption: d.caption }),
  callToAction: (d) => d.analysis?.callsToAction[0] ?? null,
  callsToAction: (d) => d.analysis?.callsToAction ?? [],
  hashtags: (d) => d.analysis?.hashtags ?? [],
  mentions: (d) => d.analysis?.mentions ?? [],
  prices: (d) => d.analysis?.prices ?? [],
  sentiment: (d) => d.analysis?.sentiment ?? null,
  ingestJob: async (d, _args, ctx) => (d.ingestJobId ? ((await ctx.services.jobs.store.get(d.ingestJobId)) ?? null) : null),
  product: (d, _args, ctx) => (d.storeProductId ? ctx.loaders.productById.load(d.storeProductId) : null),
};

export const draftImageResolvers: DraftImageResolvers = {
  url: (image, _args, ctx) => ctx.services.social.mediaUrl(image.key),
};

export const productMatchResolvers: ProductMatchResolvers = {
  part: (m, _args, ctx) => (m.partId ? ctx.loaders.part.load(m.partId) : null),
  product: (m, _args, ctx) => (m.productId ? ctx.loaders.productById.load(m.productId) : null),
};
