/**
 * bench/RESULTS.md: an intro, then one section per scenario between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. A run rewrites only the
 * sections of the scenarios it ran and keeps every other one as it was.
 *
 * A note written by hand about a section (side-by-side runs outside the
 * harness, what a figure does and does not show) goes between
 * `<!-- note:NAME -->` and `<!-- /note:NAME -->`: it is kept, after its
 * section, by every run, its own scenario's included — so a note must say
 * which run it is about. Anything else outside the markers is dropped.
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

const blocks = (text: string, kind: 'bench' | 'note'): Map<string, string> => {
  const out = new Map<string, string>();
  const re = new RegExp(`<!-- ${kind}:([A-Za-z0-9_-]+) -->\\n([\\s\\S]*?)\\n<!-- \\/${kind}:\\1 -->`, 'g');
  for (const m of text.matchAll(re)) if (m[1] && m[2] !== undefined) out.set(m[1], m[2]);
  return out;
};

/** The file's text with the section for `name` replaced (or added, in `order`), every note kept after its section. */
export function withSection(existing: string, name: string, markdown: string, order: readonly string[]): string {
  const sections = blocks(existing, 'bench');
  const notes = blocks(existing, 'note');
  sections.set(name, markdown.trim());
  const names = [...order.filter((n) => sections.has(n)), ...[...sections.keys()].filter((n) => !order.includes(n))];
  const body = names
    .map((n) => {
      const note = notes.get(n);
      return `${startMarker(n)}\n${sections.get(n)}\n${endMarker(n)}${note === undefined ? '' : `\n\n<!-- note:${n} -->\n${note}\n<!-- /note:${n} -->`}`;
    })
    .join('\n\n');
  return `${INTRO}\n${body}\n`;
}

/** Replaces (or appends, in `order`) the section for `name` in bench/RESULTS.md, and rewrites the intro. */
export function writeSection(name: string, markdown: string, order: readonly string[]): void {
  const existing = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : '';
  writeFileSync(RESULTS_PATH, withSection(existing, name, markdown, order));
}
