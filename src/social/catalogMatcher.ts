/**
 * Catalog matching: which supplier parts and store products a caption
 * names. Part numbers first (each candidate through the batched, cached
 * lookups the graph uses: part number → supplier id → part), then, for a
 * caption without one, its capitalised name phrases through the supplier's
 * search (the longest phrase first, dropping leading words — "New Bendix Air
 * Brake Chamber" finds "Air Brake Chamber" — until one finds parts), scored
 * by how many of the part's name words the caption has. A matched part's
 * store product comes from the SKU rule through the batched store lookup.
 *
 * Confidence: an exact part number 0.95, 0.98 when the caption also names
 * its manufacturer; a name match 0.4 to 0.9 by word overlap, so a number
 * always outranks a name.
 */
import type { Part, StoreProduct } from '../domain/types.js';
import type { CaptionAnalysis } from './analyzer/captionAnalyzer.js';
import type { DraftMatch } from './types.js';

/** The reads matching needs, as the composition root builds them (the graph's batched sources). */
export interface CatalogLookups {
  /** Part number → part, null when the supplier has none (one batched lookup per distinct number). */
  partsByNumber(partNumbers: readonly string[]): Promise<Map<string, Part | null>>;
  /** Supplier search by text, at most `per` parts. */
  searchParts(query: string, per: number): Promise<Part[]>;
  /** Store SKU → product, null when the store has none (batched `sku:in`). */
  productsBySku(skus: readonly string[]): Promise<Map<string, StoreProduct | null>>;
  /** The store SKU of a supplier part (the SKU rule). */
  skuFor(partNumber: string): string;
}

export const MAX_PART_NUMBER_CANDIDATES = 20;
export const MAX_NAME_SEARCHES = 4;
const MAX_MATCHES = 5;

const words = (text: string) => new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2));
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Queries for a phrase: itself, then without its first word, down to two words. */
function narrowings(phrase: string): string[] {
  const parts = phrase.split(/\s+/);
  const out: string[] = [];
  for (let i = 0; parts.length - i >= 2; i++) out.push(parts.slice(i).join(' '));
  return out;
}

export async function matchCatalog(analysis: CaptionAnalysis, caption: string, lookups: CatalogLookups): Promise<DraftMatch[]> {
  const captionWords = words(caption);
  const mentionsManufacturer = (part: Part) => [...words(part.manufacturer)].every((w) => captionWords.has(w));
  const found: Array<{ part: Part; kind: DraftMatch['kind']; matchedText: string; confidence: number }> = [];

  const candidates = analysis.partNumbers.slice(0, MAX_PART_NUMBER_CANDIDATES);
  if (candidates.length) {
    const parts = await lookups.partsByNumber(candidates);
    for (const pn of candidates) {
      const part = parts.get(pn);
      if (part) found.push({ part, kind: 'PART_NUMBER', matchedText: pn, confidence: mentionsManufacturer(part) ? 0.98 : 0.95 });
    }
  }

  if (found.length === 0) {
    let searches = 0;
    outer: for (const phrase of analysis.namePhrases) {
      for (const query of narrowings(phrase)) {
        if (searches++ >= MAX_NAME_SEARCHES) break outer;
        const parts = await lookups.searchParts(query, 10);
        if (parts.length === 0) continue;
        for (const part of parts) {
          const nameWords = words(`${part.manufacturer} ${part.description}`);
          const shared = [...nameWords].filter((w) => captionWords.has(w)).length;
          const overlap = nameWords.size ? shared / nameWords.size : 0;
          const confidence = round2(Math.min(0.9, 0.4 + 0.5 * overlap));
          if (confidence >= 0.6) found.push({ part, kind: 'NAME', matchedText: query, confidence });
        }
        break outer;
      }
    }
  }

  const best = found
    .filter((m, i) => found.findIndex((o) => o.part.supplierId === m.part.supplierId) === i)
    .sort((a, b) => b.confidence - a.confidence || a.part.partNumber.localeCompare(b.part.partNumber))
    .slice(0, MAX_MATCHES);
  const skus = best.map((m) => lookups.skuFor(m.part.partNumber));
  const products = skus.length ? await lookups.productsBySku(skus) : new Map<string, StoreProduct | null>();
  return best.map((m, i) => ({
    kind: m.kind,
    partId: m.part.supplierId,
    partNumber: m.part.partNumber,
    productId: products.get(skus[i] as string)?.storeId ?? null,
    matchedText: m.matchedText,
    confidence: m.confidence,
  }));
}
