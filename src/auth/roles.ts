/** Roles are ordered: admin can do what operator can, operator what viewer can. */
import type { Role } from '../config.js';
import type { Client } from '../graphql/context.js';
import { ErrorCode, crossdockError } from '../errors/crossdockError.js';

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(client: Client, min: Role): boolean {
  return RANK[client.role] >= RANK[min];
}

export function requireRole(client: Client, min: Role, what: string): void {
  if (!hasRole(client, min)) {
    throw crossdockError(ErrorCode.FORBIDDEN, `${what} needs role ${min} or above; this key has role ${client.role}`, { requiredRole: min });
  }
}
