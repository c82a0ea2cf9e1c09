/**
 * How long ION answers may be cached, by path prefix — the seed's table
 * (upstreams.md: `/m3api-rest` 300 s, `/IDM/api/items` 600 s, `/LN/api`
 * 300 s, default 300 s), configurable as ION_CACHE_TTLS
 * (`/m3api-rest=300,/m3api-rest/v2/execute/MMS060MI=60,default=300`).
 *
 * A path is matched as the seed's proxy saw it, below the tenant and the
 * product (`/m3api-rest/v2/execute/MMS200MI/GetItmBasic`), by the longest
 * prefix that ends at a segment boundary; a transaction sent in a bulk call
 * is matched by its single-call path, so a bulk read caches as long as the
 * same reads one by one.
 */

export interface TtlTable {
  /** Milliseconds for a path. */
  ttlMsFor(path: string): number;
  /** The entries, for /ready and the README (seconds). */
  entries(): Record<string, number>;
}

export const SEED_TTLS = '/m3api-rest=300,/IDM/api/items=600,/LN/api=300,default=300';

const PREFIX = /^\/[A-Za-z0-9._~/-]{1,200}$/;

/** Parses the table; problems name `variable` and the entry, not a value. */
export function parseTtlTable(raw: string, variable: string, problems: string[]): TtlTable {
  const table = new Map<string, number>();
  let fallback = 300;
  raw.split(',').forEach((item, i) => {
    const entry = item.trim();
    if (!entry) return;
    const eq = entry.lastIndexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    const seconds = eq > 0 ? Number(entry.slice(eq + 1).trim()) : Number.NaN;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) {
      problems.push(`${variable}: entry ${i + 1} must be prefix=seconds (0 to 86400)`);
      return;
    }
    if (key === 'default') fallback = seconds;
    else if (PREFIX.test(key)) table.set(key.replace(/\/+$/, ''), seconds);
    else problems.push(`${variable}: entry ${i + 1} must start with / (a path prefix) or be "default"`);
  });
  const prefixes = [...table.keys()].sort((a, b) => b.length - a.length);
  return {
    ttlMsFor(path) {
      const hit = prefixes.find((p) => path === p || path.startsWith(`${p}/`));
      return (hit !== undefined ? table.get(hit)! : fallback) * 1000;
    },
    entries: () => ({ ...Object.fromEntries(table), default: fallback }),
  };
}

/** The single-call path of an M3 MI transaction, as the table matches it. */
export function miPath(program: string, transaction: string): string {
  return `/m3api-rest/v2/execute/${program}/${transaction}`;
}
