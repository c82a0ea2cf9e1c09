/** The audit log, for admins (the access policy guards the field; the resolver checks again). */
import { requireRole } from '../../auth/roles.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import { ErrorCode, gatewayError } from '../errors.js';

const MAX_PAGE = 200;

/** Keyset cursors: the entry's id, so a page does not shift while new entries arrive. */
const cursorOf = (id: string) => Buffer.from(`a:${id}`).toString('base64url');

function parseAfter(after: string | null | undefined): number | undefined {
  if (after === null || after === undefined) return undefined;
  const decoded = /^[A-Za-z0-9_-]{1,32}$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const m = /^a:(\d{1,15})$/.exec(decoded);
  if (!m?.[1]) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor from this connection', { argument: 'after' });
  return Number(m[1]);
}

export const auditQueries: Pick<QueryResolvers, 'auditLog'> = {
  async auditLog(_root, { first, after, client, operation }, ctx) {
    requireRole(ctx.client, 'admin', 'auditLog');
    ctx.hints.uncacheable = true;
    const size = first ?? 25;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw gatewayError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${MAX_PAGE}`, { argument: 'first' });
    }
    const beforeId = parseAfter(after);
    const audit = ctx.services.audit;
    if (!audit) return { edges: [], totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
    // One more than asked tells whether another page follows.
    const { items, total } = await audit.list({ client: client ?? undefined, operation: operation ?? undefined }, { beforeId, limit: size + 1 });
    const page = items.slice(0, size);
    const edges = page.map((node) => ({ cursor: cursorOf(node.id), node }));
    return {
      edges,
      totalCount: total,
      pageInfo: {
        hasNextPage: items.length > size,
        hasPreviousPage: beforeId !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  },
};
