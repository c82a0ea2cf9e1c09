/**
 * Reads BigCommerce-style query parameters (`id:in=1,2,3`, `is_visible=true`,
 * `date_modified:min=2024-01-01`) and collects what is malformed, so a route
 * can answer one error listing every bad parameter.
 */
export type Query = Record<string, string | string[] | undefined>;

export class QueryReader {
  readonly errors: Record<string, string> = {};

  constructor(private readonly query: Query) {}

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  /** The raw value (the first one when a key is repeated). */
  str(name: string): string | undefined {
    const v = this.query[name];
    return Array.isArray(v) ? v[0] : v;
  }

  int(name: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) {
      this.errors[name] = `${name} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}`;
      return undefined;
    }
    return n;
  }

  /** A comma-separated list (repeated keys are joined too). */
  strList(name: string): string[] | undefined {
    const v = this.query[name];
    if (v === undefined) return undefined;
    const parts = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(','));
    return parts.map((s) => s.trim()).filter((s) => s !== '');
  }

  intList(name: string): number[] | undefined {
    const list = this.strList(name);
    if (list === undefined) return undefined;
    const out: number[] = [];
    for (const s of list) {
      const n = Number(s);
      if (!Number.isSafeInteger(n)) {
        this.errors[name] = `${name} must be a comma-separated list of integers`;
        return undefined;
      }
      out.push(n);
    }
    return out;
  }

  bool(name: string): boolean | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.errors[name] = `${name} must be true or false`;
    return undefined;
  }

  /** A date (ISO-8601, RFC-2822 or a Unix timestamp in seconds) as epoch ms. */
  date(name: string): number | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
    if (!Number.isFinite(ms)) {
      this.errors[name] = `${name} must be a date`;
      return undefined;
    }
    return ms;
  }
}

/** Intersection of optional id sets; undefined means "no constraint". */
export function intersect(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

export interface Paging {
  page: number;
  limit: number;
  offset: number;
}

/** `page` (default 1) and `limit` (default `defaultLimit`); malformed values are recorded on the reader. */
export function readPaging(q: QueryReader, defaultLimit = 50): Paging {
  const page = q.int('page', 1) ?? 1;
  const limit = q.int('limit', 1) ?? defaultLimit;
  return { page, limit, offset: (page - 1) * limit };
}
