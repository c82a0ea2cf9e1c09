/**
 * An import job (PART_LIST, PRICE_OVERRIDES, STOCK_OVERRIDES): a sync over
 * exactly the rows of its file, a page of rows at a time, with runSync's
 * planning, diff and batched writes (jobs/pipeline/diff.ts, writePlans.ts).
 *
 * Per page: read the rows (streamed from the content-addressed file), check
 * each against its kind's columns, find PART_LIST parts at the supplier (in
 * the batch read by id for rows that carry `supplier_id`, else one lookup by
 * part number each: the supplier has no batch form of that), read the
 * store's products for the page (`sku:in`), plan, write only what differs,
 * then commit the page's failures (each with its line and column), the
 * planned changes and the checkpoint — the next row — in one transaction.
 * A job resumed after kill -9 re-reads the file from that row.
 */
import type { StoreCatalog, StoreWriter, SupplierCatalog } from '../domain/ports.js';
import type { Part, StoreProduct } from '../domain/types.js';
import { planItem, planOverride, type ItemPlan } from '../jobs/pipeline/diff.js';
import { JobCancelled, plannedChangesOf } from '../jobs/pipeline/runSync.js';
import { writePlans, type ItemFailure } from '../jobs/pipeline/writePlans.js';
import type { MappingRules } from '../jobs/productMapper.js';
import type { JobStore } from '../jobs/store/jobStore.js';
import { isImportKind, ZERO_COUNTERS, type ImportKind, type SyncCounters, type SyncFailureRecord, type SyncJobRecord, type SyncPhase } from '../jobs/types.js';
import { columnsFor, readRow, type ColumnMap, type RowResult } from './importColumns.js';
import type { ImportFiles } from './importFiles.js';
import { readImport, type ImportHeader, type ImportRow } from './importRows.js';

export interface ImportDeps {
  supplier: SupplierCatalog;
  storeCatalog: StoreCatalog;
  writer: StoreWriter;
  store: JobStore;
  rules: MappingRules;
  files: ImportFiles;
  /** Rows per page (SYNC_PAGE_SIZE). */
  pageSize: number;
  createConcurrency: number;
  publish(job: SyncJobRecord): void;
  invalidate(skus: string[], storeIds: string[]): Promise<void>;
}

/** The failure key of a row with no SKU to name it by (unreadable, or no valid part number). */
export const lineKey = (line: number) => `line:${line}`;

export async function runImport(initial: SyncJobRecord, deps: ImportDeps, signal: AbortSignal): Promise<SyncJobRecord> {
  const { store, rules } = deps;
  const kind = initial.kind;
  const file = initial.scope.import;
  if (!isImportKind(kind) || !file) throw new Error(`job ${initial.id} is not an import`);
  const path = deps.files.pathOf(file.sha256);
  if (!deps.files.exists(file.sha256)) throw new Error(`the import file ${file.sha256}.csv is not in BULK_IMPORT_DIR (${deps.files.dir}); every instance must reach it`);
  const lines = initial.scope.lines ? new Set(initial.scope.lines) : null;
  const now = () => new Date().toISOString();
  const checkpoint = initial.checkpoint ?? { nextPage: 1, nextRow: 1, counters: { ...ZERO_COUNTERS, total: lines ? lines.size : file.rows } };
  const counters: SyncCounters = { ...checkpoint.counters };
  let job = await store.update(initial.id, {
    status: 'RUNNING',
    phase: 'READING_SUPPLIER',
    counters,
    startedAt: initial.startedAt ?? now(),
    runStartedAt: now(),
    runStartProcessed: counters.processed,
    error: null,
  });
  deps.publish(job);
  const progress = async (phase: SyncPhase) => {
    job = await store.update(job.id, { phase, counters: { ...counters } });
    deps.publish(job);
  };
  const checkCancel = async () => {
    if (signal.aborted || (await store.get(job.id))?.cancelRequested) throw new JobCancelled();
  };

  let header: ImportHeader | undefined;
  let columns: ColumnMap | undefined;
  let pageNo = checkpoint.nextPage;
  let page: ImportRow[] = [];
  let lastRow = (checkpoint.nextRow ?? 1) - 1;

  async function flush(): Promise<void> {
    await checkCancel();
    const plans = await planPage(kind as ImportKind, page, header as ImportHeader, columns as ColumnMap, deps, progress);
    await checkCancel();
    const planned = job.dryRun ? plannedChangesOf(job.id, plans) : [];
    let failed = new Map<ItemPlan, ItemFailure>();
    let written = new Set<string>();
    let writtenIds = new Set<string>();
    if (!job.dryRun) {
      await progress('WRITING');
      ({ failed, written, writtenIds } = await writePlans(plans, deps.writer, deps.createConcurrency, checkCancel));
    }
    for (const plan of plans) if (plan.kind === 'invalid') failed.set(plan, { code: plan.code, message: plan.message });
    const failures: Array<Omit<SyncFailureRecord, 'attempts' | 'jobId'>> = [];
    const succeeded: string[] = [];
    for (const plan of plans) {
      counters.processed++;
      const failure = failed.get(plan);
      if (failure) {
        counters.failed++;
        failures.push({ sku: plan.sku, partNumber: plan.partNumber, code: failure.code, message: failure.message, line: plan.line ?? null, column: plan.column ?? null });
      } else {
        succeeded.push(plan.sku);
        if (plan.kind === 'create') counters.created++;
        else if (plan.kind === 'update') counters.updated++;
        else counters.unchanged++;
      }
    }
    job = await store.commitPage(job.id, { failures, succeeded, planned, checkpoint: { nextPage: pageNo + 1, nextRow: lastRow + 1, counters: { ...counters } } });
    if (written.size) await deps.invalidate([...written], [...writtenIds]);
    deps.publish(job);
    pageNo++;
    page = [];
  }

  for await (const item of readImport(path, { fromRow: checkpoint.nextRow ?? 1, signal })) {
    if ('header' in item) {
      header = item.header;
      const found = columnsFor(kind, header);
      // Checked when the file was uploaded; a file that changed since is not this job's file.
      if (!found.ok) throw new Error(found.message);
      columns = found.columns;
      continue;
    }
    lastRow = item.row;
    if (lines && !lines.has(item.line)) continue;
    page.push(item);
    if (page.length >= deps.pageSize) await flush();
  }
  if (page.length) await flush();

  counters.total = counters.processed;
  job = await store.update(job.id, { status: 'SUCCEEDED', phase: 'DONE', counters, checkpoint: { nextPage: pageNo, nextRow: lastRow + 1, counters: { ...counters } }, finishedAt: now() });
  deps.publish(job);
  return job;
}

async function planPage(
  kind: ImportKind,
  rows: readonly ImportRow[],
  header: ImportHeader,
  columns: ColumnMap,
  deps: ImportDeps,
  progress: (phase: SyncPhase) => Promise<void>,
): Promise<ItemPlan[]> {
  const { rules } = deps;
  const results: RowResult[] = rows.map((r) => (r.cells ? readRow(kind, columns, header, r.cells) : { ok: false, column: null, message: `the record could not be read: ${r.error ?? 'malformed CSV'}` }));
  const invalid = (r: ImportRow, res: Extract<RowResult, { ok: false }>, code = 'VALIDATION'): ItemPlan => {
    const sku = res.sku ?? (res.partNumber ? rules.skuRule.skuFor(res.partNumber) : lineKey(r.line));
    return { kind: 'invalid', sku, partNumber: res.partNumber ?? null, code, message: `line ${r.line}${res.column ? `, column ${res.column}` : ''}: ${res.message}`, line: r.line, ...(res.column ? { column: res.column } : {}) };
  };

  if (kind !== 'PART_LIST') {
    const skuOf = (res: RowResult) => (res.ok && res.item.kind !== 'PART_LIST' ? (res.item.sku ?? rules.skuRule.skuFor(res.item.partNumber as string)) : undefined);
    const skus = [...new Set(results.map(skuOf).filter((s): s is string => s !== undefined))];
    await progress('READING_STORE');
    const existing: Map<string, StoreProduct> = skus.length ? await deps.storeCatalog.productsBySkus(skus, 'bulk') : new Map();
    return rows.map((r, i) => {
      const res = results[i] as RowResult;
      if (!res.ok) return invalid(r, res);
      const sku = skuOf(res) as string;
      const item = res.item as Extract<typeof res.item, { kind: 'PRICE_OVERRIDES' | 'STOCK_OVERRIDES' }>;
      const plan = planOverride(kind, sku, item.value, existing.get(sku), { line: r.line });
      return plan.kind === 'invalid' ? { ...plan, partNumber: item.partNumber ?? null, message: `line ${r.line}: ${plan.message}` } : { ...plan, partNumber: item.partNumber ?? null };
    });
  }

  // PART_LIST: the supplier's parts, by id where the row has one (the batch read), else by part number.
  const items = results.map((res) => (res.ok && res.item.kind === 'PART_LIST' ? res.item : undefined));
  const ids = [...new Set(items.flatMap((it) => (it?.supplierId ? [it.supplierId] : [])))];
  const byId = ids.length ? await deps.supplier.productsByIds(ids, 'bulk') : new Map<string, Part>();
  const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
  const parts: Array<Part | null | undefined> = await Promise.all(
    items.map(async (it) => {
      if (!it) return undefined;
      const found = it.supplierId ? byId.get(it.supplierId) : undefined;
      // A supplier id that names another part (an edited file) is not trusted: the part number decides.
      if (found && same(found.partNumber, it.partNumber)) return found;
      return deps.supplier.lookup(it.partNumber, 'bulk');
    }),
  );
  const skus = [...new Set(parts.flatMap((p) => (p ? [rules.skuRule.skuFor(p.partNumber)] : [])))];
  await progress('READING_STORE');
  const existing: Map<string, StoreProduct> = skus.length ? await deps.storeCatalog.productsBySkus(skus, 'bulk') : new Map();
  return rows.map((r, i) => {
    const res = results[i] as RowResult;
    if (!res.ok) return invalid(r, res);
    const item = items[i] as NonNullable<(typeof items)[number]>;
    const part = parts[i];
    if (!part) return invalid(r, { ok: false, column: 'part_number', message: `the supplier has no part ${item.partNumber}`, partNumber: item.partNumber }, 'UNKNOWN_PART');
    const overrides = {
      ...(item.name !== undefined ? { name: item.name } : {}),
      ...(item.price !== undefined ? { price: item.price } : {}),
      ...(item.markupPercent !== undefined ? { markupPercent: item.markupPercent } : {}),
      ...(item.categories !== undefined ? { categories: item.categories } : {}),
      ...(item.isVisible !== undefined ? { isVisible: item.isVisible } : {}),
    };
    const plan = planItem('PART_LIST', part, existing.get(rules.skuRule.skuFor(part.partNumber)), rules, overrides, { line: r.line });
    return plan.kind === 'invalid' ? { ...plan, message: `line ${r.line}: ${plan.message}` } : plan;
  });
}
