/**
 * Counters read from a Prometheus text exposition (Crossdock's /metrics), to
 * check what a workload did inside the gateway: whole-response cache hits and
 * misses, entity cache misses.
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** name → list of (labels, value) samples. */
export type Samples = Map<string, Array<{ labels: Record<string, string>; value: number }>>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) if (l[1]) labels[l[1]] = l[2] ?? '';
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const list = out.get(m[1]) ?? [];
    list.push({ labels, value });
    out.set(m[1], list);
  }
  return out;
}

/** Sum of `name`'s samples whose labels include `where`; undefined when the metric is absent. */
export function sumOf(samples: Samples, name: string, where: Record<string, string> = {}): number | undefined {
  const list = samples.get(name);
  if (!list) return undefined;
  return list.filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}
