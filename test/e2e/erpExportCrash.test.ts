/**
 * Kill -9 around the ERP order export (issue 15 acceptance 4): exactly one
 * confirmed M3 order per store order whatever the moment of the crash. The
 * sandbox (supplier, store and the ION twin, every store order's items in
 * M3) runs in this test process so its orders outlive the gateway; the
 * gateway is a child process on a data dir the restarted one reuses.
 *
 * The crash is placed deterministically with the twin's faults: a `hang`
 * holds the call before M3 runs it (the gateway dies between AddBatchHead
 * and Confirm, or with its line call in flight), `acceptThenHang` runs it
 * and never answers (the gateway dies after AddBatchHead landed, before it
 * learnt the batch number).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { FaultSpecInput } from '../../src/sandbox/common/faults.js';
import { pollUntil, sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { resetSandbox, sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

interface M3Head {
  ORNO: string;
  tempOrno: string;
  CUOR: string;
  STAT: string;
  lines: Array<{ ITNO: string }>;
}

let sandbox: Sandbox;
let ionApiFile: string;
/** Store orders the store will fulfil (the export enters these), by id. */
let fulfilled: number[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ parts: 300, ion: { itemShare: 1 }, finditparts: { ratePerSecond: 200, burst: 200, perMinute: 12_000 }, bigcommerce: { quota: 5_000 } });
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-erp-crash-'));
  ionApiFile = join(dir, 'sandbox.ionapi');
  writeFileSync(ionApiFile, await (await fetch(`${sandbox.ion.url}/__sandbox/ionapi`)).text());
  const orders = (await (await fetch(`${sandbox.bigcommerce.apiBase}/v2/orders?limit=250`, { headers: { accept: 'application/json', 'x-auth-token': 'sandbox-token' } })).json()) as Array<{ id: number; status_id: number }>;
  fulfilled = orders.filter((o) => ![0, 4, 5, 6].includes(o.status_id)).map((o) => o.id);
  expect(fulfilled.length).toBeGreaterThan(40);
});
afterAll(async () => {
  await stopAllGatewayProcesses();
  await sandbox?.close();
});

const env = () => ({ ...sandboxUpstreamEnv(sandbox), ION_API_FILE: ionApiFile, ION_ORDER_CUSTOMER: 'WEBSTORE', ION_ORDER_TYPE: 'WEB', ION_RATE_PER_SECOND: '200', ION_PER_MINUTE: '12000' });
const m3Orders = async () => ((await (await fetch(`${sandbox.ion.url}/__sandbox/orders`)).json()) as { orders: M3Head[] }).orders;
const faultCount = async (kind: string) => (await sandboxStats(sandbox.ion.url)).faults[kind] ?? 0;

async function startExport(gw: GatewayProcess): Promise<string> {
  const r = await gw.gql(`mutation { startSync(input: { kind: ERP_ORDER_EXPORT }) { job { id } } }`);
  const id = (r.body as { data?: { startSync?: { job: { id: string } } } }).data?.startSync?.job.id;
  if (!id) throw new Error(`startSync: ${JSON.stringify(r.body)}`);
  return id;
}

async function finished(gw: GatewayProcess, jobId: string) {
  return pollUntil(
    async () => {
      const r = await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { processed created failed } } }`, { id: jobId });
      return (r.body as { data: { syncJob: { status: string; progress: { processed: number; created: number; failed: number } } } }).data.syncJob;
    },
    (j) => j.status !== 'QUEUED' && j.status !== 'RUNNING' && j.status !== 'INTERRUPTED',
    { timeoutMs: 60_000, intervalMs: 200, what: 'the export job to end after the restart' },
  );
}

/** Crash the gateway while `fault` holds the first order's call; restart; let the export finish. */
async function crashAndResume(fault: FaultSpecInput, held: 'hang' | 'acceptThenHang') {
  await resetSandbox(sandbox.ion.url, true);
  const dataDir = mkdtempSync(join(tmpdir(), 'crossdock-erp-crash-'));
  const a = await startGatewayProcess({ env: env(), dataDir });
  const before = await faultCount(held);
  await setFaults(sandbox.ion.url, fault);
  const jobId = await startExport(a);
  await pollUntil(() => faultCount(held), (n) => n > before, { timeoutMs: 20_000, what: 'the held call to reach the ION twin' });
  a.kill('SIGKILL');
  expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await setFaults(sandbox.ion.url, {});
  const atCrash = await m3Orders();

  const b = await startGatewayProcess({ env: env(), dataDir });
  const job = await finished(b, jobId);
  expect(job.status).toBe('SUCCEEDED');
  return { b, jobId, atCrash, after: await m3Orders() };
}

/** The invariant: exactly one confirmed M3 order per store order the store fulfils, with its lines; nothing for the others. */
function expectOneConfirmedEach(orders: M3Head[]) {
  for (const id of fulfilled) {
    const confirmed = orders.filter((h) => h.CUOR === String(id) && h.STAT === '22');
    expect(confirmed, `store order ${id}`).toHaveLength(1);
    expect(confirmed[0]!.lines.length, `store order ${id}`).toBeGreaterThan(0);
  }
  expect(orders.every((h) => fulfilled.includes(Number(h.CUOR)))).toBe(true);
}

describe('kill -9 during ERP_ORDER_EXPORT', () => {
  it('between AddBatchHead and Confirm: the restarted gateway finds the batch head by CUOR and confirms it once', async () => {
    const { b, after, atCrash } = await crashAndResume({ hangRate: 1, match: { path: 'OIS100MI/Confirm' } }, 'hang');
    // At the crash the first order had its batch head and lines, unconfirmed.
    expect(atCrash).toHaveLength(1);
    expect(atCrash[0]).toMatchObject({ STAT: '05', CUOR: String(fulfilled[0]) });
    expect(atCrash[0]!.lines.length).toBeGreaterThan(0);
    expectOneConfirmedEach(after);
    // No second head for it: its batch head is the one confirmed.
    const first = after.filter((h) => h.CUOR === String(fulfilled[0]));
    expect(first).toHaveLength(1);
    expect(first[0]!.tempOrno).toBe(atCrash[0]!.tempOrno);
    expect(after).toHaveLength(fulfilled.length);
    const e = await b.gql(`query($id: ID!) { erpOrderExports(first: 1, filter: { storeOrderId: $id }) { edges { node { status orderNumber history { reason } } } } }`, { id: String(fulfilled[0]) });
    const node = (e.body as { data: { erpOrderExports: { edges: Array<{ node: { status: string; orderNumber: string; history: Array<{ reason: string }> } }> } } }).data.erpOrderExports.edges[0]!.node;
    expect(node).toMatchObject({ status: 'CONFIRMED', orderNumber: first[0]!.ORNO });
    expect(node.history.map((h) => h.reason).join('\n')).toMatch(/still unconfirmed: Confirm did not land/);
    // A second run creates none.
    const again = await finished(b, await startExport(b));
    expect(again).toMatchObject({ status: 'SUCCEEDED', progress: { created: 0 } });
    expect(await m3Orders()).toEqual(after);
    await b.stop();
  }, 120_000);

  it('after AddBatchHead landed and before its answer: the restarted gateway adopts that batch head, enters no second one', async () => {
    const { b, after, atCrash } = await crashAndResume({ acceptThenHang: true, match: { path: 'OIS100MI/AddBatchHead' } }, 'acceptThenHang');
    expect(atCrash).toHaveLength(1);
    expect(atCrash[0]).toMatchObject({ STAT: '05', lines: [] });
    expectOneConfirmedEach(after);
    const first = after.filter((h) => h.CUOR === String(fulfilled[0]));
    expect(first).toHaveLength(1);
    expect(first[0]!.tempOrno).toBe(atCrash[0]!.tempOrno);
    expect(after).toHaveLength(fulfilled.length);
    await b.stop();
  }, 120_000);

  it('with the line call in flight: that batch head is abandoned (never confirmed), the order entered again, one confirmed', async () => {
    const { b, after, atCrash } = await crashAndResume({ hangRate: 1, match: { methods: ['POST'], path: 'm3api-rest/v2/execute$' } }, 'hang');
    expect(atCrash).toHaveLength(1);
    expectOneConfirmedEach(after);
    const first = after.filter((h) => h.CUOR === String(fulfilled[0]));
    expect(first.map((h) => [h.tempOrno, h.STAT])).toEqual([
      [atCrash[0]!.tempOrno, '05'],
      [expect.any(String), '22'],
    ]);
    expect(after).toHaveLength(fulfilled.length + 1);
    await b.stop();
  }, 120_000);
});
