/**
 * One gateway (in process, with its embedded sandbox) keeping its records
 * in a real PostgreSQL: DATABASE_URL with CROSSDOCK_SINGLE_INSTANCE=true.
 * Jobs, the audit log, an installed store token, supplier orders with their
 * history and idempotency keys land in PostgreSQL, and nothing in the data
 * dir; and with PostgreSQL gone, reads that need no record go on, /ready
 * says degraded, a mutation that must write a record (a sync, a supplier
 * order) answers STORE_UNAVAILABLE (retryable) with nothing recorded, and
 * everything works again once it is back — the same handle, no restart.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { pollUntil } from '../support/processes.js';

interface Ready {
  status: string;
  checks: { store: { kind: string; records: { engine: string; status: string } } };
}

describe.skipIf(!postgresServerAvailable())('a gateway with its records in PostgreSQL (DATABASE_URL, one instance)', () => {
  let server: PostgresServer;
  let url: string;
  let gw: TestGateway;
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-pg-gateway-'));
  const ready = async () => (await (await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': gw.key } })).json()) as Ready;
  const rows = async (table: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    } finally {
      await client.end();
    }
  };
  const START = `mutation($limit: Int) { startSync(input: { kind: CATALOG, dryRun: true, scope: { limit: $limit } }) { alreadyRunning job { id status } } }`;
  const PLACE = `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { __typename ... on SupplierOrderPlaced { replayed order { id status } } } }`;
  const sellablePart = async () => {
    const r = await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
    const edges = (r.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
    const part = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)?.node.supplierId;
    if (!part) throw new Error('no sellable part in the sandbox');
    return part;
  };

  beforeAll(async () => {
    server = await startPostgresServer();
    url = await server.createDatabase('gateway');
    gw = await startGateway({ CROSSDOCK_DATA_DIR: dataDir, DATABASE_URL: url, CROSSDOCK_SINGLE_INSTANCE: 'true', DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_QUERY_TIMEOUT_MS: '1000', ORDER_PLACE_WAIT_MS: '0' });
  });

  afterAll(async () => {
    await gw?.close();
    await server?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes jobs, the audit log, an installed store token, supplier orders and idempotency keys to PostgreSQL, nothing to the data dir; /ready names the engine', async () => {
    const started = await gw.gql(START, { limit: 5 });
    expect(started.body.errors).toBeUndefined();
    const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
    await pollUntil(() => gw.gql(`query($id: ID!) { syncJob(id: $id) { status } }`, { id }), (r) => (r.body.data?.syncJob as { status: string } | null)?.status === 'SUCCEEDED', {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the dry run to end',
    });
    const install = await fetch(`${gw.url}/bigcommerce/auth?code=any&scope=store_v2_products&context=stores/sandbox`);
    expect(install.status).toBe(200);
    const placed = await gw.gql(PLACE, { in: { idempotencyKey: 'pg-order-1', lines: [{ partId: await sellablePart(), quantity: 1 }] } });
    expect(placed.body.data?.placeSupplierOrder).toMatchObject({ __typename: 'SupplierOrderPlaced', replayed: false });
    const orderId = (placed.body.data?.placeSupplierOrder as { order: { id: string } }).order.id;
    await pollUntil(() => gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status } }`, { id: orderId }), (r) => (r.body.data?.supplierOrder as { status: string } | null)?.status === 'SUBMITTED', {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the order to be sent',
    });
    expect(await rows('jobs')).toBe(1);
    expect(await rows('audit_log')).toBeGreaterThanOrEqual(1);
    // The store's token from the install, and the ERP twin's sealed ION token (shared through the vault).
    expect(await rows(`store_tokens WHERE store_hash = 'sandbox'`)).toBe(1);
    expect(await rows('store_tokens')).toBe(2);
    expect(await rows('supplier_orders')).toBe(1);
    expect(await rows('idempotency_keys')).toBe(1);
    expect(await rows('order_events')).toBe(2);
    const audit = await gw.gql(`{ auditLog(first: 5) { edges { node { field outcome } } } }`);
    expect((audit.body.data?.auditLog as { edges: Array<{ node: { field: string } }> }).edges.map((e) => e.node.field)).toEqual(expect.arrayContaining(['startSync', 'placeSupplierOrder']));
    // Every record is in PostgreSQL: the data dir holds no record file at all.
    expect(existsSync(join(dataDir, 'crossdock.db'))).toBe(false);
    expect(await ready()).toMatchObject({ status: 'healthy', checks: { store: { kind: 'embedded', records: { engine: 'postgres', status: 'up' } } } });
  });

  it('PostgreSQL gone: reads answer, /ready is degraded, startSync and placeSupplierOrder are STORE_UNAVAILABLE with nothing recorded; back: it all works without a restart', async () => {
    const before = await rows('jobs');
    await server.stop('SIGINT');
    expect(await ready()).toMatchObject({ status: 'degraded', checks: { store: { records: { engine: 'postgres', status: 'unreachable' } } } });
    const read = await gw.gql(`{ parts(ids: ["1", "2"]) { id partNumber } }`);
    expect(read.body.errors).toBeUndefined();
    expect((read.body.data?.parts as unknown[]).length).toBe(2);
    const refused = await gw.gql(START, { limit: 6 });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    const part = await sellablePart();
    const order = await gw.gql(PLACE, { in: { idempotencyKey: 'pg-order-outage', lines: [{ partId: part, quantity: 1 }] } });
    expect(order.body.errors?.[0]?.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });

    await server.start();
    await pollUntil(ready, (r) => r.status === 'healthy', { timeoutMs: 15_000, intervalMs: 100, what: '/ready to recover' });
    expect(await rows('jobs')).toBe(before);
    expect(await rows('supplier_orders')).toBe(1);
    expect(await rows('idempotency_keys')).toBe(1);
    const again = await gw.gql(START, { limit: 6 });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data?.startSync).toMatchObject({ alreadyRunning: false });
    // The refused key was never taken: the same request now places the order.
    const retried = await gw.gql(PLACE, { in: { idempotencyKey: 'pg-order-outage', lines: [{ partId: part, quantity: 1 }] } });
    expect(retried.body.data?.placeSupplierOrder).toMatchObject({ __typename: 'SupplierOrderPlaced', replayed: false });
    expect(await rows('supplier_orders')).toBe(2);
  });
});
