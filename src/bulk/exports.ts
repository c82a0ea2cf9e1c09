/**
 * Bulk CSV exports (`GET /bulk/exports/{kind}.csv`, `crossdock export KIND`):
 * each kind is an async sequence of rows, produced a page at a time as the
 * writer asks for them (constant memory for any catalog size), then written
 * as CSV with every cell formula-escaped (csvCells.ts) and quoted (OWASP,
 * "CSV Injection").
 *
 * - `catalog`: every supplier part in scope with its store state (the store
 *   columns are empty for a part not in the store). Re-imported as a
 *   PART_LIST it changes nothing in a store that is in sync: `name`,
 *   `price`, `category` and `visible` are the store's, and read back as the
 *   row's overrides.
 * - `drift`: one row per field where the store disagrees with what a sync
 *   would write (domain/drift.ts).
 * - `sync-failures?job=ID`: a job's failures (messages redacted as in the graph).
 * - `supplier-orders`: the supplier orders, without ship-to addresses
 *   (personal data stays out of the graph and out of exports).
 *
 * Catalog and drift read the supplier 100 parts a page and the store's
 * products for each page (`sku:in`) on the bulk pacing lane, so an export
 * never takes the share kept for interactive reads.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { computeDrift } from '../domain/drift.js';
import { fitmentValues } from '../domain/fitmentFields.js';
import type { StoreCatalog, SupplierCatalog } from '../domain/ports.js';
import type { Part, StoreProduct } from '../domain/types.js';
import { isRecordId } from '../domain/codes.js';
import { mapPart, mappedVariant, type MappingRules } from '../jobs/productMapper.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import type { OrderStore } from '../orders/orderStore.js';
import { redactText } from '../observability/redact.js';
import { badInput, BulkRefusal } from './bulkRefusal.js';
import { escapeFormula } from './csvCells.js';

export const EXPORT_KINDS = ['catalog', 'drift', 'sync-failures', 'supplier-orders'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface BulkExportsOptions {
  supplier: SupplierCatalog;
  storeCatalog: StoreCatalog;
  jobs: JobStore;
  orders: OrderStore;
  rules: MappingRules;
  /** Supplier parts per page. @default 100 (the supplier's largest page) */
  pageSize?: number;
}

export interface ExportStream {
  filename: string;
  /** The CSV text, header first; pulls pages only as it is read. */
  body: Readable;
}

export interface BulkExports {
  /** Refuses an unknown kind or bad parameters before anything is read. */
  open(kind: string, params: Readonly<Record<string, string | undefined>>): Promise<ExportStream>;
}

type Row = Array<string | number | boolean | null>;

/** The cells as CSV text: formula-escaped, every cell quoted, UTF-8 with a BOM (spreadsheets read the encoding from it). */
export function toCsv(rows: AsyncIterable<Row>): Readable {
  const cells = Readable.from(
    (async function* () {
      for await (const row of rows) yield row.map((c) => escapeFormula(c === null ? '' : String(c)));
    })(),
  );
  const csv = stringify({ bom: true, quoted: true, quoted_empty: true, record_delimiter: 'unix' });
  // pipeline, not pipe: a failing source (an upstream gone mid-export) must fail the CSV stream, so the
  // download is cut short instead of hanging or ending as if complete; a client that goes away stops the source.
  pipeline(cells, csv, () => undefined);
  return csv;
}

const money = (m: { amount: string } | null | undefined) => m?.amount ?? '';

function catalogScope(params: Readonly<Record<string, string | undefined>>) {
  const query = params.query?.trim() || undefined;
  const manufacturer = params.manufacturer?.trim() || undefined;
  if (query && query.length > 200) throw badInput('BAD_PARAMETER', 'query: at most 200 characters', { argument: 'query' });
  if (manufacturer && manufacturer.length > 100) throw badInput('BAD_PARAMETER', 'manufacturer: at most 100 characters', { argument: 'manufacturer' });
  if (query && manufacturer) throw badInput('BAD_PARAMETER', 'query and manufacturer cannot be combined', { argument: 'query' });
  const limitText = params.limit?.trim();
  const limit = limitText ? Number(limitText) : Number.POSITIVE_INFINITY;
  if (limitText && (!/^\d{1,8}$/.test(limitText) || limit < 1)) throw badInput('BAD_PARAMETER', 'limit must be a whole number from 1', { argument: 'limit' });
  const inStore = params.inStore === undefined || params.inStore === '' ? undefined : params.inStore === 'true' ? true : params.inStore === 'false' ? false : null;
  if (inStore === null) throw badInput('BAD_PARAMETER', 'inStore must be true or false', { argument: 'inStore' });
  return { query, manufacturer, limit, inStore };
}

export function createBulkExports(options: BulkExportsOptions): BulkExports {
  const { supplier, storeCatalog, rules } = options;
  const per = options.pageSize ?? 100;

  /** Supplier parts in scope with the store's product for each, a page at a time. */
  async function* partsWithProducts(scope: ReturnType<typeof catalogScope>): AsyncGenerator<Array<{ part: Part; product: StoreProduct | undefined }>> {
    let seen = 0;
    for (let page = 1; seen < scope.limit; page++) {
      const res = await supplier.search({ query: scope.query ?? scope.manufacturer, page, per }, 'bulk');
      let parts = res.items;
      if (scope.manufacturer) parts = parts.filter((p) => p.manufacturer.toLowerCase() === scope.manufacturer?.toLowerCase());
      parts = parts.slice(0, Math.max(0, scope.limit - seen));
      seen += parts.length;
      const products = parts.length ? await storeCatalog.productsBySkus(parts.map((p) => rules.skuRule.skuFor(p.partNumber)), 'bulk') : new Map<string, StoreProduct>();
      yield parts.map((part) => ({ part, product: products.get(rules.skuRule.skuFor(part.partNumber)) }));
      if (res.items.length < per || page * per >= res.total) return;
    }
  }

  async function* catalog(scope: ReturnType<typeof catalogScope>): AsyncGenerator<Row> {
    yield ['part_number', 'supplier_id', 'manufacturer', 'description', 'supplier_price', 'supplier_stock', 'fits', 'in_store', 'sku', 'product_id', 'name', 'price', 'stock', 'visible', 'category'];
    for await (const page of partsWithProducts(scope)) {
      for (const { part, product } of page) {
        if (scope.inStore !== undefined && scope.inStore !== (product !== undefined)) continue;
        const variant = mappedVariant(part);
        yield [
          part.partNumber,
          part.supplierId,
          part.manufacturer,
          part.description,
          money(variant?.price),
          variant?.quantity ?? '',
          fitmentValues(part.fitments, Number.MAX_SAFE_INTEGER).join('; '),
          product !== undefined,
          product?.sku ?? '',
          product?.storeId ?? '',
          product?.name ?? '',
          money(product?.price),
          product?.inventoryLevel ?? '',
          product ? product.isVisible : '',
          product ? product.categories.join('|') : '',
        ];
      }
    }
  }

  async function* drift(scope: ReturnType<typeof catalogScope>): AsyncGenerator<Row> {
    yield ['sku', 'part_number', 'product_id', 'field', 'expected', 'actual'];
    for await (const page of partsWithProducts(scope)) {
      for (const { part, product } of page) {
        if (!product) continue;
        const mapped = mapPart(part, rules);
        const expected = mapped.ok
          ? { name: mapped.product.name, price: mapped.product.price, stock: mapped.product.stock }
          : { name: part.description.trim(), price: null, stock: Math.max(0, mappedVariant(part)?.quantity ?? 0) };
        const fields = computeDrift({ expected, actual: { name: product.name, price: product.price?.amount ?? null, stock: product.inventoryLevel } });
        for (const f of fields) yield [product.sku, part.partNumber, product.storeId, f.field, f.expected, f.actual];
      }
    }
  }

  async function* failures(jobId: string): AsyncGenerator<Row> {
    yield ['sku', 'part_number', 'line', 'column', 'code', 'message', 'attempts'];
    for (let offset = 0; ; offset += 500) {
      const { items } = await options.jobs.failures(jobId, offset, 500);
      for (const f of items) yield [f.sku, f.partNumber, f.line ?? '', f.column ?? '', f.code, redactText(f.message), f.attempts];
      if (items.length < 500) return;
    }
  }

  async function* supplierOrders(): AsyncGenerator<Row> {
    yield ['id', 'created_at', 'status', 'client', 'idempotency_key', 'po_number', 'supplier_order_id', 'store_order_id', 'lines', 'attempts', 'tracking_number', 'last_error'];
    for (let offset = 0; ; offset += 200) {
      const { items } = await options.orders.list({}, offset, 200);
      for (const o of items) {
        yield [
          o.id,
          o.createdAt,
          o.status,
          o.client,
          o.idempotencyKey,
          o.poNumber,
          o.supplierOrderId,
          o.storeOrderId,
          o.lines.map((l) => `${l.sku} x${l.quantity} @ ${l.unitPrice}`).join('; '),
          o.attempts,
          o.trackingNumber,
          o.lastError === null ? null : redactText(o.lastError),
        ];
      }
      if (items.length < 200) return;
    }
  }

  return {
    async open(kind, params) {
      switch (kind as ExportKind) {
        case 'catalog':
          return { filename: 'catalog.csv', body: toCsv(catalog(catalogScope(params))) };
        case 'drift':
          return { filename: 'drift.csv', body: toCsv(drift(catalogScope(params))) };
        case 'sync-failures': {
          const id = params.job?.trim();
          if (!id) throw badInput('BAD_PARAMETER', 'sync-failures needs ?job=<sync job id>', { argument: 'job' });
          if (!isRecordId(id) || !(await options.jobs.get(id))) throw new BulkRefusal(404, 'NOT_FOUND', 'NO_SUCH_JOB', `no sync job with id "${id.slice(0, 64)}"`, { argument: 'job' });
          return { filename: `sync-failures-${id}.csv`, body: toCsv(failures(id)) };
        }
        case 'supplier-orders':
          return { filename: 'supplier-orders.csv', body: toCsv(supplierOrders()) };
        default:
          throw new BulkRefusal(404, 'NOT_FOUND', 'UNKNOWN_KIND', `no export "${kind.slice(0, 40)}"; exports: ${EXPORT_KINDS.map((k) => `${k}.csv`).join(', ')}`);
      }
    },
  };
}
