/**
 * Real headless Chromium for the playground tests: Debian's /usr/bin/chromium
 * driven by playwright-core (no browser download), with the network closed —
 * every request not to the gateway's own origin is aborted and recorded.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** The flags a headless Chromium needs on a machine with no network (and as root). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchOffline(gatewayUrl: string, foreignRequests: string[] = []): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const origin = `${gatewayUrl}/`;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin)) return route.continue();
    foreignRequests.push(url);
    return route.abort('internetdisconnected');
  });
  return { browser, context };
}
