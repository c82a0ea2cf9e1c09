/**
 * Drafts after ingestion: an operator's edits, and publication — exactly one
 * store product per draft, whoever asks and however often.
 *
 * publishProductDraft(id, idempotencyKey): the key binds to the draft for
 * good (the same key for another draft is IDEMPOTENCY_CONFLICT, KEY_REUSED);
 * the draft itself is the unit of exactly-once. One request claims its
 * publication (a compare-and-set with a lease: a publisher that died holds
 * it only `leaseMs`); concurrent ones wait for its outcome and replay it.
 * The holder first looks the store up by the draft's SKU — a create whose
 * answer was lost (a timeout, a crash) is found and adopted, never repeated
 * (BigCommerce has no idempotency keys; a SKU is unique in a store, and a
 * second create of it is a 409 that is adopted the same way) — then
 * creates one product, or links to the product the caption names:
 *
 *   - a match at LINK_CONFIDENCE or above with a store product → that product (linked);
 *   - a match that names a supplier part → the part's SKU (the SKU rule): the store's
 *     product of that part when it has one (linked), else a new one a catalog sync will
 *     recognise as the part's;
 *   - otherwise a new product with the SKU `TT-{videoId}`.
 */
import { randomUUID } from 'node:crypto';
import { normalizeDecimal, type Money } from '../domain/money.js';
import type { Store } from '../domain/ports.js';
import type { SkuRule } from '../domain/skuRule.js';
import type { StoreProduct } from '../domain/types.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';
import { UpstreamError } from '../upstreams/upstreamError.js';
import type { DraftFilter, DraftStore } from './draftStore.js';
import type { DraftImage, DraftPatch, ProductDraftRecord } from './types.js';
import { isEditable } from './types.js';

export const LINK_CONFIDENCE = 0.9;
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface PublishResult {
  draft: ProductDraftRecord;
  product: StoreProduct;
  linked: boolean;
  replayed: boolean;
}

export interface UpdateDraftInput {
  title?: string | null;
  description?: string | null;
  price?: { amount: string; currency: string } | null;
  tags?: string[] | null;
  category?: string | null;
  status?: 'DRAFT' | 'DISCARDED' | 'PUBLISHED' | null;
}

export interface DraftService {
  get(id: string): Promise<ProductDraftRecord | undefined>;
  list(filter: DraftFilter, offset: number, limit: number): Promise<{ items: ProductDraftRecord[]; total: number }>;
  update(id: string, input: UpdateDraftInput): Promise<ProductDraftRecord>;
  publish(id: string, idempotencyKey: string, client: string): Promise<PublishResult>;
}

export interface DraftServiceOptions {
  drafts: DraftStore;
  store: Store;
  skuRule: SkuRule;
  /** A published image's absolute URL (the store fetches it). */
  imageUrl(image: DraftImage): string;
  /** Store products by id, batched and cached (the graph's source). */
  productsById(ids: readonly string[]): Promise<Map<string, StoreProduct | null>>;
  /** Drops what the caches hold for these SKUs and products (a publish wrote them). */
  invalidate(skus: string[], storeIds: string[]): Promise<void>;
  leaseMs: number;
  waitMs: number;
}

const bad = (argument: string, message: string, extra: Record<string, unknown> = {}) => crossdockError(ErrorCode.BAD_USER_INPUT, message, { argument, ...extra });
const isId = (id: string) => /^[0-9a-f-]{36}$/.test(id);

function validatePatch(input: UpdateDraftInput): DraftPatch {
  const patch: DraftPatch = {};
  if (input.title != null) {
    const t = input.title.trim();
    if (t.length === 0 || t.length > 250) throw bad('input.title', 'title must be 1 to 250 characters');
    patch.title = t;
  }
  if (input.description != null) {
    if (input.description.length > 10_000) throw bad('input.description', 'description must be at most 10,000 characters');
    patch.description = input.description;
  }
  if (input.price !== undefined) {
    if (input.price === null) patch.price = null;
    else {
      const amount = normalizeDecimal(input.price.amount);
      if (amount === undefined || amount.startsWith('-')) throw bad('input.price.amount', 'price.amount must be a decimal of at least 0');
      if (!/^[A-Z]{3}$/.test(input.price.currency)) throw bad('input.price.currency', 'price.currency must be an ISO 4217 code');
      patch.price = { amount, currency: input.price.currency };
    }
  }
  if (input.tags != null) {
    if (input.tags.length > 30) throw bad('input.tags', 'at most 30 tags');
    const tags = input.tags.map((t) => t.trim().replace(/^#/, '').toLowerCase());
    for (const t of tags) if (!/^[\p{L}\p{N}_-]{1,50}$/u.test(t)) throw bad('input.tags', `"${t.slice(0, 60)}" is not a tag (letters, digits, _ and -, at most 50)`);
    patch.tags = [...new Set(tags)];
  }
  if (input.category !== undefined) {
    if (input.category !== null && (input.category.trim().length === 0 || input.category.length > 100)) throw bad('input.category', 'category must be 1 to 100 characters');
    patch.category = input.category?.trim() ?? null;
  }
  if (input.status != null) {
    if (input.status === 'PUBLISHED') throw bad('input.status', 'a draft is published by publishProductDraft');
    patch.status = input.status;
  }
  return patch;
}

export function createDraftService(options: DraftServiceOptions): DraftService {
  const { drafts, store, skuRule } = options;

  const mustGet = async (id: string) => {
    const draft = isId(id) ? await drafts.get(id) : undefined;
    if (!draft) throw crossdockError(ErrorCode.NOT_FOUND, `no product draft with id "${id.slice(0, 64)}"`, { argument: 'id' });
    return draft;
  };

  /** The SKU a draft publishes under, and whether that is a supplier part's (the SKU rule). */
  function skuOf(draft: ProductDraftRecord): { sku: string; partSku: boolean } {
    const part = draft.matches.find((m) => m.partNumber && m.confidence >= LINK_CONFIDENCE);
    return part?.partNumber ? { sku: skuRule.skuFor(part.partNumber), partSku: true } : { sku: `TT-${draft.videoId}`, partSku: false };
  }

  async function publishable(draft: ProductDraftRecord): Promise<{ title: string; price: Money }> {
    if (!draft.ingestedAt) throw bad('id', 'the draft is still being ingested; publish it once its job has succeeded', { reason: 'NOT_INGESTED' });
    if (!draft.title) throw bad('id', 'the draft has no title; set one with updateProductDraft', { reason: 'NO_TITLE' });
    if (!draft.price) throw bad('id', 'the draft has no price; set one with updateProductDraft', { reason: 'NO_PRICE' });
    const currency = await store.catalog.currency('interactive');
    if (draft.price.currency !== currency) throw bad('id', `the draft's price is in ${draft.price.currency}, the store sells in ${currency}; set the price in ${currency} with updateProductDraft`, { reason: 'CURRENCY' });
    return { title: draft.title, price: draft.price };
  }

  /** The store product the draft becomes: linked, adopted from an earlier attempt, or created once. */
  async function place(draft: ProductDraftRecord): Promise<{ product: StoreProduct; linked: boolean }> {
    const { title, price } = await publishable(draft);
    const named = draft.matches.find((m) => m.productId && m.confidence >= LINK_CONFIDENCE);
    if (named?.productId) {
      const found = (await store.catalog.productsByIds([named.productId], 'interactive')).get(named.productId);
      if (found) return { product: found, linked: true };
    }
    const { sku, partSku } = skuOf(draft);
    const lookup = async () => (await store.catalog.productsBySkus([sku], 'interactive')).get(sku);
    // Uncached: a create that landed a moment ago (its answer lost) must be seen.
    const existing = await lookup();
    if (existing) return { product: existing, linked: partSku };
    const thumbnail = draft.images.filter((i) => i.format === 'jpeg').sort((a, b) => b.size - a.size)[0];
    try {
      const product = await store.writer.createProduct(
        {
          name: title.slice(0, 250),
          sku,
          price: Number(price.amount),
          weight: 0,
          trackInventory: false,
          ...(draft.description ? { description: draft.description } : {}),
          ...(thumbnail ? { images: [{ url: options.imageUrl(thumbnail), isThumbnail: true }] } : {}),
          customFields: [{ name: 'tiktok_video_id', value: draft.videoId }],
        },
        'interactive',
      );
      await options.invalidate([sku], [product.storeId]);
      return { product, linked: false };
    } catch (err) {
      // The SKU is taken: by a product made meanwhile (another attempt's), which is this draft's.
      if (err instanceof UpstreamError && err.status === 409) {
        const taken = await lookup();
        if (taken) return { product: taken, linked: partSku };
      }
      throw err;
    }
  }

  async function replay(draft: ProductDraftRecord): Promise<PublishResult> {
    const id = draft.storeProductId as string;
    const product = (await options.productsById([id])).get(id);
    if (!product) throw crossdockError(ErrorCode.UPSTREAM_ERROR, `the draft was published as store product ${id}, which the store no longer has`, { upstream: store.name });
    return { draft, product, linked: draft.linked, replayed: true };
  }

  return {
    get: async (id) => (isId(id) ? drafts.get(id) : undefined),
    list: (filter, offset, limit) => drafts.list(filter, offset, limit),
    async update(id, input) {
      const patch = validatePatch(input);
      for (let attempt = 0; attempt < 5; attempt++) {
        const draft = await mustGet(id);
        if (!isEditable(draft.status)) throw bad('id', `the draft is ${draft.status}; a published draft is not edited`, { reason: draft.status });
        if (draft.publishToken && draft.publishUntil && Date.parse(draft.publishUntil) > Date.now()) {
          throw bad('id', 'the draft is being published; edit it after', { reason: 'PUBLISHING', retryable: true });
        }
        const result = await drafts.update(id, draft.version, patch);
        if (result.applied) return result.draft;
      }
      throw bad('id', 'the draft keeps changing; try the edit again', { retryable: true });
    },
    async publish(id, idempotencyKey, client) {
      if (!idempotencyKey || !KEY.test(idempotencyKey)) throw bad('idempotencyKey', 'idempotencyKey is required: 1 to 255 printable characters, no spaces');
      let draft = await mustGet(id);
      const binding = await drafts.bindKey(client, idempotencyKey, draft.id);
      if (binding.kind === 'otherDraft') {
        throw crossdockError(ErrorCode.IDEMPOTENCY_CONFLICT, 'this idempotencyKey was used to publish another draft', { reason: 'KEY_REUSED', retryable: false });
      }
      const deadline = Date.now() + options.waitMs;
      for (;;) {
        switch (draft.status) {
          case 'PUBLISHED':
            return replay(draft);
          case 'DISCARDED':
            throw bad('id', 'the draft is discarded; make it a DRAFT again with updateProductDraft to publish it', { reason: 'DISCARDED' });
          case 'DRAFT':
            break;
          default: {
            const never: never = draft.status;
            throw new Error(`unknown draft status ${String(never)}`);
          }
        }
        const token = randomUUID();
        const now = Date.now();
        const claim = await drafts.claimPublish(draft.id, token, new Date(now + options.leaseMs).toISOString(), new Date(now).toISOString());
        if (claim.applied) {
          let placed: { product: StoreProduct; linked: boolean };
          try {
            placed = await place(claim.draft);
          } catch (err) {
            // Nothing was created (or what was is found by its SKU next time): the claim is free again.
            await drafts.releasePublish(draft.id, token, err instanceof Error ? err.message : String(err)).catch(() => undefined);
            if (err instanceof UpstreamError) {
              throw crossdockError(err.kind === 'rateLimited' ? ErrorCode.UPSTREAM_RATE_LIMITED : ErrorCode.UPSTREAM_UNAVAILABLE, `${err.upstream} did not take the product; publish again with the same key`, { upstream: err.upstream, retryable: true });
            }
            throw err;
          }
          const done = await drafts.finishPublish(draft.id, token, { storeProductId: placed.product.storeId, linked: placed.linked });
          if (done.applied) return { draft: done.draft, product: placed.product, linked: placed.linked, replayed: false };
          // The claim ran out and another publisher took over: its outcome (the same product, by SKU) decides.
          draft = done.draft;
          continue;
        }
        draft = claim.draft;
        if (draft.status !== 'DRAFT') continue;
        // Another request is publishing it: wait for its outcome.
        if (Date.now() >= deadline) {
          const retryInMs = draft.publishUntil ? Math.max(0, Date.parse(draft.publishUntil) - Date.now()) : options.leaseMs;
          throw crossdockError(ErrorCode.IDEMPOTENCY_CONFLICT, 'the draft is being published by another request; retry shortly', { reason: 'IN_FLIGHT', retryable: true, retryInMs });
        }
        await new Promise((r) => setTimeout(r, 50));
        draft = await mustGet(id);
      }
    },
  };
}
