/** FinditParts as the domain's `Supplier` (domain/ports.ts): its catalog and its ordering. */
import type { Supplier } from '../../domain/ports.js';
import type { UpstreamClient } from '../../upstreams/http.js';
import { createFinditPartsCatalog } from './client.js';
import { createFinditPartsOrdering } from './orders.js';

export function createFinditPartsSupplier(http: UpstreamClient): Supplier {
  return { name: http.name, displayName: 'FinditParts', catalog: createFinditPartsCatalog(http), ordering: createFinditPartsOrdering(http) };
}
