/**
 * Product search over the deterministic catalog (`GET /products`).
 *
 * upstreams.md: `GET /products?query=&part_number=&page=&per=&tags=&ids=`
 * answers `{products, pagination:{current_page, per_page, total_count},
 * errno:0, aggs}`. Fitment filters (`fitment_year`, `fitment_make`,
 * `fitment_model`) are a sandbox extension (upstreams.md: fitment is not
 * documented publicly).
 *
 * With no filter the result is the whole catalog in index order and is
 * computed from the page number alone: the catalog may hold a million parts
 * and is never scanned for an unfiltered page. A filter that needs a scan
 * caches its matched index list in a small LRU, so paging does not rescan.
 */
import type { Catalog, CatalogPart } from '../common/catalog.js';
import { parseIdList, parsePositiveInt, queryString, unique, type Parsed, type Query } from './params.js';

export interface SearchFilters {
  /** Case-insensitive substring of part number, manufacturer or description. */
  query?: string;
  /** Exact part number (case-insensitive). */
  partNumber?: string;
  /** Any of these categories (lower case). */
  tags?: string[];
  /** Only these product ids. */
  ids?: number[];
  fitmentYear?: number;
  /** Lower case. */
  fitmentMake?: string;
  /** Lower case. */
  fitmentModel?: string;
}

export interface SearchResult {
  indices: number[];
  totalCount: number;
  /** Parts per manufacturer: over the matched set when filtered, over the page when unfiltered. */
  manufacturers: Record<string, number>;
}

export function parseSearchFilters(query: Query): Parsed<SearchFilters> {
  const filters: SearchFilters = {};
  const text = queryString(query, 'query');
  if (text) filters.query = text.toLowerCase();
  const partNumber = queryString(query, 'part_number');
  if (partNumber) filters.partNumber = partNumber.toUpperCase();
  const tags = queryString(query, 'tags');
  if (tags) {
    const list = tags
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    if (list.length > 0) filters.tags = list;
  }
  const ids = queryString(query, 'ids');
  if (ids) {
    const parsed = parseIdList(ids, 'ids');
    if (!parsed.ok) return parsed;
    filters.ids = unique(parsed.value).sort((a, b) => a - b);
  }
  const year = queryString(query, 'fitment_year');
  if (year) {
    const y = parsePositiveInt(year);
    if (y === undefined) return { ok: false, message: 'fitment_year must be a year, e.g. 2018' };
    filters.fitmentYear = y;
  }
  const make = queryString(query, 'fitment_make');
  if (make) filters.fitmentMake = make.toLowerCase();
  const model = queryString(query, 'fitment_model');
  if (model) filters.fitmentModel = model.toLowerCase();
  return { ok: true, value: filters };
}

function isUnfiltered(f: SearchFilters): boolean {
  return Object.keys(f).length === 0;
}

function predicate(f: SearchFilters): (part: CatalogPart) => boolean {
  const tags = f.tags ? new Set(f.tags) : undefined;
  const needsFitment = f.fitmentYear !== undefined || f.fitmentMake !== undefined || f.fitmentModel !== undefined;
  return (part) => {
    if (f.partNumber !== undefined && part.partNumber !== f.partNumber) return false;
    if (tags && !tags.has(part.category)) return false;
    if (f.query !== undefined) {
      const q = f.query;
      if (
        !part.partNumber.toLowerCase().includes(q) &&
        !part.manufacturer.toLowerCase().includes(q) &&
        !part.description.toLowerCase().includes(q)
      ) {
        return false;
      }
    }
    if (needsFitment) {
      const fits = part.fitments.some(
        (fit) =>
          (f.fitmentYear === undefined || fit.year === f.fitmentYear) &&
          (f.fitmentMake === undefined || fit.make.toLowerCase() === f.fitmentMake) &&
          (f.fitmentModel === undefined || fit.model.toLowerCase() === f.fitmentModel),
      );
      if (!fits) return false;
    }
    return true;
  };
}

function countManufacturers(catalog: Catalog, indices: Iterable<number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of indices) {
    const part = catalog.get(i);
    if (part) counts[part.manufacturer] = (counts[part.manufacturer] ?? 0) + 1;
  }
  return counts;
}

interface Matched {
  indices: number[];
  manufacturers: Record<string, number>;
}

const LRU_MAX = 16;

export interface ProductSearch {
  search(filters: SearchFilters, page: number, per: number): SearchResult;
  /** How many full-catalog scans ran (for tests of the cache). */
  scans(): number;
  /** Forgets every cached match (the catalog's data changed). */
  clear(): void;
}

export function createProductSearch(catalog: Catalog): ProductSearch {
  const lru = new Map<string, Matched>();
  let scanCount = 0;

  function match(filters: SearchFilters): Matched {
    const key = JSON.stringify(filters);
    const hit = lru.get(key);
    if (hit) {
      lru.delete(key);
      lru.set(key, hit); // most recently used goes last
      return hit;
    }
    const test = predicate(filters);
    const indices: number[] = [];
    const consider = (i: number) => {
      const part = catalog.get(i);
      if (part && test(part)) indices.push(i);
    };
    if (filters.partNumber !== undefined) {
      // An exact part number resolves without a scan (catalog.ts part numbers are invertible).
      const i = catalog.indexOfPartNumber(filters.partNumber);
      if (i !== undefined && (!filters.ids || filters.ids.includes(i))) consider(i);
    } else if (filters.ids) {
      for (const i of filters.ids) consider(i);
    } else {
      scanCount++;
      for (let i = 1; i <= catalog.size; i++) consider(i);
    }
    const matched = { indices, manufacturers: countManufacturers(catalog, indices) };
    lru.set(key, matched);
    if (lru.size > LRU_MAX) {
      const oldest = lru.keys().next().value;
      if (oldest !== undefined) lru.delete(oldest);
    }
    return matched;
  }

  return {
    search(filters, page, per) {
      const offset = (page - 1) * per;
      if (isUnfiltered(filters)) {
        const indices: number[] = [];
        for (let i = offset + 1; i <= Math.min(catalog.size, offset + per); i++) indices.push(i);
        return { indices, totalCount: catalog.size, manufacturers: countManufacturers(catalog, indices) };
      }
      const matched = match(filters);
      return {
        indices: matched.indices.slice(offset, offset + per),
        totalCount: matched.indices.length,
        manufacturers: matched.manufacturers,
      };
    },
    scans: () => scanCount,
    clear: () => lru.clear(),
  };
}
