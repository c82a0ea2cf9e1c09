/**
 * A sync watched live from the playground, in a real headless Chromium with
 * no internet (every request to anything but the gateway is aborted): a
 * mutation run from the editor starts a catalog sync, its id is read from
 * the result pane, then a `syncJob` subscription run from the editor streams
 * over GraphQL over SSE (/graphql/stream) and the result pane updates until
 * the job has SUCCEEDED. A screenshot goes to test-results/playground-sync.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchOffline } from '../support/browser.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const SCREENSHOT_DIR = 'test-results';
const SCREENSHOT = join(SCREENSHOT_DIR, 'playground-sync.png');

if (!hasChromium) {
  if (process.env.CI) {
    throw new Error(`${CHROMIUM} is missing: the playground sync e2e test must run in CI (apt-get install -y chromium)`);
  }
  console.warn(`skipping the playground sync e2e test: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

const START = 'mutation { startSync(input: { kind: CATALOG }) { job { id } } }';
const subscriptionFor = (id: string) => `subscription { syncJob(id: "${id}") { status progress { processed total percent } } }`;

interface Shown {
  data?: { syncJob?: { status: string; progress: { processed: number; total: number; percent: number } } };
  errors?: unknown;
}

/** The value of the CodeMirror 5 editor inside `selector` (GraphiQL 3's editors). */
function editorValue(page: Page, selector: string): Promise<string> {
  return page
    .locator(`${selector} .CodeMirror`)
    .first()
    .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/**
 * Replaces the editor's text. GraphiQL re-reads the document's operations on
 * a debounce after an edit; until then it would send the previous document's
 * operation name, so give it a moment, as a person typing would.
 */
async function setQuery(page: Page, query: string): Promise<void> {
  await page
    .locator('.graphiql-query-editor .CodeMirror')
    .first()
    .evaluate((el, q) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(q), query);
  await page.waitForTimeout(600);
}

function parseShown(text: string): Shown | undefined {
  try {
    return JSON.parse(text) as Shown;
  } catch {
    return undefined;
  }
}

describe.skipIf(!hasChromium && !process.env.CI)('playground: a sync watched live (headless Chromium, no internet)', () => {
  let gateway: TestGateway;
  let browser: Browser | undefined;
  let page: Page;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const failedResponses: string[] = [];
  const streamRequests: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway(
      { SYNC_PAGE_SIZE: '50' },
      // Each supplier page (50 parts) takes 400 ms: a run of ~3 s, so the pane has updates to show.
      {
        parts: 300,
        bigcommerce: { quota: 3000, windowMs: 30_000 },
        finditparts: { ratePerSecond: 100, burst: 100, perMinute: 6000, faults: { latencyMs: 400 } },
      },
    );
    // No internet: anything not to the gateway's own origin is aborted and recorded.
    const launched = await launchOffline(gateway.url, foreignRequests);
    browser = launched.browser;
    const context = launched.context;
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/graphql/stream') streamRequests.push(`${req.method()} ${req.headers().accept ?? ''}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) failedResponses.push(`${res.status()} ${res.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('starts a sync with a mutation, then streams its progress to SUCCEEDED in the result pane', async () => {
    const response = await page.goto(`${gateway.url}/playground`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ state: 'visible', timeout: 15_000 });

    // 1. The mutation, from the editor.
    await setQuery(page, START);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorValue(page, '.graphiql-response'), { timeout: 15_000, interval: 100 }).toMatch(/"startSync"[\s\S]*"id"/);
    const started = JSON.parse(await editorValue(page, '.graphiql-response')) as { data: { startSync: { job: { id: string } } }; errors?: unknown };
    expect(started.errors).toBeUndefined();
    const id = started.data.startSync.job.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // 2. The subscription, from the editor; the pane is sampled while it streams.
    await setQuery(page, subscriptionFor(id));
    expect(await editorValue(page, '.graphiql-query-editor')).toBe(subscriptionFor(id));
    const seen: Array<{ status: string; processed: number }> = [];
    await page.locator('.graphiql-execute-button').click();
    const deadline = Date.now() + 45_000;
    for (;;) {
      const shown = parseShown(await editorValue(page, '.graphiql-response'));
      const job = shown?.data?.syncJob;
      if (shown?.errors) throw new Error(`the subscription failed: ${JSON.stringify(shown.errors)}`);
      if (job) {
        const last = seen[seen.length - 1];
        if (!last || last.status !== job.status || last.processed !== job.progress.processed) seen.push({ status: job.status, processed: job.progress.processed });
        if (job.status === 'SUCCEEDED') break;
      }
      if (Date.now() > deadline) throw new Error(`no SUCCEEDED in the result pane; saw ${JSON.stringify(seen)}`);
      await page.waitForTimeout(40);
    }

    // The pane updated as the job went: a running state first, then progress, then the end.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(['QUEUED', 'RUNNING']).toContain(seen[0]!.status);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.processed).toBeGreaterThanOrEqual(seen[i - 1]!.processed);
    const final = parseShown(await editorValue(page, '.graphiql-response'))!;
    expect(final.data?.syncJob).toEqual({ status: 'SUCCEEDED', progress: { processed: 300, total: 300, percent: 100 } });
    // The server agrees.
    const direct = await gateway.gql(`query { syncJob(id: "${id}") { status progress { processed } } }`);
    expect(direct.body.data?.syncJob).toEqual({ status: 'SUCCEEDED', progress: { processed: 300 } });

    // It streamed over GraphQL over SSE (distinct connections: one POST asking for an event stream).
    expect(streamRequests).toContain('POST text/event-stream');
    // The subscription completed: the button is back to "execute" (not "stop").
    await expect.poll(() => page.locator('.graphiql-execute-button').getAttribute('aria-label'), { timeout: 5_000 }).toMatch(/execute/i);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(existsSync(SCREENSHOT)).toBe(true);

    expect(pageErrors).toEqual([]);
    expect(failedResponses).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 90_000);
});
