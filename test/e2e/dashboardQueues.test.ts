/**
 * The dashboard's work queues in a real headless Chromium with no internet:
 * orders in MANUAL_REVIEW (with the supplier's last answer, redacted) and a
 * job's failed sync items, acted on through the existing mutations.
 *
 * - A viewer signs in with its key: it sees both queues and no action
 *   button anywhere, and the API refuses it the mutation (FORBIDDEN, audited
 *   REFUSED, nothing sent to the supplier).
 * - An operator retries one order from the page — the supplier then holds
 *   exactly one order for its PO number — cancels the other (two clicks; the
 *   supplier gets nothing), and retries the failed sync items, which a new
 *   job then writes. Each action is in the audit log under the dashboard's
 *   operation names.
 *
 * Screenshots: test-results/dashboard-viewer.png, test-results/dashboard-operator.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchOffline } from '../support/browser.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxStats, setFaults } from '../support/sandbox.js';

const SCREENSHOT_DIR = 'test-results';
const OPERATOR = 'ops-key-aaaaaaaaaaaaaaaa';
const VIEWER = 'view-key-bbbbbbbbbbbbbbbb';
const ADMIN = 'admin-key-cccccccccccccccc';

if (!hasChromium) throw new Error(`${CHROMIUM} is missing: the dashboard e2e test needs it (apt-get install -y chromium; test/support/preflight.mjs does it as root)`);

interface OrderState {
  status: string;
  poNumber: string;
  attempts: number;
  lastError: string | null;
}

describe('dashboard work queues (headless Chromium, no internet)', () => {
  let gw: TestGateway;
  let browser: Browser | undefined;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startGateway(
      {
        CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},viewer:viewer:${VIEWER},root:admin:${ADMIN}`,
        DASHBOARD_INTERVAL_MS: '500',
        ORDER_PLACE_WAIT_MS: '500',
        ORDER_RETRY_STEP_MS: '100',
        ORDER_POLL_INTERVAL_MS: '60000',
        BREAKER_FAILURE_THRESHOLD: '1000',
        RETRY_DELAY_SCALE: '0.002',
      },
      { parts: 300, finditparts: { ratePerSecond: 1000, burst: 1000, perMinute: 100_000 }, bigcommerce: { quota: 5000, windowMs: 30_000 } },
    );
    browser = (await launchOffline(gw.url, foreignRequests)).browser;
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  const as = (key: string) => ({ 'x-api-key': key });
  const order = async (id: string) =>
    (await gw.gql(`query($id: ID!) { supplierOrder(id: $id) { status poNumber attempts lastError } }`, { id }, as(ADMIN))).body.data?.supplierOrder as OrderState;
  async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const atSupplier = async (poNumber: string) =>
    ((await (await fetch(`${gw.fipUrl}/api/v1/orders/search?po_number=${poNumber}`, { headers: { 'x-api-key': 'sandbox-api-key' } })).json()) as { orders: unknown[] }).orders.length;

  async function openAs(key: string): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
    // The same closed network as launchOffline's context.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${gw.url}/`)) return route.continue();
      foreignRequests.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${gw.url}/dashboard`);
    // No generated key here (keys are configured): the sign-in form, which says so when a key is refused.
    await page.locator('#signin-form').waitFor();
    await page.locator('#key').fill('not-a-key-of-this-gateway');
    await page.locator('#signin-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#signin-error').textContent(), { timeout: 5_000 }).toBe('That key was refused.');
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.locator('#key').fill(key);
    await page.locator('#signin-form button[type="submit"]').click();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
    return page;
  }

  it('a viewer sees the queues without actions and is refused; an operator retries, cancels and retries failed items', async () => {
    // Two orders the supplier refuses with 500s until their retries are spent: MANUAL_REVIEW.
    const part = ((await gw.gql(`{ searchParts(first: 50) { edges { node { supplierId sellable variants { quantity minimum } } } } }`, {}, as(OPERATOR))).body.data?.searchParts as {
      edges: Array<{ node: { supplierId: string; sellable: boolean; variants: Array<{ quantity: number; minimum: number }> } }>;
    }).edges.find((e) => e.node.sellable && (e.node.variants[0]?.quantity ?? 0) > 5 && e.node.variants[0]?.minimum === 1)!.node.supplierId;
    await setFaults(gw.fipUrl, { errorRates: { '500': 1 }, match: { methods: ['POST'], path: 'place_order' } });
    const place = async (key: string) =>
      ((await gw.gql(`mutation($in: PlaceSupplierOrderInput!) { placeSupplierOrder(input: $in) { ... on SupplierOrderPlaced { order { id } } } }`, { in: { idempotencyKey: key, lines: [{ partId: part, quantity: 1 }] } }, as(OPERATOR))).body.data
        ?.placeSupplierOrder as { order: { id: string } }).order.id;
    const retryId = await place('dash-retry-1');
    const cancelId = await place('dash-cancel-1');
    const review = await waitFor('the retried order', () => order(retryId), (o) => o.status === 'MANUAL_REVIEW');
    await waitFor('the cancelled order', () => order(cancelId), (o) => o.status === 'MANUAL_REVIEW');
    expect(review.lastError).toMatch(/internal server error/);
    expect(await atSupplier(review.poNumber)).toBe(0);

    // A catalog sync whose product creates the store refuses: failed items.
    await setFaults(gw.bcUrl, { errorRates: { '500': 1 }, match: { methods: ['POST'], path: 'catalog/products$' } });
    const jobId = ((await gw.gql(`mutation { startSync(input: { kind: CATALOG, scope: { limit: 30 } }) { job { id } } }`, {}, as(OPERATOR))).body.data?.startSync as { job: { id: string } }).job.id;
    const failed = await waitFor(
      'the sync with failed items',
      async () => (await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { failed } } }`, { id: jobId }, as(OPERATOR))).body.data?.syncJob as { status: string; progress: { failed: number } },
      (j) => j.status === 'SUCCEEDED',
      30_000,
    );
    expect(failed.progress.failed).toBeGreaterThan(0);
    // The supplier and the store are well again; what is left needs a person.
    await setFaults(gw.fipUrl, {});
    await setFaults(gw.bcUrl, {});
    const placedBefore = (await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'] ?? 0;

    // The viewer: both queues, the supplier's last answer, no button anywhere.
    const viewer = await openAs(VIEWER);
    await expect.poll(() => viewer.locator('#who').textContent()).toBe('viewer · viewer');
    await viewer.locator(`#review tr[data-order="${retryId}"]`).waitFor({ timeout: 10_000 });
    await viewer.locator(`#review tr[data-order="${cancelId}"]`).waitFor();
    expect(await viewer.locator(`#review tr[data-order="${retryId}"] .last-answer`).textContent()).toBe(review.lastError);
    await viewer.locator(`#failures [data-failed-job="${jobId}"]`).waitFor({ timeout: 10_000 });
    expect(await viewer.locator('#main button').count()).toBe(0);
    expect(await viewer.locator('#sync-actions *').count()).toBe(0);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await viewer.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-viewer.png'), fullPage: true });
    // …and the API refuses it what the page does not offer.
    const refused = await gw.gql(`mutation($id: ID!) { retrySupplierOrder(id: $id) { status } }`, { id: retryId }, as(VIEWER));
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'operator' });
    const refusedFailures = await gw.gql(`mutation($id: ID!) { retrySyncFailures(id: $id) { job { id } } }`, { id: jobId }, as(VIEWER));
    expect(refusedFailures.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await order(retryId)).status).toBe('MANUAL_REVIEW');

    // The operator: retry one order, cancel the other, retry the failed items.
    const operator = await openAs(OPERATOR);
    const retryRow = operator.locator(`#review tr[data-order="${retryId}"]`);
    await retryRow.waitFor({ timeout: 10_000 });
    await operator.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-operator.png'), fullPage: true });
    // Arm the other order's cancel first: the retry below re-reads and redraws the queue meanwhile.
    const cancelRow = operator.locator(`#review tr[data-order="${cancelId}"]`);
    await cancelRow.locator('button.cancel').click();
    expect(await cancelRow.locator('button.cancel').textContent()).toBe('Confirm cancel');
    expect((await order(cancelId)).status).toBe('MANUAL_REVIEW');

    await retryRow.locator('button.retry').click();
    await expect.poll(() => operator.locator('#notice').textContent(), { timeout: 10_000 }).toMatch(/is retry wait/);
    // Gone from the queue once it left MANUAL_REVIEW (the queue was read again and redrawn).
    await retryRow.waitFor({ state: 'detached', timeout: 10_000 });
    const placed = await waitFor('the retried order at the supplier', () => order(retryId), (o) => o.status === 'SUBMITTED' || o.status === 'PROCESSING');
    expect(await atSupplier(placed.poNumber)).toBe(1);

    // The redraw kept the armed cancel: the second click cancels.
    expect(await cancelRow.locator('button.cancel').textContent()).toBe('Confirm cancel');
    await cancelRow.locator('button.cancel').click();
    await cancelRow.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await order(cancelId)).status).toBe('CANCELLED');
    expect(await atSupplier((await order(cancelId)).poNumber)).toBe(0);
    // One more placement reached the supplier in all: the retried order's.
    expect(((await sandboxStats(gw.fipUrl)).endpoints['POST /api/v1/partners/place_order'] ?? 0) - placedBefore).toBe(1);

    const failuresRow = operator.locator(`#failures [data-failed-job="${jobId}"]`);
    await failuresRow.locator('button.retry-failures').click();
    await failuresRow.waitFor({ state: 'detached', timeout: 15_000 });
    const retryJob = await waitFor(
      'the retry job',
      async () => ((await gw.gql(`{ syncJobs(first: 1) { edges { node { id retryOf status progress { processed failed } } } } }`, {}, as(OPERATOR))).body.data?.syncJobs as { edges: Array<{ node: { retryOf: string | null; status: string; progress: { processed: number; failed: number } } }> }).edges[0]?.node,
      (j) => j?.retryOf === jobId && j.status === 'SUCCEEDED',
      30_000,
    );
    expect(retryJob?.progress).toEqual({ processed: failed.progress.failed, failed: 0 });

    // Every action went through the existing mutations: audited with who and from where.
    const audit = (await gw.gql(`{ auditLog(first: 50) { edges { node { client field outcome operationName } } } }`, {}, as(ADMIN))).body.data?.auditLog as { edges: Array<{ node: { client: string; field: string; outcome: string; operationName: string | null } }> };
    const entries = audit.edges.map((e) => e.node);
    expect(entries).toContainEqual({ client: 'viewer', field: 'retrySupplierOrder', outcome: 'REFUSED', operationName: null });
    expect(entries).toContainEqual({ client: 'ops', field: 'retrySupplierOrder', outcome: 'OK', operationName: 'DashboardRetrySupplierOrder' });
    expect(entries).toContainEqual({ client: 'ops', field: 'cancelSupplierOrder', outcome: 'OK', operationName: 'DashboardCancelSupplierOrder' });
    expect(entries).toContainEqual({ client: 'ops', field: 'retrySyncFailures', outcome: 'OK', operationName: 'DashboardRetrySyncFailures' });

    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);
});
