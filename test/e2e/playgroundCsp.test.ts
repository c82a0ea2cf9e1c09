/**
 * The playground under the gateway's Content-Security-Policy, in a real
 * headless Chromium: scripts, styles, images and connections from the
 * gateway's own origin only, nothing inline. Every `securitypolicyviolation`
 * the page reports is recorded; running a query and opening the docs
 * explorer (which introspects) must report none, and a deliberate fetch
 * elsewhere must report one (so the recorder is known to work).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchOffline } from '../support/browser.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: the playground e2e tests must run in CI (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('playground under a self-only Content-Security-Policy (headless Chromium)', () => {
  let gateway: TestGateway;
  let browser: Browser | undefined;
  let page: Page;
  const violations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    // No internet: anything not to the gateway's own origin is aborted and recorded.
    const launched = await launchOffline(gateway.url);
    browser = launched.browser;
    const context = launched.context;
    await context.exposeFunction('__reportViolation', (text: string) => violations.push(text));
    // As text: this project compiles without the DOM library.
    await context.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));",
    });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('serves the playground with the CSP, runs a query and the docs explorer with no violation', async () => {
    const response = await page.goto(`${gateway.url}/playground`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");

    await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.graphiql-execute-button').click();
    const responseText = () =>
      page
        .locator('.graphiql-response .CodeMirror')
        .first()
        .evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
    await expect.poll(responseText, { timeout: 15_000, interval: 100 }).toMatch(/"searchParts"/);
    // The docs explorer is built from an introspection query.
    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    await page.getByText('Root Types').waitFor({ state: 'visible', timeout: 15_000 });

    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);

    // The recorder works: a fetch elsewhere breaks connect-src and is reported.
    const outcome = await page.evaluate(() =>
      fetch('https://example.com/csp-check').then(
        () => 'reached',
        () => 'refused',
      ),
    );
    expect(outcome).toBe('refused');
    await expect.poll(() => violations.length, { timeout: 5_000 }).toBe(1);
    expect(violations[0]).toMatch(/^connect-src https:\/\/example\.com\/csp-check/);
  }, 60_000);
});
