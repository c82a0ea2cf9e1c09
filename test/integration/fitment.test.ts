/**
 * Vehicle fitment a buyer can search by (issue 17):
 *
 * - acceptance 4: `searchParts(vehicle:)` returns exactly the parts the
 *   sandbox's own filter (`GET /products?fitment_year=&fitment_make=&fitment_model=`)
 *   returns, alone and with query and tags; `vehicleMakes`, `vehicleModels`,
 *   `vehicleYears` match the sandbox's `/vehicles`; `Part.fits`; the lookups
 *   are cached (a second query makes no supplier call);
 * - acceptance 5: after a catalog sync every store product carries one `Fits`
 *   custom field per vehicle its part fits; a re-run writes nothing; a part
 *   whose fitment changed at the supplier is one update on the next run (and
 *   a vehicle dropped is deleted from the product).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import { runningTwin } from '../../src/sandbox/twins.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { pollUntil } from '../support/processes.js';
import { sandboxStats } from '../support/sandbox.js';

const PARTS = 300;
const SEED = 7;
let gw: TestGateway;
const catalog = createCatalog({ size: PARTS, seed: SEED });
const parts = Array.from({ length: PARTS }, (_, i) => catalog.get(i + 1)!);

beforeAll(async () => {
  gw = await startGateway({ SYNC_PAGE_SIZE: '50' }, { parts: PARTS, seed: SEED, finditparts: { ratePerSecond: 5000, burst: 5000, perMinute: 1_000_000 }, bigcommerce: { quota: 1_000_000 } });
});
afterAll(async () => gw?.close());

type Json = any;
async function fip(path: string): Promise<Json> {
  const res = await fetch(`${runningTwin(gw.sandbox, 'finditparts')!.url}/api/v1${path}`, { headers: { 'x-api-key': gw.sandbox!.options.finditparts.apiKey } });
  return res.json();
}

async function sandboxSearch(params: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1; ; page++) {
    const body = await fip(`/products?${new URLSearchParams({ ...params, per: '100', page: String(page) })}`);
    out.push(...body.products.map((p: Json) => String(p.id)));
    if (out.length >= body.pagination.total_count || body.products.length === 0) return out;
  }
}

async function graphSearch(args: { vehicle: { year: number; make: string; model: string }; query?: string; tags?: string[] }): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const res: { body: { data?: Json; errors?: unknown } } = await gw.gql(
      'query ($v: VehicleInput!, $q: String, $t: [String!], $after: String) { searchParts(vehicle: $v, query: $q, tags: $t, first: 100, after: $after) { totalCount edges { node { supplierId fits(year: $vy, make: $vm, model: $vmo) } } pageInfo { hasNextPage endCursor } } }'
        .replace('$after: String)', '$after: String, $vy: Int!, $vm: String!, $vmo: String!)'),
      { v: args.vehicle, q: args.query, t: args.tags, after, vy: args.vehicle.year, vm: args.vehicle.make, vmo: args.vehicle.model },
    );
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data.searchParts;
    for (const e of conn.edges) {
      expect(e.node.fits).toBe(true);
      out.push(e.node.supplierId);
    }
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
}

describe('acceptance 4: fitment in the graph', () => {
  it('searchParts(vehicle:) returns exactly what the sandbox filter returns, alone and with query and tags', async () => {
    const vehicles = [...new Map(parts.flatMap((p) => p.fitments).map((f) => [`${f.year}|${f.make}|${f.model}`, f])).values()].slice(0, 6);
    expect(vehicles.length).toBeGreaterThan(3);
    for (const v of vehicles) {
      const expected = await sandboxSearch({ fitment_year: String(v.year), fitment_make: v.make, fitment_model: v.model });
      expect(expected.length).toBeGreaterThan(0);
      // Make and model in another case: the graph compares them case-insensitively, as the supplier does.
      expect(await graphSearch({ vehicle: { year: v.year, make: v.make.toUpperCase(), model: v.model.toLowerCase() } })).toEqual(expected);
    }
    const v = vehicles[0]!;
    const fitting = parts.find((p) => p.fitments.some((f) => f.year === v.year && f.make === v.make && f.model === v.model))!;
    const withTags = await sandboxSearch({ fitment_year: String(v.year), fitment_make: v.make, fitment_model: v.model, tags: fitting.category });
    expect(await graphSearch({ vehicle: v, tags: [fitting.category] })).toEqual(withTags);
    const withQuery = await sandboxSearch({ fitment_year: String(v.year), fitment_make: v.make, fitment_model: v.model, query: fitting.manufacturer });
    expect(await graphSearch({ vehicle: v, query: fitting.manufacturer })).toEqual(withQuery);
    // A vehicle nothing fits: none.
    expect(await graphSearch({ vehicle: { year: 1999, make: v.make, model: v.model } })).toEqual([]);
  });

  it('the lookup lists match /vehicles, and are cached', async () => {
    const sandbox = await fip('/vehicles');
    const q = `query ($make: String!, $model: String!) { vehicleMakes vehicleModels(make: $make) vehicleYears(make: $make, model: $model) none: vehicleModels(make: "Nope") noYears: vehicleYears(make: $make, model: "Nope") }`;
    const first = sandbox.vehicles[1];
    const res = await gw.gql<{ data: Json }>(q, { make: first.make.toLowerCase(), model: first.models[0] });
    const years = Array.from({ length: sandbox.years.max - sandbox.years.min + 1 }, (_, i) => sandbox.years.min + i);
    expect(res.body.data).toEqual({
      vehicleMakes: sandbox.vehicles.map((v: Json) => v.make),
      vehicleModels: first.models,
      vehicleYears: years,
      none: [],
      noYears: [],
    });
    const before = (await sandboxStats(gw.fipUrl)).endpoints['GET /api/v1/vehicles'] ?? 0;
    for (const v of sandbox.vehicles) {
      const again = await gw.gql<{ data: Json }>(`query ($m: String!) { vehicleModels(make: $m) }`, { m: v.make });
      expect(again.body.data.vehicleModels).toEqual(v.models);
    }
    expect((await sandboxStats(gw.fipUrl)).endpoints['GET /api/v1/vehicles'] ?? 0).toBe(before);
  });

  it('Part.fits answers from the part; a bad vehicle is BAD_USER_INPUT', async () => {
    const p = parts.find((x) => x.fitments.length > 0)!;
    const f = p.fitments[0]!;
    const res = await gw.gql<{ data: Json }>(`query ($id: ID!, $y: Int!, $mk: String!, $md: String!) { part(id: $id) { yes: fits(year: $y, make: $mk, model: $md) no: fits(year: 1990, make: $mk, model: $md) } }`, {
      id: String(p.index),
      y: f.year,
      mk: f.make,
      md: f.model,
    });
    expect(res.body.data.part).toEqual({ yes: true, no: false });
    const bad = await gw.gql(`{ searchParts(vehicle: { year: 20000, make: "Mack", model: "Granite" }) { totalCount } }`);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

async function catalogSync(): Promise<{ id: string; progress: { created: number; updated: number; unchanged: number; failed: number } }> {
  const started = await gw.gql<{ data: { startSync: { job: { id: string } } } }>('mutation { startSync(input: { kind: CATALOG }) { job { id } } }');
  const id = started.body.data.startSync.job.id;
  return pollUntil(
    async () => (await gw.gql<{ data: { syncJob: Json } }>('query ($id: ID!) { syncJob(id: $id) { id status progress { created updated unchanged failed } } }', { id })).body.data.syncJob,
    (j) => j.status === 'SUCCEEDED' || j.status === 'FAILED',
    { timeoutMs: 60_000, intervalMs: 50, what: 'catalog sync' },
  );
}

const fitsOf = (sku: string): string[] =>
  (runningTwin(gw.sandbox, 'bigcommerce')!.origin.store.get(runningTwin(gw.sandbox, 'bigcommerce')!.origin.store.idBySku(sku)!)?.custom_fields ?? [])
    .filter((f) => f.name === 'Fits')
    .map((f) => f.value)
    .sort();
const expectedFits = (fitments: Array<{ year: number; make: string; model: string }>) => [...new Set(fitments.map((f) => `${f.year} ${f.make} ${f.model}`))].sort();

describe('acceptance 5: fitment in the store', () => {
  it('a catalog sync writes one Fits field per vehicle, a re-run writes none, a changed fitment is one update', async () => {
    const first = await catalogSync();
    expect(first.progress.failed).toBe(0);
    for (const p of parts) expect(fitsOf(p.partNumber), p.partNumber).toEqual(expectedFits(p.fitments));

    const writes = (await sandboxStats(gw.bcUrl)).writes;
    const rerun = await catalogSync();
    expect(rerun.progress).toMatchObject({ created: 0, updated: 0, unchanged: PARTS, failed: 0 });
    expect((await sandboxStats(gw.bcUrl)).writes).toBe(writes);

    // The supplier now lists one of the part's vehicles as another: one update, one write.
    const target = parts.find((p) => p.fitments.length >= 2)!;
    const changed = [...target.fitments.slice(0, -1), { year: 2003, make: 'Mack', model: 'Granite' }];
    const set = await fetch(`${gw.fipUrl}/__sandbox/parts/${target.partNumber}/fitments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fitments: changed }) });
    expect(set.status).toBe(200);
    await gw.services.cache.clear();
    const before = await sandboxStats(gw.bcUrl);
    const next = await catalogSync();
    expect(next.progress).toMatchObject({ created: 0, updated: 1, unchanged: PARTS - 1, failed: 0 });
    const after = await sandboxStats(gw.bcUrl);
    expect(after.writes - before.writes).toBe(1);
    expect(fitsOf(target.partNumber)).toEqual(expectedFits(changed));

    // A vehicle dropped: its field is deleted; then nothing to do again.
    const fewer = changed.slice(1);
    await fetch(`${gw.fipUrl}/__sandbox/parts/${target.partNumber}/fitments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fitments: fewer }) });
    const dropped = await catalogSync();
    expect(dropped.progress).toMatchObject({ updated: 1, failed: 0 });
    expect(fitsOf(target.partNumber)).toEqual(expectedFits(fewer));
    expect((await catalogSync()).progress).toMatchObject({ updated: 0, unchanged: PARTS });
  }, 120_000);
});
