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
  // Orders mirror (schema/orderMirror.graphql): a refresh reads the whole channel, as a sync does.
  'Mutation.refreshOrderMirror': 'operator',
  // Sensitive fields.
  'Query.auditLog': 'admin',
  'UpstreamStatus.baseUrl': 'operator',
  'Query.m3': 'operator',
};

/** What a mutation missing from ACCESS_POLICY needs. */
export const UNLISTED_MUTATION_ROLE: Role = 'admin';

/** The role `type.field` needs, or undefined when any authenticated client may read it. */
export function requiredRole(type: string, field: string, isMutation = false): Role | undefined {
  return ACCESS_POLICY[`${type}.${field}`] ?? (isMutation ? UNLISTED_MUTATION_ROLE : undefined);
}
