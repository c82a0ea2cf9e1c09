/**
 * The public install callback under abuse (issue 10, finding 14):
 * `/bigcommerce/auth` needs no key, so a stranger can call it as often as
 * they like. Each call used to register its `code` as a secret for
 * redaction (an unbounded set scanned on every log line, and a way to blank
 * ordinary words such as `upstream` from every log) and to make an outbound
 * POST carrying the app's client secret; its `redirect_uri` came from the
 * request's Host header.
 *
 * Here 1,000 callbacks come from one address: past the per-address budget
 * (BIGCOMMERCE_AUTH_RATE_LIMIT) they are 429 with Retry-After and reach no
 * login endpoint, while another address is still served; the redaction set
 * does not grow, logs keep `upstream` and other ordinary words, and a real
 * code is still masked by pattern; the exchange's `redirect_uri` is the
 * gateway's own, whatever Host the caller sends.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { registeredSecretCount } from '../../src/observability/redact.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { sandboxUpstreamEnv } from '../support/processes.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy.js';
import { startSandbox } from '../support/sandbox.js';

const BUDGET = 25;
const ADMIN = 'auth-abuse-admin-key-000000000';
/** Ordinary words an attacker would like to blank from every log line (all ≥ 8 characters). */
const WORDS = ['upstream', 'inventory', 'supplier', 'response', 'database', 'finditparts', 'bigcommerce', 'password'];

const lines: string[] = [];
let logger: Logger;
let sandbox: Sandbox;
let login: RecordingProxy;
let gw: Gateway;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET over plain node:http, so the test may choose the Host header and the source address. */
function get(path: string, options: { host?: string; from?: string } = {}): Promise<Answer> {
  const url = new URL(path, gw.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        localAddress: options.from,
        headers: { accept: 'application/json', ...(options.host ? { host: options.host } : {}) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

const authPath = (code: string) => `/bigcommerce/auth?code=${encodeURIComponent(code)}&scope=store_v2_products&context=stores/sandbox`;

beforeAll(async () => {
  logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  sandbox = await startSandbox({ parts: 50 });
  login = await startRecordingProxy(sandbox.bigcommerce.url);
  // The login endpoint refuses every flood code (as BigCommerce would an invented one): no install, no new token.
  login.override = (req) => (req.body.includes('"flood-') || WORDS.some((w) => req.body.includes(`"code":"${w}"`)) ? { status: 400, body: JSON.stringify({ error: 'invalid_grant' }) } : undefined);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-auth-abuse-')),
    CROSSDOCK_API_KEYS: `admin:admin:${ADMIN}`,
    ...sandboxUpstreamEnv(sandbox),
    BIGCOMMERCE_APP_CLIENT_ID: sandbox.options.bigcommerce.appClientId,
    BIGCOMMERCE_APP_CLIENT_SECRET: sandbox.options.bigcommerce.appClientSecret,
    BIGCOMMERCE_LOGIN_URL: `${login.url}/oauth2/token`,
    BIGCOMMERCE_AUTH_RATE_LIMIT: String(BUDGET),
    BIGCOMMERCE_AUTH_RATE_WINDOW_SECONDS: '3600',
  });
  gw = await createGateway(config, { logger });
}, 60_000);
afterAll(async () => {
  await gw?.close();
  await login?.close();
  await sandbox?.close();
});

describe('/bigcommerce/auth under a flood from one address', () => {
  let secretsBefore = 0;
  const statuses: number[] = [];
  const retryAfter: Array<string | string[] | undefined> = [];

  it('answers 1,000 callbacks: the first BIGCOMMERCE_AUTH_RATE_LIMIT reach the login endpoint, the rest are 429 with Retry-After', async () => {
    secretsBefore = registeredSecretCount();
    const exchangesBefore = login.exchanges.length;
    const codes = [...WORDS, ...Array.from({ length: 1_000 - WORDS.length }, (_, i) => `flood-${i}-aaaaaaaa`)];
    // 20 at a time from 127.0.0.2: a flood, bounded.
    for (let i = 0; i < codes.length; i += 20) {
      const answers = await Promise.all(codes.slice(i, i + 20).map((c) => get(authPath(c), { from: '127.0.0.2' })));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) retryAfter.push(a.headers['retry-after']);
      }
    }
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBe(1_000 - BUDGET);
    expect(statuses.filter((s) => s === 502)).toHaveLength(BUDGET);
    for (const r of retryAfter) expect(String(r)).toMatch(/^[1-9]\d*$/);
    // Only the admitted ones made an outbound POST with the client secret.
    expect(login.exchanges.length - exchangesBefore).toBe(BUDGET);
  });

  it('a 429 is a coded error body', async () => {
    const a = await get(authPath('flood-one-more-aaaaaaaa'), { from: '127.0.0.2' });
    expect(a.status).toBe(429);
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('another address keeps its own budget', async () => {
    const a = await get(authPath('flood-other-address-aaaa'), { from: '127.0.0.3' });
    expect(a.status).toBe(502);
  });

  it('the redaction set did not grow with the codes', () => {
    expect(registeredSecretCount()).toBe(secretsBefore);
  });

  it('logs keep ordinary words, even those sent as codes', () => {
    lines.length = 0;
    logger.info({ note: `the upstream answered: ${WORDS.join(' ')}` }, 'ordinary words');
    const line = lines.find((l) => l.includes('ordinary words')) ?? '';
    for (const w of WORDS) expect(line, w).toContain(w);
  });

  it('a real code is still masked, by pattern, wherever a log line carries it', () => {
    lines.length = 0;
    const code = 'qr6h3thvbvag2ffq';
    logger.info({ url: `/bigcommerce/auth?code=${code}&scope=x`, body: `{"code":"${code}","scope":"x"}`, code }, 'callback seen');
    const line = lines.find((l) => l.includes('callback seen')) ?? '';
    expect(line).not.toBe('');
    expect(line).not.toContain(code);
  });
});

describe('the exchange redirect_uri', () => {
  it('is the gateway’s own callback URL, whatever Host the caller sends', async () => {
    const before = login.exchanges.length;
    const a = await get(authPath('host-check-code-0001'), { host: 'evil.example', from: '127.0.0.4' });
    expect(a.status).toBe(200);
    const sent = JSON.parse(login.exchanges[before]!.requestBody) as { redirect_uri: string };
    expect(sent.redirect_uri).not.toContain('evil.example');
    expect(sent.redirect_uri).toBe(`${gw.url}/bigcommerce/auth`);
  });
});
