/**
 * The mirror's reads for bulk output, on the record layer: pages in the listing's order (keyset from
 * the last order's position) as CSV rows and as NDJSON lines (the exports, src/server/orderExport.ts;
 * the lines are the drop-in's `/fetch-data` records too). Part of createSqlMirrorStore.
 */
import type { RecordDatabase } from '../records/recordDatabase.js';
import { selectRowArrays } from '../records/rowArrays.js';
import { csvRowsStatement, type MirrorCsvRow } from './mirrorCsvRows.js';
import { ndjsonPage } from './mirrorNdjsonLines.js';
import type { MirrorStore } from './mirrorStore.js';

export function sqlMirrorExportPages(records: RecordDatabase): Pick<MirrorStore, 'csvPage' | 'ndjsonPage'> {
  const { db } = records;
  return {
    async csvPage(filter, after, first) {
      const rows = (await selectRowArrays(records, csvRowsStatement(db, records.engine, filter, after, first + 1))) as MirrorCsvRow[];
      const hasNext = rows.length > first;
      if (hasNext) rows.length = first;
      return { rows, hasNext };
    },
    ndjsonPage: (filter, after, first) => ndjsonPage(records, filter, after, first),
  };
}
