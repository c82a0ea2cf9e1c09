/**
 * Relay cursor connections over offset-paged vendor APIs. Cursors are opaque
 * (base64url of the offset) and validated like any input.
 */
import { ErrorCode, gatewayError } from './errors.js';

export function offsetCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function parseWindow(first: number | null | undefined, after: string | null | undefined, max: number): { offset: number; first: number } {
  const size = first ?? 25;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${max}`, { argument: 'first' });
  }
  if (after === null || after === undefined) return { offset: 0, first: size };
  const decoded = /^[A-Za-z0-9_-]{1,32}$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const match = /^o:(\d{1,9})$/.exec(decoded);
  if (!match?.[1]) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor from this connection', { argument: 'after' });
  return { offset: Number(match[1]) + 1, first: size };
}

/**
 * Fetches the window [offset, offset+first) from a page/per API: one call
 * when the window is aligned to the page size, two when it straddles pages.
 * The total is the last page's: it is the later answer (the list may have
 * changed between the calls), and for lists that carry no total (BigCommerce
 * v2 orders, where a full page only means "maybe more") it is the only page
 * that can say where the list ends.
 */
export async function fetchWindow<T>(
  offset: number,
  first: number,
  fetchPage: (page: number, per: number) => Promise<{ items: T[]; total: number }>,
): Promise<{ items: T[]; total: number }> {
  const firstPage = Math.floor(offset / first) + 1;
  const a = await fetchPage(firstPage, first);
  const start = offset - (firstPage - 1) * first;
  let items = a.items.slice(start);
  let total = a.total;
  if (start > 0 && items.length < first && firstPage * first < a.total) {
    const b = await fetchPage(firstPage + 1, first);
    items = items.concat(b.items).slice(0, first);
    // What page 1 held proves the list reaches at least page 2's start, even if page 2 came back empty with no total.
    total = Math.max(b.total, firstPage * first + b.items.length);
  }
  return { items: items.slice(0, first), total };
}

export function connection<T>(items: T[], offset: number, total: number, hasNext: boolean) {
  const edges = items.map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return {
    edges,
    totalCount: total,
    pageInfo: {
      hasNextPage: hasNext,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
