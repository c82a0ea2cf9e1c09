/**
 * Bulk CSV exports through the real gateway (issue 17):
 *
 * - acceptance 3: an exported `catalog` re-imported as a PART_LIST changes
 *   nothing (no store write), and a name `=HYPERLINK(...)` is exported
 *   escaped (`'=HYPERLINK(...)`) and comes back exactly;
 * - `drift` lists exactly the sandbox's seeded drift; `sync-failures?job=`
 *   a job's failures with line and column; `supplier-orders` without
 *   addresses; unknown kinds and jobs are typed errors; a key is required.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftOf } from '../../src/sandbox/bigcommerce/productRecord.js';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import { runningTwin } from '../../src/sandbox/twins.js';
import { getExport, parseCsv, postImport, waitImport } from '../support/bulk.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { pollUntil } from '../support/processes.js';
import { sandboxStats } from '../support/sandbox.js';

const PARTS = 200;
const SEED = 42;
const DRIFT = 0.1;
let gw: TestGateway;
const catalog = createCatalog({ size: PARTS, seed: SEED });
const parts = Array.from({ length: PARTS }, (_, i) => catalog.get(i + 1)!);
const origin = () => runningTwin(gw.sandbox, 'bigcommerce')!.origin;

beforeAll(async () => {
  gw = await startGateway({ SYNC_PAGE_SIZE: '50', ORDER_PLACE_WAIT_MS: '2000' }, { parts: PARTS, seed: SEED, finditparts: { ratePerSecond: 5000, burst: 5000, perMinute: 1_000_000 }, bigcommerce: { quota: 1_000_000, driftShare: DRIFT } });
});
afterAll(async () => gw?.close());

const rowsOf = (text: string) => {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
};

describe('drift (on the seeded store, before any sync)', () => {
  it('lists exactly the seeded drift, one row per field', async () => {
    const res = await getExport(gw, 'drift.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const got = rowsOf(res.text).map((r) => `${r.sku}:${r.field}`).sort();
    const expected = parts
      .filter((p) => origin().store.presence.has(p.index) && driftOf(SEED, p.index, DRIFT))
      .map((p) => `${p.partNumber}:${({ price: 'PRICE', stock: 'STOCK', name: 'NAME' } as const)[driftOf(SEED, p.index, DRIFT)!]}`)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });
});

describe('acceptance 3: export, re-import, nothing changes', () => {
  it('a catalog export re-imported as a PART_LIST writes nothing, and =HYPERLINK(...) round-trips escaped', async () => {
    // The store in step with the supplier (a catalog sync), then overrides that a sync would not make.
    const sync = await gw.gql<{ data: { startSync: { job: { id: string } } } }>('mutation { startSync(input: { kind: CATALOG }) { job { id } } }');
    await pollUntil(
      async () => (await gw.gql<{ data: { syncJob: { status: string } } }>('query ($id: ID!) { syncJob(id: $id) { status } }', { id: sync.body.data.startSync.job.id })).body.data.syncJob.status,
      (s) => s === 'SUCCEEDED',
      { timeoutMs: 60_000, what: 'catalog sync' },
    );
    const evil = '=HYPERLINK("http://attacker.example/x","Click")';
    const [a, b, c] = parts;
    const overrides = `part_number,name,price,category,visible\n${a!.partNumber},"${evil.replace(/"/g, '""')}",,,\n${b!.partNumber},,42.00,21|22,false\n${c!.partNumber},+1 Gasket,,,\n`;
    const imported = await waitImport(gw, (await postImport(gw, 'PART_LIST', overrides)).body.job!.id);
    expect(imported.progress).toMatchObject({ updated: 3, failed: 0 });
    expect(origin().productBySku(a!.partNumber)!.name).toBe(evil);

    const exported = await getExport(gw, 'catalog.csv');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="catalog.csv"');
    // Every cell is quoted, and the formula carries the quote that keeps a spreadsheet from running it.
    expect(exported.text).toContain(`"'=HYPERLINK(""http://attacker.example/x"",""Click"")"`);
    expect(exported.text).toContain(`"'+1 Gasket"`);
    const rows = rowsOf(exported.text);
    expect(rows).toHaveLength(PARTS);
    expect(rows.find((r) => r.part_number === b!.partNumber)).toMatchObject({ price: '42.00', category: '21|22', visible: 'false', in_store: 'true' });

    const before = await sandboxStats(gw.bcUrl);
    const again = await waitImport(gw, (await postImport(gw, 'PART_LIST', exported.text)).body.job!.id);
    expect(again.progress).toMatchObject({ processed: PARTS, created: 0, updated: 0, unchanged: PARTS, failed: 0 });
    expect((await sandboxStats(gw.bcUrl)).writes).toBe(before.writes);
    expect(origin().productBySku(a!.partNumber)!.name).toBe(evil);
    expect(origin().productBySku(c!.partNumber)!.name).toBe('+1 Gasket');
  }, 120_000);

  it('inStore and limit narrow the catalog export', async () => {
    const some = rowsOf((await getExport(gw, 'catalog.csv?limit=30')).text);
    expect(some.map((r) => r.part_number)).toEqual(parts.slice(0, 30).map((p) => p.partNumber));
    const bad = await getExport(gw, 'catalog.csv?inStore=maybe');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_PARAMETER' });
  });
});

describe('sync-failures, supplier-orders, refusals', () => {
  it('sync-failures lists a job failures with line and column', async () => {
    const job = await waitImport(gw, (await postImport(gw, 'PART_LIST', `part_number,price\n${parts[5]!.partNumber},nope\nZZ-0000001,\n`)).body.job!.id);
    const rows = rowsOf((await getExport(gw, `sync-failures.csv?job=${job.id}`)).text);
    expect(rows.map((r) => [r.line, r.column, r.code])).toEqual([
      ['2', 'price', 'VALIDATION'],
      ['3', 'part_number', 'UNKNOWN_PART'],
    ]);
    const missing = await getExport(gw, 'sync-failures.csv?job=00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).errors[0].extensions.reason).toBe('NO_SUCH_JOB');
    expect((await getExport(gw, 'sync-failures.csv')).status).toBe(400);
  });

  it('supplier-orders lists orders without their ship-to address', async () => {
    const placed = await gw.gql<{ data: { placeSupplierOrder: { __typename: string; order?: { id: string } } } }>(
      'mutation ($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { order { id } } } }',
      { in: { idempotencyKey: 'bulk-export-1', lines: [{ sku: parts[0]!.partNumber, quantity: 1 }] } },
    );
    const id = placed.body.data.placeSupplierOrder.order!.id;
    const text = (await getExport(gw, 'supplier-orders.csv')).text;
    const row = rowsOf(text).find((r) => r.id === id);
    expect(row).toMatchObject({ idempotency_key: 'bulk-export-1' });
    expect(text).not.toContain(gw.config.orders.defaultAddress.street1);
  });

  it('an unknown kind is 404 UNKNOWN_KIND; no key is 401', async () => {
    const unknown = await getExport(gw, 'everything.csv');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_KIND' });
    expect((await fetch(`${gw.url}/bulk/exports/catalog.csv`)).status).toBe(401);
  });
});
