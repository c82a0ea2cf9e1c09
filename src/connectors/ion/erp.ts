/**
 * The `erp` capability (domain/ports.ts) on M3: items from MMS200MI
 * GetItmBasic and stock from MMS060MI LstBalID, each in one bulk call per
 * batch (upstreams.md: "the batch form DataLoader should use"), mapped to
 * domain values once here; and the read-only escape hatch for the clients
 * of the proxy Crossdock replaces, allow-listed and never a write.
 */
import type { Erp, ErpReadRequest, Lane } from '../../domain/ports.js';
import { sumQuantities } from '../../domain/quantity.js';
import type { ErpItem, ErpWarehouseStock } from '../../domain/types.js';
import { ErrorCode, crossdockError } from '../../errors/crossdockError.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { AllowList } from './allowList.js';
import type { M3Client, MiResult } from './m3Client.js';
import { isRecordMissing, miError } from './m3Errors.js';
import { M3ValueError, decimal, quantity, text, ymd8 } from './m3Values.js';
import { miPath, type TtlTable } from './ttlTable.js';

/** M3's item number (ITNO) is 15 characters: a longer one cannot name an item, so it is not asked. */
export const ITNO_LENGTH = 15;
const ITEM_COLUMNS = ['ITNO', 'ITDS', 'FUDS', 'STAT', 'ITTY', 'ITGR', 'UNMS', 'GRWE', 'LMDT'];
const BALANCE_COLUMNS = ['WHLO', 'STQT', 'ALQT', 'AVAL'];
/** Balance records one item may have (warehouses × locations × lots) read in one transaction. */
const MAX_BALANCES = 1_000;

export interface IonErpOptions {
  /** The connector's name (`upstream` in errors). */
  name: string;
  displayName: string;
  m3: M3Client;
  ttls: TtlTable;
  allowList: AllowList;
}

function mapItem(r: Readonly<Record<string, string>>): ErpItem {
  return {
    itemNumber: text(r, 'ITNO'),
    description: text(r, 'ITDS'),
    longDescription: text(r, 'FUDS'),
    status: text(r, 'STAT'),
    unit: text(r, 'UNMS'),
    type: text(r, 'ITTY'),
    group: text(r, 'ITGR'),
    grossWeight: decimal(r, 'GRWE'),
    changedOn: ymd8(r, 'LMDT'),
  };
}

/** Balances by location and lot, summed per warehouse (exactly), in warehouse order. */
function mapStock(records: ReadonlyArray<Readonly<Record<string, string>>>): ErpWarehouseStock[] {
  const byWarehouse = new Map<string, { onHand: string[]; allocated: string[]; available: string[] }>();
  for (const r of records) {
    const warehouse = text(r, 'WHLO');
    const w = byWarehouse.get(warehouse) ?? { onHand: [], allocated: [], available: [] };
    w.onHand.push(quantity(r, 'STQT'));
    w.allocated.push(quantity(r, 'ALQT'));
    w.available.push(quantity(r, 'AVAL'));
    byWarehouse.set(warehouse, w);
  }
  return [...byWarehouse]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([warehouse, w]) => ({ warehouse, onHand: sumQuantities(w.onHand), allocated: sumQuantities(w.allocated), available: sumQuantities(w.available) }));
}

export function createIonErp(options: IonErpOptions): Erp {
  const { name, m3, ttls, allowList } = options;
  const askable = (n: string) => n.length > 0 && n.length <= ITNO_LENGTH;

  /** Runs `transaction` of `program` once per item number in bulk; each result mapped, or absent (no such item), or an Error. */
  async function perItem<V>(program: string, transaction: string, itemNumbers: readonly string[], columns: string[], maxRecords: number, map: (r: MiResult) => V, lane: Lane) {
    const out = new Map<string, V | Error>();
    const asked = [...new Set(itemNumbers.filter(askable))];
    if (asked.length === 0) return out;
    const results = await m3.executeBulk(program, asked.map((n) => ({ transaction, record: { ITNO: n }, returnColumns: columns })), { lane, maxRecords });
    asked.forEach((n, i) => {
      const r = results[i]!;
      if (r.failure) {
        if (!isRecordMissing(r.failure, 'ITNO')) out.set(n, miError(name, program, transaction, r.failure));
        return;
      }
      try {
        out.set(n, map(r));
      } catch (err) {
        if (!(err instanceof M3ValueError)) throw err;
        out.set(n, new UpstreamError('rejected', name, `${program}/${transaction} for item ${n}: ${err.message}`));
      }
    });
    return out;
  }

  return {
    name,
    displayName: options.displayName,
    items: {
      async byNumbers(itemNumbers, lane) {
        const found = await perItem('MMS200MI', 'GetItmBasic', itemNumbers, ITEM_COLUMNS, 1, (r) => (r.records[0] ? mapItem(r.records[0]) : undefined), lane);
        // A GetItmBasic without a record says nothing exists either.
        for (const [k, v] of found) if (v === undefined) found.delete(k);
        return found as Map<string, ErpItem | Error>;
      },
      stockByNumbers: (itemNumbers, lane) => perItem('MMS060MI', 'LstBalID', itemNumbers, BALANCE_COLUMNS, MAX_BALANCES, (r) => mapStock(r.records), lane),
    },
    transactions: {
      allows: (program, transaction) => allowList.allows(program, transaction),
      ttlMs: (program, transaction) => ttls.ttlMsFor(miPath(program, transaction)),
      async read(request: ErpReadRequest, lane) {
        const { program, transaction } = request;
        // The graph checks first; this is the second lock on the same door.
        if (!allowList.allows(program, transaction)) {
          throw crossdockError(ErrorCode.FORBIDDEN, `${program}/${transaction} is not an allowed read transaction`, { upstream: name, program, transaction, reason: 'NOT_ALLOWED' });
        }
        const r = await m3.execute(program, transaction, request.input, { lane, maxRecords: request.maxRecords, returnColumns: request.returnColumns });
        if (r.failure) throw miError(name, program, transaction, r.failure);
        return { records: r.records };
      },
    },
    cacheTtlMs: {
      items: ttls.ttlMsFor(miPath('MMS200MI', 'GetItmBasic')),
      stock: ttls.ttlMsFor(miPath('MMS060MI', 'LstBalID')),
    },
  };
}
