/**
 * The supplier side of a sync: the parts in a job's scope, one page at a
 * time, read through the bulk pacing lane. Pages are numbered so that a
 * checkpoint ("next page N") resumes exactly where a crash stopped.
 */
import type { SkuRule } from '../../domain/skuRule.js';
import type { Part } from '../../domain/types.js';
import type { SupplierCatalog } from '../../domain/ports.js';
import type { SyncScope } from '../types.js';

export interface PartPage {
  parts: Part[];
  /** Parts in scope (upper bound when filtering by manufacturer on our side). */
  total: number;
  /** No pages after this one. */
  last: boolean;
}

export interface PartPager {
  page(n: number): Promise<PartPage>;
}

export function createPartPager(fip: SupplierCatalog, scope: SyncScope, skuRule: SkuRule, pageSize: number): PartPager {
  const limit = scope.limit ?? Number.POSITIVE_INFINITY;
  const numbers = scope.partNumbers ?? scope.skus?.map((s) => skuRule.partNumberFor(s)).filter((n): n is string => n !== null);

  if (numbers) {
    // Explicit part numbers: the supplier has no batch lookup, so one call each.
    const wanted = numbers.slice(0, Number.isFinite(limit) ? limit : undefined);
    return {
      async page(n) {
        const slice = wanted.slice((n - 1) * pageSize, n * pageSize);
        const parts = (await Promise.all(slice.map((pn) => fip.lookup(pn, 'bulk')))).filter((p): p is Part => p !== null);
        return { parts, total: wanted.length, last: n * pageSize >= wanted.length };
      },
    };
  }

  const query = scope.query ?? scope.manufacturer;
  return {
    async page(n) {
      const res = await fip.search({ query, page: n, per: pageSize }, 'bulk');
      const total = Math.min(res.total, limit);
      const start = (n - 1) * pageSize;
      let parts = res.items.slice(0, Math.max(0, total - start));
      if (scope.manufacturer) {
        const m = scope.manufacturer.toLowerCase();
        parts = parts.filter((p) => p.manufacturer.toLowerCase() === m);
      }
      return { parts, total, last: start + res.items.length >= total || res.items.length === 0 };
    },
  };
}
