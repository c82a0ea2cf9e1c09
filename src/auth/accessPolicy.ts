/**
 * Who may run what: the least role each guarded field needs, in one table.
 * guardSchema.ts enforces it on the built schema, whatever the transport
 * (HTTP, SSE, WebSocket), before the field's own resolver runs.
 *
 * - Every mutation is listed. A mutation added to the schema without an
 *   entry needs `admin` (fail closed), and the roles table test fails until
 *   it is listed.
 * - Sensitive fields:
 *   - `Query.auditLog` (who did what, with masked arguments): admin.
 *   - `UpstreamStatus.baseUrl` (where the vendors are, the store hash in the
 *     BigCommerce URL): operator and above; viewers still see each upstream's
 *     name, breaker, quota and latency.
 *   - `Query.m3` (the ERP's own read transactions, for the old ION proxy's
 *     clients: whatever an allow-listed transaction returns): operator.
 *   Not exposed at all, so nothing to guard: supplier order ship-to
 *   addresses (personal data), API keys, store tokens, vendor credentials.
 *
 * Roles are ordered (roles.ts): admin ⊇ operator ⊇ viewer.
 */
import type { Role } from '../config.js';

export const ACCESS_POLICY: Readonly<Record<string, Role>> = {
  // Sync jobs (schema/sync.graphql).
  'Mutation.startSync': 'operator',
  'Mutation.cancelSync': 'operator',
  'Mutation.retrySyncFailures': 'operator',
  'Mutation.scheduleSync': 'operator',
  'Mutation.removeSyncSchedule': 'operator',
  // Supplier orders (schema/supplierOrders.graphql).
  'Mutation.placeSupplierOrder': 'operator',
  'Mutation.retrySupplierOrder': 'operator',
  'Mutation.cancelSupplierOrder': 'operator',
  // Store orders into the ERP (schema/erpOrders.graphql).
  'Mutation.retryErpOrderExport': 'operator',
  // Social links → product drafts (schema/social.graphql); reads are a viewer's.
  'Mutation.ingestSocialLink': 'operator',
  'Mutation.updateProductDraft': 'operator',
  'Mutation.publishProductDraft': 'operator',
  // WhatsApp product messages (schema/whatsapp.graphql); reading them is any role's.
  'Mutation.sendProductMessage': 'operator',
  // Orders mirror (schema/orderMirror.graphql): a refresh reads the whole channel, as a sync does.
  'Mutation.refreshOrderMirror': 'operator',
  // Sensitive fields.
  'Query.auditLog': 'admin',
  'UpstreamStatus.baseUrl': 'operator',
  'Query.m3': 'operator',
};

/**
 * HTTP routes outside the graph that change state, by `METHOD path`: the
 * least role each needs (the auth hook in server/fastifyApp.ts already
 * requires a key for them). Exports (`GET /bulk/exports/…`) are reads: any
 * authenticated client.
 */
export const ROUTE_POLICY: Readonly<Record<string, Role>> = {
  // Bulk CSV imports start sync jobs that write to the store, as startSync does.
  'POST /bulk/imports': 'operator',
};

/** The role a state-changing route needs; a route missing from ROUTE_POLICY needs admin (fail closed). */
export function routeRole(route: string): Role {
  return ROUTE_POLICY[route] ?? UNLISTED_MUTATION_ROLE;
}

/** What a mutation missing from ACCESS_POLICY needs. */
export const UNLISTED_MUTATION_ROLE: Role = 'admin';

/** The role `type.field` needs, or undefined when any authenticated client may read it. */
export function requiredRole(type: string, field: string, isMutation = false): Role | undefined {
  return ACCESS_POLICY[`${type}.${field}`] ?? (isMutation ? UNLISTED_MUTATION_ROLE : undefined);
}
