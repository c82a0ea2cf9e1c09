/**
 * bench/RESULTS.md: an intro, then one section per scenario between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. A run rewrites only the
 * sections of the scenarios it ran and keeps every other one as it was.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_PATH = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export const INTRO = `# Crossdock benchmarks

Run everything with \`npm run bench\`, or one scenario with
\`npm run bench -- <name>\` (\`sandboxStartup\`, \`callsPerQuery\`, \`throughput\`,
\`syncRate\`, \`sseFanout\`, \`orderLatency\`, \`redisThroughput\`, \`dashboardIdle\`, \`erpReads\`, \`bulkCsv\`,
\`heapBounds\`, \`socialIngest\`, \`whatsappSend\`, \`orderMirror\`;
several names may be given). Every server is started on 127.0.0.1 only, as a
child process where it is measured (so the load generator never shares its
event loop), and stopped at the end even when a scenario fails. A full run
takes about fifteen minutes on two cores (\`throughput\` and \`syncRate\` about four each).

Each section below is rewritten by the run of its scenario and left alone by
the others. Its figures come from **one run on the machine named at the top of
that section**; compare figures only within a section, or across runs on the
same machine. The scenarios live in \`bench/\` (one module each, helpers in
\`bench/lib/\`).
`;

const startMarker = (name: string) => `<!-- bench:${name} -->`;
const endMarker = (name: string) => `<!-- /bench:${name} -->`;

/** Replaces (or appends, in `order`) the section for `name`, and rewrites the intro. */
export function writeSection(name: string, markdown: string, order: readonly string[]): void {
  const existing = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : '';
  const sections = new Map<string, string>();
  const re = /<!-- bench:([A-Za-z0-9_-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g;
  for (const m of existing.matchAll(re)) {
    if (m[1] && m[2] !== undefined) sections.set(m[1], m[2]);
  }
  sections.set(name, markdown.trim());
  const names = [...order.filter((n) => sections.has(n)), ...[...sections.keys()].filter((n) => !order.includes(n))];
  const body = names.map((n) => `${startMarker(n)}\n${sections.get(n)}\n${endMarker(n)}`).join('\n\n');
  writeFileSync(RESULTS_PATH, `${INTRO}\n${body}\n`);
}
