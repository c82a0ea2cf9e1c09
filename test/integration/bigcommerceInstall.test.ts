/**
 * The BigCommerce single-click app flow end to end against the sandbox
 * (issue 6, acceptance 6): install (the code exchange reaches the sandbox's
 * /oauth2/token), the connector then calls the store with the installed
 * token (the static one is wrong), load with valid payloads (HS256, HS512),
 * refused payloads (wrong signature, audience, issuer, subject, expired,
 * not yet valid, issued in the future, no expiry, alg none), uninstall deletes the token (the store is called
 * with the wrong static token again), and the token never appears in the
 * SQLite files. The login endpoint sits behind a recording proxy, so the test
 * knows the exact token the exchange returned.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy.js';
import { sandboxStats, startSandbox } from '../support/sandbox.js';

const ADMIN = 'install-admin-key-aaaaaaaaaaaa';
const WRONG_STATIC = 'wrong-static-token-0000000000';
let sandbox: Sandbox;
let login: RecordingProxy;
let gw: TestGateway;
let dataDir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ parts: 200, bigcommerce: { quota: 10_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } });
  login = await startRecordingProxy(sandbox.bigcommerce.url);
  dataDir = mkdtempSync(join(tmpdir(), 'crossdock-install-'));
  gw = await startGateway({
    CROSSDOCK_API_KEYS: `admin:admin:${ADMIN}`,
    CROSSDOCK_DATA_DIR: dataDir,
    FINDITPARTS_BASE_URL: sandbox.finditparts.apiBase,
    FINDITPARTS_CLIENT_ID: sandbox.options.finditparts.clientId,
    FINDITPARTS_CLIENT_SECRET: sandbox.options.finditparts.clientSecret,
    BIGCOMMERCE_API_URL: sandbox.bigcommerce.apiBase,
    // The store refuses this one: calls succeed only with the installed token.
    BIGCOMMERCE_ACCESS_TOKEN: WRONG_STATIC,
    BIGCOMMERCE_APP_CLIENT_ID: sandbox.options.bigcommerce.appClientId,
    BIGCOMMERCE_APP_CLIENT_SECRET: sandbox.options.bigcommerce.appClientSecret,
    BIGCOMMERCE_LOGIN_URL: `${login.url}/oauth2/token`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    RESPONSE_CACHE: 'false',
    BREAKER_FAILURE_THRESHOLD: '1000',
    RETRY_DELAY_SCALE: '0.01',
  });
});
afterAll(async () => {
  await gw?.close();
  await login?.close();
  await sandbox?.close();
});

const get = (path: string, accept = 'application/json') => fetch(`${gw.url}${path}`, { headers: { accept } });
async function signedPayload(body: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${sandbox.bigcommerce.url}/__sandbox/signed-payload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { signed_payload_jwt: string }).signed_payload_jwt;
}
/** A payload signed here with the app secret, for claims the sandbox helper does not set. */
async function ownPayload(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(sandbox.options.bigcommerce.appClientSecret));
}
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Lists are not entity-cached and the response cache is off: every call reaches the store. */
const storeProducts = () => gw.gql(`{ products(first: 2) { totalCount edges { node { sku } } } }`, {}, { 'x-api-key': ADMIN });
async function store401s(): Promise<number> {
  return (await sandboxStats(sandbox.bigcommerce.url)).statuses['401'] ?? 0;
}
function dbBytes(): Buffer[] {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith('crossdock.db'))
    .map((f) => readFileSync(join(dataDir, f)));
}
function tokenRows(): Array<{ store_hash: string; ciphertext: Buffer; iv: Buffer; tag: Buffer; key_id: string; scope: string; user: string | null }> {
  const db = new Database(join(dataDir, 'crossdock.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM store_tokens').all() as ReturnType<typeof tokenRows>;
  } finally {
    db.close();
  }
}
let installedToken = '';

describe('install', () => {
  it('before any install the store refuses the static token', async () => {
    const before = await store401s();
    const res = await storeProducts();
    expect(res.body.errors?.[0]?.extensions?.code).toMatch(/^UPSTREAM_/);
    expect(await store401s()).toBeGreaterThan(before);
  });

  it('refuses a malformed callback without calling the login endpoint', async () => {
    for (const qs of ['', '?code=abc&scope=x', '?code=abc&scope=x&context=sandbox', '?code=abc&scope=x&context=stores/..%2Fetc', '?scope=x&context=stores/sandbox']) {
      const res = await get(`/bigcommerce/auth${qs}`);
      expect(res.status, qs).toBe(400);
    }
    expect(login.exchanges).toHaveLength(0);
  });

  it('GET /bigcommerce/auth exchanges the code at the sandbox login endpoint and keeps the token', async () => {
    const statsBefore = await sandboxStats(sandbox.bigcommerce.url);
    // No API key: BigCommerce calls this from the merchant's browser.
    const res = await get('/bigcommerce/auth?code=install-code-1&scope=store_v2_products%20store_v2_orders_read_only&context=stores/sandbox');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.json()).toEqual({ installed: true, storeHash: 'sandbox', scope: 'store_v2_products store_v2_orders_read_only', connected: true });

    // The exchange reached the sandbox, once, with the documented body.
    const statsAfter = await sandboxStats(sandbox.bigcommerce.url);
    expect((statsAfter.endpoints['POST /oauth2/token'] ?? 0) - (statsBefore.endpoints['POST /oauth2/token'] ?? 0)).toBe(1);
    expect(login.exchanges).toHaveLength(1);
    const sent = JSON.parse(login.exchanges[0]!.requestBody) as Record<string, string>;
    expect(sent).toEqual({
      client_id: 'sandbox-app-client',
      client_secret: 'sandbox-app-secret',
      code: 'install-code-1',
      context: 'stores/sandbox',
      scope: 'store_v2_products store_v2_orders_read_only',
      grant_type: 'authorization_code',
      redirect_uri: `${gw.url}/bigcommerce/auth`,
    });
    installedToken = (JSON.parse(login.exchanges[0]!.responseBody) as { access_token: string }).access_token;
    expect(installedToken.length).toBeGreaterThan(10);
    expect(installedToken).not.toBe(WRONG_STATIC);
  });

  it('the store connector now calls the store with the installed token', async () => {
    const before = await store401s();
    const res = await storeProducts();
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data?.products as { totalCount: number }).totalCount).toBeGreaterThan(0);
    expect(await store401s()).toBe(before);
  });

  it('the token is sealed at rest: AES-256-GCM row, and no plaintext anywhere in the SQLite files', () => {
    const rows = tokenRows();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.store_hash).toBe('sandbox');
    expect(row.iv).toHaveLength(12);
    expect(row.tag).toHaveLength(16);
    expect(row.ciphertext).toHaveLength(Buffer.byteLength(installedToken));
    expect(row.ciphertext.toString('utf8')).not.toBe(installedToken);
    expect(row.scope).toBe('store_v2_products store_v2_orders_read_only');
    expect(JSON.parse(row.user ?? 'null')).toEqual({ id: 24_654 });
    const files = dbBytes();
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      expect(bytes.includes(Buffer.from(installedToken, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(installedToken, 'utf16le'))).toBe(false);
      expect(bytes.includes(Buffer.from('sandbox-app-secret'))).toBe(false);
    }
  });

  it('a code cannot be used twice: the second exchange fails and the installed token stays', async () => {
    const res = await get('/bigcommerce/auth?code=install-code-1&scope=store_v2_products&context=stores/sandbox');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UPSTREAM_ERROR');
    expect(body.error.message).toContain('invalid_grant');
    expect(tokenRows()).toHaveLength(1);
    const after = await storeProducts();
    expect(after.body.errors).toBeUndefined();
  });
});

describe('signed_payload_jwt', () => {
  it('load answers for the store with a valid HS256 payload (JSON and HTML)', async () => {
    const jwt = await signedPayload();
    const res = await get(`/bigcommerce/load?signed_payload_jwt=${jwt}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ storeHash: 'sandbox', installed: true, connected: true });
    const html = await get(`/bigcommerce/load?signed_payload_jwt=${jwt}`, 'text/html');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-security-policy')).toContain('frame-ancestors');
    expect(await html.text()).toContain('installed');
  });

  it('load accepts HS512 too, and a clock skew within the leeway', async () => {
    expect((await get(`/bigcommerce/load?signed_payload_jwt=${await signedPayload({ alg: 'HS512' })}`)).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const skewed = await ownPayload({ aud: 'sandbox-app-client', iss: 'bc', sub: 'stores/sandbox', iat: now + 20, nbf: now + 20, exp: now - 20 });
    expect((await get(`/bigcommerce/load?signed_payload_jwt=${skewed}`)).status).toBe(200);
  });

  it('refuses wrong signature, audience, issuer, subject, expiry, not-before, alg none and garbage with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: 'sandbox-app-client', iss: 'bc', sub: 'stores/sandbox', iat: now, nbf: now - 5, exp: now + 3600 };
    const valid = await signedPayload();
    const [header, , signature] = valid.split('.');
    const cases: Record<string, string> = {
      'wrong signature': await signedPayload({ secret: 'not-the-app-secret' }),
      'wrong audience': await signedPayload({ aud: 'another-app' }),
      'wrong issuer': await signedPayload({ iss: 'evil' }),
      'subject not a store': await signedPayload({ sub: 'users/1' }),
      expired: await signedPayload({ expSecondsFromNow: -3600 }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'claims swapped under a valid signature': `${header}.${b64({ ...claims, sub: 'stores/other' })}.${signature}`,
      'HS256 signed with the client id (key confusion)': await signedPayload({ secret: 'sandbox-app-client' }),
      'not yet valid': await ownPayload({ ...claims, nbf: now + 3600 }),
      'issued in the future': await ownPayload({ ...claims, iat: now + 3600 }),
      'no expiry': await ownPayload({ ...claims, exp: undefined }),
      garbage: 'not-a-jwt',
      missing: '',
    };
    for (const [name, jwt] of Object.entries(cases)) {
      for (const callback of ['load', 'uninstall', 'remove_user']) {
        const res = await get(`/bigcommerce/${callback}${jwt ? `?signed_payload_jwt=${jwt}` : ''}`);
        expect(res.status, `${name} at ${callback}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      }
    }
    // Nothing changed: the token is still installed and used.
    expect(tokenRows()).toHaveLength(1);
    expect((await storeProducts()).body.errors).toBeUndefined();
  });

  it('remove_user is acknowledged and keeps the store token', async () => {
    const res = await get(`/bigcommerce/remove_user?signed_payload_jwt=${await signedPayload({ user: { id: 77, email: 'staff@example.com' } })}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ removed: true, storeHash: 'sandbox' });
    expect(tokenRows()).toHaveLength(1);
  });

  it('uninstall deletes the token; the store is called with the (wrong) static token again', async () => {
    const res = await get(`/bigcommerce/uninstall?signed_payload_jwt=${await signedPayload()}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ uninstalled: true, storeHash: 'sandbox', removed: true });
    expect(tokenRows()).toHaveLength(0);
    for (const bytes of dbBytes()) expect(bytes.includes(Buffer.from(installedToken, 'utf8'))).toBe(false);

    const before = await store401s();
    const after = await storeProducts();
    expect(after.body.errors?.[0]?.extensions?.code).toMatch(/^UPSTREAM_/);
    expect(await store401s()).toBeGreaterThan(before);

    // load now says so.
    const load = await get(`/bigcommerce/load?signed_payload_jwt=${await signedPayload()}`);
    expect(await load.json()).toEqual({ storeHash: 'sandbox', installed: false, connected: true });
  });
});

describe('embedded default', () => {
  it('installs against the embedded sandbox with its app credentials and login endpoint', async () => {
    const embedded = await startGateway({});
    try {
      const res = await fetch(`${embedded.url}/bigcommerce/auth?code=embedded-1&scope=store_v2_products&context=stores/sandbox`, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { connected: boolean }).connected).toBe(true);
      const stats = await sandboxStats(embedded.bcUrl);
      expect(stats.endpoints['POST /oauth2/token']).toBe(1);
      const products = await embedded.gql(`{ products(first: 1) { totalCount } }`);
      expect(products.body.errors).toBeUndefined();
    } finally {
      await embedded.close();
    }
  });

  it('a gateway without the app answers 404 at the callbacks', async () => {
    const plain = await startGateway({
      // Real upstreams need configured keys, even in development.
      CROSSDOCK_API_KEYS: `admin:admin:${ADMIN}`,
      FINDITPARTS_BASE_URL: sandbox.finditparts.apiBase,
      FINDITPARTS_API_KEY: sandbox.options.finditparts.apiKey,
      BIGCOMMERCE_API_URL: sandbox.bigcommerce.apiBase,
      BIGCOMMERCE_ACCESS_TOKEN: sandbox.options.bigcommerce.accessToken,
    });
    try {
      for (const p of ['auth?code=a&scope=b&context=stores/sandbox', 'load', 'uninstall', 'remove_user']) {
        expect((await fetch(`${plain.url}/bigcommerce/${p}`)).status).toBe(404);
      }
    } finally {
      await plain.close();
    }
  });
});
