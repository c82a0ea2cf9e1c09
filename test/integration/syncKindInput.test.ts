/**
 * What a job kind accepts at `startSync` / `scheduleSync`, refused before a
 * job is stored or anything is sent:
 *
 * - a dry run is a promise that nothing is written; the order kinds
 *   (ORDER_ROUTING, ERP_ORDER_EXPORT) have no plan to show, so a dry run of
 *   one is BAD_USER_INPUT (found while adding ERP_ORDER_EXPORT: a dry
 *   ORDER_ROUTING job placed real supplier orders);
 * - ERP_ORDER_EXPORT takes `limit` only, and is refused with
 *   UPSTREAM_UNAVAILABLE (reason NOT_CONFIGURED) when no ERP is configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { sandboxUpstreamEnv } from '../support/processes.js';
import { sandboxStats, startSandbox } from '../support/sandbox.js';
import { startGateway, type GqlBody, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ ORDER_PLACE_WAIT_MS: '0' }, { parts: 200, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 }, bigcommerce: { quota: 5_000 } });
});
afterAll(async () => gw?.close());

const START = `mutation($in: StartSyncInput!) { startSync(input: $in) { job { id status dryRun } } }`;
const errorOf = (body: GqlBody) => body.errors?.[0]?.extensions as { code?: string; argument?: string; reason?: string } | undefined;

describe('dry runs of the order kinds', () => {
  it('a dry ORDER_ROUTING is refused, and no supplier order is placed', async () => {
    const placeCalls = async () => (await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'] ?? 0;
    const before = await placeCalls();
    const res = await gw.gql(START, { in: { kind: 'ORDER_ROUTING', dryRun: true } });
    expect(errorOf(res.body)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'dryRun' });
    // Nothing was stored: no job, no supplier order (give a wrongly started job the time to place one).
    await new Promise((r) => setTimeout(r, 1_500));
    const jobs = await gw.gql(`{ syncJobs(filter: { kind: [ORDER_ROUTING] }) { totalCount } }`);
    expect((jobs.body.data?.syncJobs as { totalCount: number }).totalCount).toBe(0);
    const orders = await gw.gql(`{ supplierOrders(first: 1) { totalCount } }`);
    expect((orders.body.data?.supplierOrders as { totalCount: number }).totalCount).toBe(0);
    expect(await placeCalls()).toBe(before);
  });

  it('a dry ERP_ORDER_EXPORT is refused', async () => {
    expect(errorOf((await gw.gql(START, { in: { kind: 'ERP_ORDER_EXPORT', dryRun: true } })).body)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'dryRun' });
    const jobs = await gw.gql(`{ syncJobs(filter: { kind: [ERP_ORDER_EXPORT] }) { totalCount } }`);
    expect((jobs.body.data?.syncJobs as { totalCount: number }).totalCount).toBe(0);
  });

  it('ERP_ORDER_EXPORT takes limit only', async () => {
    const res = await gw.gql(START, { in: { kind: 'ERP_ORDER_EXPORT', scope: { manufacturer: 'Bendix' } } });
    expect(errorOf(res.body)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'scope.manufacturer' });
    const scheduled = await gw.gql(`mutation { scheduleSync(input: { kind: ERP_ORDER_EXPORT, intervalSeconds: 600, scope: { query: "x" } }) { id } }`);
    expect(errorOf(scheduled.body)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'scope.query' });
  });
});

describe('ERP_ORDER_EXPORT without an ERP', () => {
  let sandbox: Sandbox;
  let plain: TestGateway;
  beforeAll(async () => {
    // A real supplier and store (a sandbox this test runs), no ION: the ERP is off.
    sandbox = await startSandbox({ parts: 100 });
    plain = await startGateway({ ...sandboxUpstreamEnv(sandbox), CROSSDOCK_API_KEYS: 'ops:operator:sync-kind-input-key-0123456789' }, {});
  });
  afterAll(async () => {
    await plain?.close();
    await sandbox?.close();
  });

  it('is refused with UPSTREAM_UNAVAILABLE, reason NOT_CONFIGURED, and nothing is stored', async () => {
    const res = await plain.gql(START, { in: { kind: 'ERP_ORDER_EXPORT' } });
    expect(errorOf(res.body)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'NOT_CONFIGURED' });
    expect(res.body.errors?.[0]?.message).toMatch(/ION_API_FILE/);
    const jobs = await plain.gql(`{ syncJobs(filter: { kind: [ERP_ORDER_EXPORT] }) { totalCount } }`);
    expect((jobs.body.data?.syncJobs as { totalCount: number }).totalCount).toBe(0);
  });
});
