/**
 * Vendor and internal error text shown to viewers passes through the same
 * redaction as logs (issue 10, finding 19). The vendors here answer errors
 * that echo the request's credentials and personal data back (as real ones
 * do: "request with Authorization Bearer … refused for jane@…"); that text
 * used to reach any viewer verbatim through `SupplierOrder.lastError` and
 * `history { reason }`, `SyncJob.error` and `SyncFailure.message`.
 *
 * Seeded: the JWT the gateway signs for FinditParts (echoed from its
 * Authorization header), the BigCommerce static token (echoed from
 * X-Auth-Token), an email, phone numbers, a street address and a ZIP+4. The
 * viewer's answers must carry none of them, and still say what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { GqlBody } from '../support/gateway.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy.js';
import { startSandbox } from '../support/sandbox.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OPERATOR = 'cdk_redact_operator_000000001';
const VIEWER = 'cdk_redact_viewer_00000000002';
const BC_TOKEN = 'bcstatictoken0123456789abcdef';
const PII = { email: 'jane.doe.7731@example.com', phone: '+1 (614) 555-0199', phone2: '614-555-0142', street: '1600 Pennsylvania Avenue NW', zip: '90210-4421' };

let sandbox: Sandbox;
let fip: RecordingProxy;
let bc: RecordingProxy;
let gw: Gateway;
/** Every credential the vendors saw in this test (the JWTs the gateway signed, the store token). */
const seenCredentials = new Set<string>();
let fipMode: 'pass' | 'rejectOrders' | 'rejectReads' = 'pass';
let bcMode: 'pass' | 'rejectCreates' = 'pass';

const echo = (credential: string | undefined) => {
  if (credential) seenCredentials.add(credential.replace(/^Bearer\s+/i, ''));
  return `request with Authorization ${credential} refused for ${PII.email}, ship to ${PII.street}, ${PII.zip}, call ${PII.phone} or ${PII.phone2}`;
};

beforeAll(async () => {
  sandbox = await startSandbox({
    parts: 200,
    finditparts: { ratePerSecond: 1_000, burst: 1_000, perMinute: 100_000 },
    // An empty store: a catalog sync creates every product, so a refused create is a per-item failure.
    bigcommerce: { accessToken: BC_TOKEN, quota: 10_000, storeShare: 0 },
  });
  fip = await startRecordingProxy(sandbox.finditparts.url);
  fip.override = (req) => {
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    if (fipMode === 'rejectOrders' && req.method === 'POST' && req.path.includes('/partners/place_order')) return { status: 400, body: JSON.stringify({ errno: 2, message: echo(auth) }) };
    if (fipMode === 'rejectReads' && req.method === 'GET' && /\/products(\?|$)/.test(req.path)) return { status: 400, body: JSON.stringify({ errno: 2, message: echo(auth) }) };
    return undefined;
  };
  bc = await startRecordingProxy(sandbox.bigcommerce.url);
  bc.override = (req) => {
    const token = typeof req.headers['x-auth-token'] === 'string' ? req.headers['x-auth-token'] : undefined;
    if (bcMode === 'rejectCreates' && req.method === 'POST' && /\/v3\/catalog\/products$/.test(req.path.split('?')[0] ?? '')) {
      return { status: 422, body: JSON.stringify({ status: 422, title: echo(token), type: 'about:blank', errors: { name: `X-Auth-Token: ${token} for ${PII.email}` } }) };
    }
    return undefined;
  };
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-redact-')),
    CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},view:viewer:${VIEWER}`,
    CLIENT_BUDGET_POINTS: '100000000',
    FINDITPARTS_BASE_URL: `${fip.url}/api/v1`,
    FINDITPARTS_CLIENT_ID: sandbox.options.finditparts.clientId,
    FINDITPARTS_CLIENT_SECRET: sandbox.options.finditparts.clientSecret,
    FINDITPARTS_RATE_PER_SECOND: '1000',
    FINDITPARTS_PER_MINUTE: '100000',
    BIGCOMMERCE_API_URL: `${bc.url}/stores/${sandbox.options.bigcommerce.storeHash}`,
    BIGCOMMERCE_ACCESS_TOKEN: BC_TOKEN,
    BIGCOMMERCE_QUOTA: '10000',
    RETRY_DELAY_SCALE: '0.01',
    BREAKER_FAILURE_THRESHOLD: '1000',
    ORDER_PLACE_WAIT_MS: '3000',
    ORDER_RETRY_STEP_MS: '50',
    RESPONSE_CACHE: 'false',
  });
  gw = await createGateway(config, { logger: createLogger({ level: 'silent' }) });
}, 60_000);
afterAll(async () => {
  await gw?.close();
  await Promise.all([fip?.close(), bc?.close()]);
  await sandbox?.close();
});

async function gql(key: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as GqlBody };
}
async function waitFor<T>(what: string, read: () => Promise<T>, done: (t: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** What a viewer's answer must never carry. */
function expectClean(text: string) {
  expect(seenCredentials.size).toBeGreaterThan(0);
  for (const c of seenCredentials) expect(text.includes(c), 'an echoed credential').toBe(false);
  expect(text.includes(BC_TOKEN), 'the store token').toBe(false);
  for (const [name, value] of Object.entries(PII)) expect(text.includes(value), name).toBe(false);
  expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  expect(text).not.toMatch(/555[-. ]?01(99|42)/);
  expect(text).not.toContain('Pennsylvania');
}

describe('vendor error text reaches viewers redacted', () => {
  it('SupplierOrder.lastError and history, for a supplier rejection that echoes credentials and PII', async () => {
    const search = await gql(OPERATOR, `{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`);
    const edges = (search.body.data?.searchParts as { edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }> }).edges;
    const part = edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)!.node.supplierId;
    fipMode = 'rejectOrders';
    const placed = await gql(OPERATOR, `mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { order { id } } } }`, {
      in: { idempotencyKey: 'redact-1', lines: [{ partId: part, quantity: 1 }] },
    });
    const id = (placed.body.data?.placeSupplierOrder as { order: { id: string } }).order.id;
    const ORDER = `query($id: ID!) { supplierOrder(id: $id) { status lastError history { to reason } } }`;
    const seen = await waitFor(
      'the order to be rejected',
      () => gql(VIEWER, ORDER, { id }),
      (r) => (r.body.data?.supplierOrder as { status: string } | null)?.status === 'REJECTED',
    );
    fipMode = 'pass';
    const order = seen.body.data?.supplierOrder as { lastError: string; history: Array<{ to: string; reason: string }> };
    expectClean(seen.text);
    // Still useful: who refused, and why in outline.
    expect(order.lastError).toMatch(/^finditparts: request with Authorization/);
    expect(order.history.find((h) => h.to === 'REJECTED')?.reason).toMatch(/the supplier refused it/);
    // And the same through the list.
    expectClean((await gql(VIEWER, `{ supplierOrders(first: 10) { edges { node { lastError history { reason } } } } }`)).text);
  });

  it('SyncJob.error, for a job the supplier fails with such a message', async () => {
    fipMode = 'rejectReads';
    const started = await gql(OPERATOR, `mutation { startSync(input: { kind: CATALOG, scope: { limit: 5 } }) { job { id } } }`);
    const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
    const seen = await waitFor(
      'the sync job to fail',
      () => gql(VIEWER, `query($id: ID!) { syncJob(id: $id) { status error } }`, { id }),
      (r) => (r.body.data?.syncJob as { status: string } | null)?.status === 'FAILED',
    );
    fipMode = 'pass';
    expectClean(seen.text);
    expect((seen.body.data?.syncJob as { error: string }).error).toMatch(/finditparts/);
  });

  it('SyncFailure.message, for store writes the store refuses with such a message', async () => {
    bcMode = 'rejectCreates';
    const started = await gql(OPERATOR, `mutation { startSync(input: { kind: CATALOG, scope: { limit: 3 } }) { job { id } } }`);
    const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
    const FAILURES = `query($id: ID!) { syncJob(id: $id) { status error failures(first: 10) { totalCount nodes { code message } } } }`;
    const seen = await waitFor(
      'the sync job to finish',
      () => gql(VIEWER, FAILURES, { id }),
      (r) => ['SUCCEEDED', 'FAILED'].includes((r.body.data?.syncJob as { status: string } | null)?.status ?? ''),
    );
    bcMode = 'pass';
    const job = seen.body.data?.syncJob as { failures: { totalCount: number; nodes: Array<{ code: string; message: string }> } };
    expect(job.failures.totalCount).toBeGreaterThan(0);
    expect(job.failures.nodes[0]?.code).toBe('UPSTREAM_REJECTED');
    expectClean(seen.text);
  });
});
