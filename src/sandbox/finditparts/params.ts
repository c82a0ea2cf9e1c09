/**
 * Query-string and path parameter parsing shared by the Reseller API routes.
 * Every failure is a message for a 400 `{errno: 2, message}` answer.
 */

export type Query = Record<string, string | string[] | undefined>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The first value of a query parameter, trimmed; empty counts as absent. */
export function queryString(query: Query, name: string): string | undefined {
  const raw = query[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

const DIGITS = /^\d{1,15}$/;

export function parsePositiveInt(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/** upstreams.md search: `page` (1-based) and `per`; the sandbox caps `per` at 100, default 25. */
export const PER_DEFAULT = 25;
export const PER_MAX = 100;

export function parsePaging(query: Query): Parsed<{ page: number; per: number }> {
  const pageText = queryString(query, 'page');
  const perText = queryString(query, 'per');
  const page = pageText === undefined ? 1 : parsePositiveInt(pageText);
  if (page === undefined) return { ok: false, message: 'page must be a positive integer' };
  const per = perText === undefined ? PER_DEFAULT : parsePositiveInt(perText);
  if (per === undefined || per > PER_MAX) return { ok: false, message: `per must be between 1 and ${PER_MAX}` };
  return { ok: true, value: { page, per } };
}

/** A comma list of positive integer ids ("1,2,3"), at most `max` (if given). */
export function parseIdList(text: string, what: string, max?: number): Parsed<number[]> {
  const parts = text.split(',').map((s) => s.trim());
  if (max !== undefined && parts.length > max) return { ok: false, message: `at most ${max} ids per request` };
  const ids: number[] = [];
  for (const part of parts) {
    const id = parsePositiveInt(part);
    if (id === undefined) return { ok: false, message: `${what} must be a comma-separated list of numeric ids, got "${part}"` };
    ids.push(id);
  }
  return { ok: true, value: ids };
}

/** The same ids without repeats, first occurrence wins. */
export function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}
