/**
 * Bulk CSV, the pure parts: reading an import file (delimiters, BOM, line
 * ends, quoted newlines, line numbers, unreadable records), the header and
 * row rules of each import kind, and the formula-injection escape and its
 * exact inverse.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeFormula, normalizeHeader, sniffDelimiter, unescapeFormula } from '../../src/bulk/csvCells.js';
import { toCsv } from '../../src/bulk/exports.js';
import { columnsFor, readRow } from '../../src/bulk/importColumns.js';
import { inspectImport, readImport, type ImportHeader, type ImportRow } from '../../src/bulk/importRows.js';

const dir = mkdtempSync(join(tmpdir(), 'crossdock-csv-'));
let n = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, text);
  return path;
}

async function read(path: string, fromRow?: number): Promise<{ header: ImportHeader | undefined; rows: ImportRow[] }> {
  let header: ImportHeader | undefined;
  const rows: ImportRow[] = [];
  for await (const item of readImport(path, { fromRow })) {
    if ('header' in item) header = item.header;
    else rows.push(item);
  }
  return { header, rows };
}

describe('reading an import file', () => {
  it('comma, semicolon and tab files with or without a BOM read the same', async () => {
    for (const [d, bom] of [[',', ''], [';', '\uFEFF'], ['\t', '\uFEFF'], [',', '\uFEFF']] as const) {
      const { header, rows } = await read(file(`${bom}Part Number${d}Name${d}Price\nBX-1${d}Brake${d}12.30\nBX-2${d}Drum${d}5\n`));
      expect(header?.columns).toEqual(['part_number', 'name', 'price']);
      expect(header?.delimiter).toBe(d);
      expect(rows.map((r) => [r.row, r.line, r.cells])).toEqual([
        [1, 2, ['BX-1', 'Brake', '12.30']],
        [2, 3, ['BX-2', 'Drum', '5']],
      ]);
    }
  });

  it('numbers rows by the line they start on across quoted newlines, CRLF and blank lines', async () => {
    const text = 'part_number,name\r\nBX-1,"two\r\nlines"\r\n\r\nBX-2,"say ""hi"""\r\nBX-3,x';
    const { rows } = await read(file(text));
    expect(rows.map((r) => [r.row, r.line, r.cells])).toEqual([
      [1, 2, ['BX-1', 'two\nlines']],
      [2, 5, ['BX-2', 'say "hi"']],
      [3, 6, ['BX-3', 'x']],
    ]);
    const lf = await read(file(text.replace(/\r\n/g, '\n')));
    expect(lf.rows.map((r) => r.line)).toEqual([2, 5, 6]);
  });

  it('an unreadable record is a row with an error; fromRow skips what came before with the same numbers', async () => {
    const path = file('part_number,name\nBX-1,a\n"BX-2"x,b\nBX-3,c\n');
    const { rows } = await read(path);
    expect(rows[0]).toMatchObject({ row: 1, line: 2, cells: ['BX-1', 'a'] });
    expect(rows[1]).toMatchObject({ row: 2, line: 3, cells: null });
    expect(rows[1]!.error).toMatch(/quote/i);
    const from2 = await read(path, 2);
    expect(from2.rows.map((r) => r.row)).toEqual(rows.slice(1).map((r) => r.row));
    expect((await inspectImport(path)).rows).toBe(rows.length);
  });

  it('reads many rows without holding them (100 KiB chunks, characters split across them)', async () => {
    const lines = ['part_number,name'];
    for (let i = 0; i < 20_000; i++) lines.push(`BX-${i},Ünïcödé "part" ${i}`.replace(/"/g, ''));
    const { header, rows } = await inspectImport(file(lines.join('\n'))).then((s) => ({ header: s.header, rows: s.rows }));
    expect(header?.columns).toEqual(['part_number', 'name']);
    expect(rows).toBe(20_000);
  });
});

describe('columns and rows', () => {
  const header = (cols: string[]): ImportHeader => ({ columns: cols.map(normalizeHeader), raw: cols, delimiter: ',' });

  it('matches headers case-insensitively and refuses a file whose first row names no required column', () => {
    const ok = columnsFor('PART_LIST', header(['PART NUMBER', 'Price', 'Whatever']));
    expect(ok.ok && [...ok.columns.keys()]).toEqual(['part_number', 'price']);
    const none = columnsFor('PART_LIST', header(['BX-1', '12.30']));
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toMatch(/needs a part_number column/);
    expect(columnsFor('PRICE_OVERRIDES', header(['sku'])).ok).toBe(false);
    expect(columnsFor('STOCK_OVERRIDES', header(['SKU', 'Qty'])).ok).toBe(true);
  });

  it('each bad cell is refused naming its column; empty cells are not given', () => {
    const h = header(['part_number', 'name', 'price', 'markup', 'category', 'visible']);
    const found = columnsFor('PART_LIST', h);
    if (!found.ok) throw new Error(found.message);
    const cols = found.columns;
    const row = (cells: string[]) => readRow('PART_LIST', cols, h, cells);
    expect(row(['BX-1', '', '', '', '', ''])).toEqual({ ok: true, item: { kind: 'PART_LIST', partNumber: 'BX-1' } });
    expect(row(['BX-1', "'=HYPERLINK(\"x\")", '12.3', '', '21|22', 'no'])).toEqual({
      ok: true,
      item: { kind: 'PART_LIST', partNumber: 'BX-1', name: '=HYPERLINK("x")', price: '12.30', categories: [21, 22], isVisible: false },
    });
    expect(row(['BX-1', '', 'abc', '', '', ''])).toMatchObject({ ok: false, column: 'price' });
    expect(row(['BX-1', '', '1.234', '', '', ''])).toMatchObject({ ok: false, column: 'price' });
    expect(row(['BX-1', '', '1', '5', '', ''])).toMatchObject({ ok: false, column: 'markup' });
    expect(row(['BX-1', '', '', '', 'x', ''])).toMatchObject({ ok: false, column: 'category' });
    expect(row(['BX-1', '', '', '', '', 'maybe'])).toMatchObject({ ok: false, column: 'visible' });
    expect(row(['BX-1\nBX-2', '', '', '', '', ''])).toMatchObject({ ok: false, column: 'part_number' });
    expect(row(['BX-1', 'x'])).toMatchObject({ ok: false, column: null, message: 'the row has 2 fields, the header 6' });
  });
});

describe('formula injection', () => {
  it('escapes cells starting with = + - @ tab or CR, and unescapes exactly what it escaped', () => {
    for (const c of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', "'=x", "''@y"]) {
      expect(escapeFormula(c)).toBe(`'${c}`);
      expect(unescapeFormula(escapeFormula(c))).toBe(c);
    }
    for (const c of ['plain', "'quoted", "O'Brien", '12.30', '', "'"]) {
      expect(escapeFormula(c)).toBe(c);
      expect(unescapeFormula(c)).toBe(c);
    }
  });

  it('sniffs the delimiter outside quotes', () => {
    expect(sniffDelimiter('"a,b";c;d\n1,2,3,4,5')).toBe(';');
    expect(sniffDelimiter('one\n')).toBe(',');
  });
});

describe('writing CSV', () => {
  async function drain(stream: NodeJS.ReadableStream): Promise<string> {
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return text;
  }

  it('quotes every cell, escapes formulas, starts with a BOM', async () => {
    const text = await drain(
      toCsv(
        (async function* () {
          yield ['name', 'price'];
          yield ['=HYPERLINK("x")', 12.3];
          yield ['say "hi"', null];
        })(),
      ),
    );
    expect(text).toBe('\uFEFF"name","price"\n"\'=HYPERLINK(""x"")","12.3"\n"say ""hi""",""\n');
  });

  it('a source that fails mid-way fails the CSV stream, so a download is cut short, never silently complete', async () => {
    const stream = toCsv(
      (async function* () {
        yield ['a'];
        throw new Error('the supplier went away');
      })(),
    );
    const outcome = await Promise.race([
      drain(stream).then(
        () => 'ended as if complete',
        (err: Error) => err.message,
      ),
      new Promise<string>((r) => setTimeout(() => r('still open after 2 s'), 2_000)),
    ]);
    expect(outcome).toBe('the supplier went away');
  });
});
