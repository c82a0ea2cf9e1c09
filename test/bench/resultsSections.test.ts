/**
 * bench/RESULTS.md's sections (bench/lib/results.ts): a run replaces its own
 * scenario's section and keeps the others; a note written by hand about a
 * section (`<!-- note:NAME -->`) is kept after its section by every run,
 * its own scenario's included. Before notes had markers, a paragraph after
 * a section was dropped by the next run of any scenario.
 */
import { describe, expect, it } from 'vitest';
import { INTRO, withSection } from '../../bench/lib/results.js';

const file = (...parts: string[]) => `${INTRO}\n${parts.join('\n\n')}\n`;

describe('RESULTS.md sections', () => {
  const before = file(
    '<!-- bench:a -->\n## A\nold a\n<!-- /bench:a -->',
    '<!-- note:a -->\nA note about a: the side-by-side runs.\n<!-- /note:a -->',
    '<!-- bench:b -->\n## B\nold b\n<!-- /bench:b -->',
    'A stray paragraph outside every marker.',
  );

  it("replaces the run's own section and keeps its note after it", () => {
    const after = withSection(before, 'a', '## A\nnew a', ['a', 'b']);
    expect(after).toBe(
      file('<!-- bench:a -->\n## A\nnew a\n<!-- /bench:a -->\n\n<!-- note:a -->\nA note about a: the side-by-side runs.\n<!-- /note:a -->', '<!-- bench:b -->\n## B\nold b\n<!-- /bench:b -->'),
    );
  });

  it("keeps another section's note when a different scenario runs, and adds a new section in order", () => {
    const after = withSection(before, 'c', '## C\nc', ['c', 'a', 'b']);
    expect(after.indexOf('<!-- bench:c -->')).toBeLessThan(after.indexOf('<!-- bench:a -->'));
    expect(after).toContain('<!-- /bench:a -->\n\n<!-- note:a -->\nA note about a: the side-by-side runs.\n<!-- /note:a -->\n\n<!-- bench:b -->');
    expect(after).not.toContain('stray paragraph');
  });
});
