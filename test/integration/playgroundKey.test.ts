/**
 * The generated development key and who may see it (issue 10, finding 15).
 * The embedded default prints an admin key and pre-fills it in the
 * playground. Served to any Host, a page on another site that rebinds its
 * DNS name to 127.0.0.1 (or anyone, with HOST=0.0.0.0) could read it, and
 * with real upstreams configured that key places real orders.
 *
 * - `/playground` fills the key in only for a loopback Host (127.0.0.1,
 *   localhost, [::1]) on a loopback connection; `evil.example` gets the page
 *   without it.
 * - Development mode with real upstreams and no CROSSDOCK_API_KEYS does not
 *   start: there would be a generated admin key in front of a real store.
 */
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses } from '../support/processes.js';
import { startSandbox } from '../support/sandbox.js';

let gw: TestGateway;
let sandbox: Sandbox;

beforeAll(async () => {
  [gw, sandbox] = await Promise.all([startGateway(), startSandbox({ parts: 20 })]);
});
afterAll(async () => {
  await stopAllGatewayProcesses();
  await Promise.all([gw?.close(), sandbox?.close()]);
});

/** GET /playground with a chosen Host header (fetch does not let a test set one). */
function playground(host: string): Promise<{ status: number; body: string }> {
  const url = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/playground', headers: { host, accept: 'text/html' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('the playground and the generated key', () => {
  it('the embedded default has a generated key', () => {
    expect(gw.devKey).toMatch(/^cdk_/);
  });

  it.each(['evil.example', 'evil.example:80', 'rebind.attacker.test:4000', '127.0.0.1.evil.example', 'localhost.evil.example'])(
    'a Host of %s gets the page without the key',
    async (host) => {
      const page = await playground(host);
      expect(page.status).toBe(200);
      expect(page.body).toContain('crossdock-config');
      expect(page.body).not.toContain(gw.devKey!);
    },
  );

  it('loopback Hosts still get it filled in', async () => {
    const port = new URL(gw.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost']) {
      const page = await playground(host);
      expect(page.body, host).toContain(gw.devKey!);
    }
  });
});

describe('development mode with real upstreams', () => {
  it('is refused without CROSSDOCK_API_KEYS, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ ...sandboxUpstreamEnv(sandbox) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/CROSSDOCK_API_KEYS/);
    // With keys it starts.
    expect(loadConfig({ ...sandboxUpstreamEnv(sandbox), CROSSDOCK_API_KEYS: 'ops:admin:aaaaaaaaaaaaaaaaaaaa' }).apiKeys).toHaveLength(1);
  });

  it('npm start refuses to start with a clear error', async () => {
    const started = startGatewayProcess({
      dataDir: mkdtempSync(join(tmpdir(), 'crossdock-devkeys-')),
      env: { ...sandboxUpstreamEnv(sandbox), CROSSDOCK_MODE: 'development', CROSSDOCK_API_KEYS: '' },
    });
    await expect(started).rejects.toThrow(/exited before listening[\s\S]*development mode with real upstreams requires CROSSDOCK_API_KEYS/);
  });
});
