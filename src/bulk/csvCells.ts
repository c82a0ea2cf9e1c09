/**
 * CSV cells as Crossdock writes and reads them.
 *
 * Formula injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so
 * an export prefixes such a cell with a single quote, which spreadsheets show
 * as text and do not evaluate. An import removes exactly that prefix, so an
 * export re-imported is the same data: a cell that already begins with
 * quotes before such a character gets one more quote on the way out and
 * loses one on the way in (`'=x` ↔ `''=x`), and nothing else is touched.
 */

/** The characters OWASP names as starting a formula. */
const FORMULA_START = /^'*[=+\-@\t\r]/;

export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}

/**
 * A header cell as a column name: case-insensitive, and spaces, hyphens and
 * dots count as underscores ("Part Number", "part-number" → `part_number`).
 */
export function normalizeHeader(cell: string): string {
  return unescapeFormula(cell)
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s.\-]+/g, '_');
}

export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/**
 * The field delimiter a file uses, read from its header line (the header is
 * required, and a header cell holds no data that could contain another
 * delimiter): the one of `,` `;` tab that occurs most outside quotes;
 * a comma when none does (a one-column file).
 */
export function sniffDelimiter(head: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of head.replace(/^\uFEFF/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, (counts.get(ch as Delimiter) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}
