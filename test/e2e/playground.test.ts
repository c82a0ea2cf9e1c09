/**
 * The playground in a real headless Chromium: served from installed packages
 * only (every request to anything but the gateway is aborted and counted),
 * the dev key pre-filled, a query for parts with their store product and
 * stock run through the execute button, and the JSON result checked.
 * A screenshot goes to test-results/playground.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchOffline } from '../support/browser.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const SCREENSHOT_DIR = 'test-results';
const SCREENSHOT = join(SCREENSHOT_DIR, 'playground.png');

if (!hasChromium) {
  if (process.env.CI) {
    throw new Error(`${CHROMIUM} is missing: the playground e2e test must run in CI (apt-get install -y chromium)`);
  }
  console.warn(`skipping the playground e2e test: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

const QUERY = `query PartsWithStoreAndStock {
  parts(ids: ["2", "3", "5"]) {
    id
    partNumber
    storeProduct { sku price { amount } }
    inventory { supplierQuantity storeQuantity }
  }
}
`;

interface PartResult {
  id: string;
  partNumber: string;
  storeProduct: { sku: string; price: { amount: string } | null } | null;
  inventory: { supplierQuantity: number | null; storeQuantity: number | null };
}

/** The value of the CodeMirror 5 editor inside `selector` (GraphiQL 3's editors). */
function editorValue(page: Page, selector: string): Promise<string> {
  return page
    .locator(`${selector} .CodeMirror`)
    .first()
    .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

describe.skipIf(!hasChromium)('playground (headless Chromium, no internet)', () => {
  let gateway: TestGateway;
  let browser: Browser | undefined;
  let page: Page;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const failedResponses: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    // No internet: anything not to the gateway's own origin is aborted and recorded.
    const launched = await launchOffline(gateway.url, foreignRequests);
    browser = launched.browser;
    const context = launched.context;
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (res) => {
      // The browser's own /favicon.ico probe is not the page's doing (the gateway answers it 401).
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) failedResponses.push(`${res.status()} ${res.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('runs a parts query from the playground and shows the data', async () => {
    const response = await page.goto(`${gateway.url}/playground`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);

    // GraphiQL rendered, with the generated key pre-filled in the Headers tab.
    await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ state: 'visible', timeout: 15_000 });
    // The Headers tab is open (the variables editor beside it is hidden).
    const headersEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
    await page.locator(`${headersEditor} .CodeMirror`).first().waitFor({ state: 'visible', timeout: 15_000 });
    const headersText = await editorValue(page, headersEditor);
    expect(JSON.parse(headersText)).toEqual({ 'X-API-Key': gateway.key });

    await page
      .locator('.graphiql-query-editor .CodeMirror')
      .first()
      .evaluate((el, q) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(q), QUERY);
    expect(await editorValue(page, '.graphiql-query-editor')).toBe(QUERY);

    await page.locator('.graphiql-execute-button').click();
    await expect
      .poll(() => editorValue(page, '.graphiql-response'), { timeout: 15_000, interval: 100 })
      .toMatch(/"partNumber"[\s\S]*"storeProduct"|"storeProduct"[\s\S]*"partNumber"/);

    const resultText = await editorValue(page, '.graphiql-response');
    const result = JSON.parse(resultText) as { data?: { parts: Array<PartResult | null> }; errors?: unknown };
    expect(result.errors).toBeUndefined();
    const parts = result.data?.parts ?? [];
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part).not.toBeNull();
      expect(part?.partNumber).toMatch(/\S/);
      expect(part?.inventory).toBeDefined();
    }
    // At least one of the parts is in the store, with a price.
    expect(parts.some((p) => p?.storeProduct?.sku && p.storeProduct.price?.amount)).toBe(true);
    // The page shows the same result the API gives for that query.
    const direct = await gateway.gql(QUERY);
    expect(result).toEqual(direct.body);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(existsSync(SCREENSHOT)).toBe(true);

    expect(pageErrors).toEqual([]);
    expect(failedResponses).toEqual([]);
    // Everything came from the gateway: not one request elsewhere was even attempted.
    expect(foreignRequests).toEqual([]);

    // The page cannot even try: its Content-Security-Policy (connect-src 'self') refuses a fetch elsewhere.
    const outcome = await page.evaluate(() =>
      fetch('https://example.com/crossdock-offline-check').then(
        () => 'reached',
        () => 'aborted',
      ),
    );
    expect(outcome).toBe('aborted');
    expect(foreignRequests).toEqual([]);
    // And the guard is live: a navigation elsewhere (which no page CSP governs) is seen and aborted.
    const probe = await page.context().newPage();
    const navigated = await probe.goto('https://example.com/crossdock-offline-check').then(
      () => 'reached',
      () => 'aborted',
    );
    await probe.close();
    expect(navigated).toBe('aborted');
    expect(foreignRequests).toEqual(['https://example.com/crossdock-offline-check']);
  }, 60_000);

  it("opens a link to /graphql?query=… in the playground, shown and not run until asked", async () => {
    const query = 'query Linked($ids: [ID!]!) {\n  parts(ids: $ids) { id partNumber }\n}\n';
    const variables = '{ "ids": ["7", "11"] }';
    const link = `${gateway.url}/graphql?${new URLSearchParams({ query, variables })}`;
    const foreignBefore = foreignRequests.length;
    const response = await page.goto(link, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/playground');

    await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => editorValue(page, '.graphiql-query-editor'), { timeout: 15_000, interval: 100 }).toBe(query);
    // The variables editor holds the link's variables (hidden behind the Headers tab, still filled).
    expect(await editorValue(page, '.graphiql-editor-tool .graphiql-editor.hidden')).toBe(variables);
    // Nothing ran: the response pane is empty.
    expect(await editorValue(page, '.graphiql-response')).toBe('');

    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorValue(page, '.graphiql-response'), { timeout: 15_000, interval: 100 }).toMatch(/"partNumber"/);
    const result = JSON.parse(await editorValue(page, '.graphiql-response')) as unknown;
    expect(result).toEqual((await gateway.gql(query, JSON.parse(variables) as Record<string, unknown>)).body);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests.length).toBe(foreignBefore);
  }, 60_000);
});
