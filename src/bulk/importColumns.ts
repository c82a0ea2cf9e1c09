/**
 * What each import kind reads from a row (README, "Bulk CSV"), matched by
 * header name (case-insensitive; spaces and hyphens as underscores; a few
 * common aliases). Columns a kind does not know are ignored, so a catalog
 * export can be imported as it is. An empty cell is "not given".
 *
 * - PART_LIST: `part_number` (required); optional `supplier_id` (reads the
 *   part in the supplier's batch form), `name`, `price` or `markup` (not
 *   both), `category` (store category ids, `|`-separated), `visible`.
 * - PRICE_OVERRIDES: `sku` or `part_number`, and `price`.
 * - STOCK_OVERRIDES: `sku` or `part_number`, and `stock`.
 *
 * A row that breaks a rule is one failure naming its line and column; the
 * others go on.
 */
import { isCode } from '../domain/codes.js';
import { normalizeDecimal, toUnits } from '../domain/money.js';
import type { ImportKind } from '../jobs/types.js';
import { unescapeFormula } from './csvCells.js';
import type { ImportHeader } from './importRows.js';

const ALIASES: Readonly<Record<string, string>> = {
  partnumber: 'part_number',
  part_no: 'part_number',
  part: 'part_number',
  supplierid: 'supplier_id',
  finditparts_id: 'supplier_id',
  product_name: 'name',
  markup_percent: 'markup',
  categories: 'category',
  category_id: 'category',
  is_visible: 'visible',
  visibility: 'visible',
  quantity: 'stock',
  qty: 'stock',
  inventory: 'stock',
  inventory_level: 'stock',
};

export const KIND_COLUMNS: Readonly<Record<ImportKind, { required: string[][]; optional: string[] }>> = {
  // Each inner list: one of these columns must be present.
  PART_LIST: { required: [['part_number']], optional: ['supplier_id', 'name', 'price', 'markup', 'category', 'visible'] },
  PRICE_OVERRIDES: { required: [['sku', 'part_number'], ['price']], optional: [] },
  STOCK_OVERRIDES: { required: [['sku', 'part_number'], ['stock']], optional: [] },
};

/** Column name → index, for the columns the kind reads. */
export type ColumnMap = ReadonlyMap<string, number>;

/** The columns of `header` the kind reads, or the message saying which required one is missing. */
export function columnsFor(kind: ImportKind, header: ImportHeader): { ok: true; columns: ColumnMap } | { ok: false; message: string } {
  const spec = KIND_COLUMNS[kind];
  const wanted = new Set([...spec.required.flat(), ...spec.optional]);
  const columns = new Map<string, number>();
  header.columns.forEach((raw, i) => {
    const name = ALIASES[raw] ?? raw;
    if (wanted.has(name) && !columns.has(name)) columns.set(name, i);
  });
  for (const oneOf of spec.required) {
    if (!oneOf.some((c) => columns.has(c))) {
      const found = header.raw.slice(0, 8).map((c) => JSON.stringify(c.slice(0, 40))).join(', ');
      return { ok: false, message: `the first row must name the columns: ${kind} needs a ${oneOf.join(' or ')} column (the first row is ${found})` };
    }
  }
  return { ok: true, columns };
}

export interface PartListItem {
  kind: 'PART_LIST';
  partNumber: string;
  supplierId?: string;
  name?: string;
  price?: string;
  markupPercent?: number;
  categories?: number[];
  isVisible?: boolean;
}

export interface OverrideItem {
  kind: 'PRICE_OVERRIDES' | 'STOCK_OVERRIDES';
  /** The store SKU (from `sku`, or the SKU rule applied to `part_number`). */
  sku?: string;
  partNumber?: string;
  /** Decimal string (price) or a whole number (stock). */
  value: string | number;
}

export type ImportItem = PartListItem | OverrideItem;

export type RowResult = { ok: true; item: ImportItem } | { ok: false; column: string | null; message: string; partNumber?: string; sku?: string };

const TRUE = new Set(['true', 'yes', 'y', '1', 'visible']);
const FALSE = new Set(['false', 'no', 'n', '0', 'hidden']);
const MAX_PRICE_UNITS = toUnits('1000000');

function bad(column: string | null, message: string, ids: { partNumber?: string; sku?: string } = {}): RowResult {
  return { ok: false, column, message, ...ids };
}

function parsePrice(text: string): string | undefined {
  const decimal = normalizeDecimal(text.replace(/^\$/, ''));
  if (decimal === undefined || decimal.startsWith('-')) return undefined;
  const units = toUnits(decimal);
  return units > 0n && units < MAX_PRICE_UNITS && units % 100n === 0n ? decimal : undefined;
}

/** One row's cells as the kind's item, or why not (with the column at fault). */
export function readRow(kind: ImportKind, columns: ColumnMap, header: ImportHeader, cells: readonly string[]): RowResult {
  if (cells.length !== header.columns.length) {
    return bad(null, `the row has ${cells.length} field${cells.length === 1 ? '' : 's'}, the header ${header.columns.length}`);
  }
  const cell = (name: string): string | undefined => {
    const i = columns.get(name);
    if (i === undefined) return undefined;
    const v = unescapeFormula(cells[i] ?? '').trim();
    return v === '' ? undefined : v;
  };
  const partNumber = cell('part_number');
  if (partNumber !== undefined && !isCode(partNumber)) return bad('part_number', `"${partNumber.slice(0, 70)}" is not a part number (letters, digits, space . _ -, at most 64)`);

  if (kind === 'PART_LIST') {
    if (partNumber === undefined) return bad('part_number', 'part_number is empty');
    const ids = { partNumber };
    const item: PartListItem = { kind, partNumber };
    const supplierId = cell('supplier_id');
    if (supplierId !== undefined) {
      if (!/^\d{1,12}$/.test(supplierId)) return bad('supplier_id', `supplier_id "${supplierId.slice(0, 40)}" is not a supplier id`, ids);
      item.supplierId = supplierId;
    }
    const name = cell('name');
    if (name !== undefined) {
      if (name.length > 250) return bad('name', 'name is longer than 250 characters', ids);
      item.name = name;
    }
    const price = cell('price');
    const markup = cell('markup');
    if (price !== undefined && markup !== undefined) return bad('markup', 'give price or markup, not both', ids);
    if (price !== undefined) {
      const p = parsePrice(price);
      if (p === undefined) return bad('price', `price "${price.slice(0, 40)}" is not a positive amount with at most two decimals`, ids);
      item.price = p;
    }
    if (markup !== undefined) {
      const m = Number(markup.replace(/%$/, ''));
      if (!/^-?\d{1,4}(\.\d{1,2})?%?$/.test(markup) || m < -90 || m > 1000) return bad('markup', `markup "${markup.slice(0, 40)}" is not a percent from -90 to 1000`, ids);
      item.markupPercent = m;
    }
    const category = cell('category');
    if (category !== undefined) {
      const parts = category.split('|').map((c) => c.trim()).filter(Boolean);
      if (parts.length === 0 || parts.length > 50 || !parts.every((c) => /^\d{1,9}$/.test(c) && Number(c) > 0)) {
        return bad('category', `category "${category.slice(0, 40)}" is not store category ids (e.g. 21 or 21|22)`, ids);
      }
      item.categories = [...new Set(parts.map(Number))];
    }
    const visible = cell('visible');
    if (visible !== undefined) {
      const v = visible.toLowerCase();
      if (!TRUE.has(v) && !FALSE.has(v)) return bad('visible', `visible "${visible.slice(0, 20)}" is not true or false`, ids);
      item.isVisible = TRUE.has(v);
    }
    return { ok: true, item };
  }

  const sku = cell('sku');
  if (sku !== undefined && !isCode(sku)) return bad('sku', `"${sku.slice(0, 70)}" is not a SKU`);
  if (sku === undefined && partNumber === undefined) return bad(columns.has('sku') ? 'sku' : 'part_number', 'the row names no sku or part_number');
  const ids = { ...(sku !== undefined ? { sku } : {}), ...(partNumber !== undefined ? { partNumber } : {}) };
  if (kind === 'PRICE_OVERRIDES') {
    const price = cell('price');
    if (price === undefined) return bad('price', 'price is empty', ids);
    const p = parsePrice(price);
    if (p === undefined) return bad('price', `price "${price.slice(0, 40)}" is not a positive amount with at most two decimals`, ids);
    return { ok: true, item: { kind, ...ids, value: p } };
  }
  const stock = cell('stock');
  if (stock === undefined) return bad('stock', 'stock is empty', ids);
  if (!/^\d{1,9}$/.test(stock)) return bad('stock', `stock "${stock.slice(0, 40)}" is not a whole number from 0`, ids);
  return { ok: true, item: { kind, ...ids, value: Number(stock) } };
}
