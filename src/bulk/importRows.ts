/**
 * Reading an import file, streamed (constant memory for any number of rows):
 * csv-parse (the csv project's streaming parser) over the file, UTF-8 with
 * or without a byte order mark, the delimiter (`,` `;` or tab) read from the
 * header line, quoted fields with embedded newlines and doubled quotes
 * (RFC 4180), CRLF, LF or CR line ends, blank lines skipped.
 *
 * Every record after the header is a row, numbered from 1, with the line it
 * starts on; a record the parser cannot read (a stray quote) is a row with
 * an error instead of cells, so the rows after it keep their numbers and a
 * checkpoint "next row N" means the same row on every read of the file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { normalizeHeader, sniffDelimiter, type Delimiter } from './csvCells.js';

export interface ImportRow {
  /** 1-based index among the data rows. */
  row: number;
  /** The line of the file the row starts on (the header is line 1 unless blank lines come first). */
  line: number;
  /** The cells as written (formula escapes still on), or null when the record could not be read. */
  cells: string[] | null;
  /** Why the record could not be read. */
  error?: string;
}

export interface ImportHeader {
  /** Normalised column names (normalizeHeader), in file order. */
  columns: string[];
  /** As written. */
  raw: string[];
  delimiter: Delimiter;
}

/** Line ends to LF, so the parser's line numbers are exact (a CR at a chunk's end waits for the next chunk). */
function lfLineEnds(): Transform {
  let pendingCr = false;
  return new Transform({
    decodeStrings: false,
    transform(chunk: Buffer | string, _enc, done: TransformCallback) {
      let text = (pendingCr ? '\r' : '') + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      pendingCr = text.endsWith('\r');
      if (pendingCr) text = text.slice(0, -1);
      done(null, text.replace(/\r\n?/g, '\n'));
    },
    flush(done: TransformCallback) {
      done(null, pendingCr ? '\n' : '');
    },
  });
}

/** The first bytes of a file, as text (for the delimiter). */
async function head(path: string, bytes = 65_536): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

interface Parsed {
  cells: string[];
  /** The line the record ends on. */
  endLine: number;
  raw: string;
  /** Records the parser gave up on just before this one. */
  skipped: Array<{ line: number; message: string }>;
}

/** Line breaks inside a record (blank lines before it, which its raw text carries, and its own end do not count). */
const innerNewlines = (raw: string) => {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
  let n = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) n++;
  return n;
};

/**
 * The header and then every row, one at a time. `fromRow`: rows before it
 * are read (to keep numbering) but not yielded. The caller may stop early;
 * the file is closed either way.
 */
export async function* readImport(path: string, options: { fromRow?: number; signal?: AbortSignal } = {}): AsyncGenerator<{ header: ImportHeader } | ImportRow> {
  const delimiter = sniffDelimiter(await head(path));
  const skipped: Array<{ line: number; message: string }> = [];
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    on_skip: (err: CsvError | undefined) => {
      skipped.push({ line: typeof err?.lines === 'number' ? err.lines : 0, message: err?.message ?? 'the record could not be read' });
      return undefined;
    },
    // Runs in parse order, so a record and the skipped records before it stay in order. With `raw`,
    // the record arrives as { record, raw }; the context says the line it ends on.
    on_record: (record: string[], context: InfoRecord) => {
      const withRaw = record as unknown as { record: string[]; raw: string };
      const parsed: Parsed = { cells: withRaw.record, endLine: context.lines, raw: withRaw.raw, skipped: skipped.splice(0) };
      return parsed as unknown as string[];
    },
  });
  // Decoded as UTF-8 here (a character split across chunks stays whole); the file was checked to be UTF-8 on upload.
  const file = createReadStream(path, { encoding: 'utf8', signal: options.signal });
  const source = file.pipe(lfLineEnds()).pipe(parser);
  file.on('error', (err) => parser.destroy(err));
  const fromRow = options.fromRow ?? 1;
  let header: ImportHeader | undefined;
  let row = 0;
  try {
    for await (const parsed of source as AsyncIterable<Parsed>) {
      for (const s of parsed.skipped) {
        row++;
        if (header && row >= fromRow) yield { row, line: s.line, cells: null, error: s.message };
      }
      if (!header) {
        header = { columns: parsed.cells.map(normalizeHeader), raw: parsed.cells, delimiter };
        // Skipped records before the header: there was no header to number them by.
        row = 0;
        yield { header };
        continue;
      }
      row++;
      if (row >= fromRow) yield { row, line: parsed.endLine - innerNewlines(parsed.raw), cells: parsed.cells };
    }
    for (const s of skipped.splice(0)) {
      row++;
      if (header && row >= fromRow) yield { row, line: s.line, cells: null, error: s.message };
    }
  } finally {
    file.destroy();
    parser.destroy();
  }
}

export interface ImportSummary {
  header: ImportHeader | null;
  rows: number;
}

/** The header and the number of data rows (one streamed pass). */
export async function inspectImport(path: string): Promise<ImportSummary> {
  let header: ImportHeader | null = null;
  let rows = 0;
  for await (const item of readImport(path)) {
    if ('header' in item) header = item.header;
    else rows = item.row;
  }
  return { header, rows };
}
