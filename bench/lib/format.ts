/** Small formatting helpers shared by the scenarios. */

/** A GitHub-flavoured Markdown table; numbers are right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^<?[\d.,]+( ?[a-zA-Z%×µ]+)?$/.test(String(r[i]))));
  const widths = header.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2 });
}

export const ms = (n: number) => `${formatNumber(Math.round(n))} ms`;
export const mib = (bytes: number) => `${formatNumber(Math.round(bytes / 2 ** 20))} MiB`;
export const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const max = (values: number[]) => Math.max(...values);
export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
