/**
 * Contract tests for what surrounds the BigCommerce simulator's resources:
 * auth, the store quota and its headers, injected faults, the app OAuth
 * exchange, the signed_payload_jwt helper and the OpenAPI document.
 */
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStats, setFaults } from '../support/sandbox.js';
import { expectV3Error, startStore, type Store } from './bigcommerce-support.js';

const RL = ['x-rate-limit-time-window-ms', 'x-rate-limit-time-reset-ms', 'x-rate-limit-requests-quota', 'x-rate-limit-requests-left'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auth', () => {
  let s: Store;
  beforeAll(async () => {
    s = await startStore();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers 401 with a v3 error for a wrong or missing token, on v3 and v2 paths', async () => {
    const wrong = await s.get('/v3/catalog/products', { 'X-Auth-Token': 'not-the-token' });
    expect(wrong.status).toBe(401);
    expectV3Error(wrong.body, 401);
    const missing = await fetch(`${s.api}/v3/catalog/products`);
    expect(missing.status).toBe(401);
    expectV3Error(await missing.json(), 401);
    const v2 = await s.get('/v2/orders', { 'X-Auth-Token': 'nope' });
    expect(v2.status).toBe(401);
    expect((await s.get('/v3/catalog/products')).status).toBe(200);
  });

  it('answers 404 with a v3 error (and the quota headers) for an unknown route', async () => {
    const res = await s.get('/v3/catalog/widgets');
    expect(res.status).toBe(404);
    expectV3Error(res.body, 404);
    for (const h of RL) expect(res.headers.get(h), h).not.toBeNull();
  });
});

describe('store quota', () => {
  let s: Store;
  beforeAll(async () => {
    s = await startStore({ bigcommerce: { quota: 5, windowMs: 2000 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts down on every answer, answers the 6th with 429, and recovers after the window', async () => {
    const lefts: number[] = [];
    for (let n = 0; n < 5; n++) {
      // A 4xx answer counts and carries the headers like a 2xx.
      const res = await s.get(n === 2 ? '/v3/catalog/products/1' : '/v3/catalog/products?limit=1');
      expect(res.status).toBe(n === 2 ? 404 : 200);
      expect(res.headers.get('x-rate-limit-requests-quota')).toBe('5');
      expect(res.headers.get('x-rate-limit-time-window-ms')).toBe('2000');
      const reset = Number(res.headers.get('x-rate-limit-time-reset-ms'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(2000);
      lefts.push(Number(res.headers.get('x-rate-limit-requests-left')));
    }
    expect(lefts).toEqual([4, 3, 2, 1, 0]);
    const throttled = await s.get('/v3/catalog/products?limit=1');
    expect(throttled.status).toBe(429);
    expectV3Error(throttled.body, 429);
    expect(throttled.headers.get('x-rate-limit-requests-left')).toBe('0');
    const resetMs = Number(throttled.headers.get('x-rate-limit-time-reset-ms'));
    expect(resetMs).toBeGreaterThan(0);
    expect((await sandboxStats(s.url)).throttled).toBe(1);
    await sleep(resetMs + 50);
    const again = await s.get('/v3/catalog/products?limit=1');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-rate-limit-requests-left')).toBe('4');
  });

  it('is shared by every client: an issued token draws from the same window', async () => {
    await s.call('POST', '/__sandbox/limits', { quota: 2 });
    const exchange = await s.call('POST', '/oauth2/token', {
      client_id: 'sandbox-app-client',
      client_secret: 'sandbox-app-secret',
      code: 'shared-window',
      context: 'stores/sandbox',
      scope: 'store_v2_products',
      grant_type: 'authorization_code',
      redirect_uri: 'https://app.example.com/auth',
    });
    expect((await s.get('/v3/catalog/products?limit=1')).status).toBe(200);
    expect((await s.get('/v3/catalog/products?limit=1', { 'X-Auth-Token': exchange.body.access_token })).status).toBe(200);
    expect((await s.get('/v3/catalog/products?limit=1', { 'X-Auth-Token': exchange.body.access_token })).status).toBe(429);
  });

  it('is set and read through /__sandbox/limits, which validates its input', async () => {
    const set = await s.call('POST', '/__sandbox/limits', { quota: 3, windowMs: 60_000 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ quota: 3, windowMs: 60_000, left: 3 });
    await s.get('/v3/catalog/products?limit=1');
    const read = await s.get('/__sandbox/limits');
    expect(read.body).toMatchObject({ quota: 3, windowMs: 60_000, used: 1, left: 2 });
    expect((await s.call('POST', '/__sandbox/limits', { quota: 0 })).status).toBe(400);
    expect((await s.call('POST', '/__sandbox/limits', { quota: 'many' })).status).toBe(400);
    expect((await s.call('POST', '/__sandbox/limits', { burst: 3 })).status).toBe(400);
    // A sandbox reset restores the configured quota with a fresh window.
    await s.call('POST', '/__sandbox/reset', {});
    expect((await s.get('/__sandbox/limits')).body).toMatchObject({ quota: 5, windowMs: 2000, left: 5 });
  });
});

describe('injected faults', () => {
  let s: Store;
  beforeAll(async () => {
    s = await startStore();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers an injected 429 without X-Rate-Limit headers, and a 503 with a v3 body', async () => {
    await setFaults(s.url, { failNext: { status: 429, count: 1 } });
    const load = await s.get('/v3/catalog/products?limit=1');
    expect(load.status).toBe(429);
    expectV3Error(load.body, 429);
    for (const h of RL) expect(load.headers.get(h), h).toBeNull();
    const stats = await sandboxStats(s.url);
    expect(stats.throttled).toBe(0);
    expect(stats.faults['status-429']).toBe(1);
    await setFaults(s.url, { failNext: { status: 503, count: 1 } });
    const down = await s.get('/v3/catalog/products?limit=1');
    expect(down.status).toBe(503);
    expectV3Error(down.body, 503);
    const ok = await s.get('/v3/catalog/products?limit=1');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-rate-limit-requests-left')).not.toBeNull();
  });
});

describe('app OAuth', () => {
  let s: Store;
  beforeAll(async () => {
    s = await startStore();
  });
  afterAll(async () => {
    await s?.close();
  });

  const exchange = (over: Record<string, string> = {}) =>
    s.call('POST', '/oauth2/token', {
      client_id: 'sandbox-app-client',
      client_secret: 'sandbox-app-secret',
      code: `code-${Math.random()}`,
      context: 'stores/sandbox',
      scope: 'store_v2_products store_v2_orders',
      grant_type: 'authorization_code',
      redirect_uri: 'https://app.example.com/auth',
      ...over,
    });

  it('exchanges a code for a token the store then accepts', async () => {
    const res = await exchange();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      scope: 'store_v2_products store_v2_orders',
      user: { id: expect.any(Number), username: expect.any(String), email: expect.any(String) },
      owner: { id: expect.any(Number), username: expect.any(String), email: expect.any(String) },
      context: 'stores/sandbox',
      account_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(res.body.access_token).not.toBe('sandbox-token');
    const use = await s.get('/v3/catalog/products?limit=1', { 'X-Auth-Token': res.body.access_token });
    expect(use.status).toBe(200);
  });

  it('accepts a form-encoded exchange', async () => {
    const form = new URLSearchParams({
      client_id: 'sandbox-app-client',
      client_secret: 'sandbox-app-secret',
      code: 'form-code',
      context: 'stores/sandbox',
      scope: 'store_v2_products',
      grant_type: 'authorization_code',
      redirect_uri: 'https://app.example.com/auth',
    });
    const res = await fetch(`${s.url}/oauth2/token`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { access_token: string }).access_token).toEqual(expect.any(String));
  });

  it('rejects a wrong secret (401), a wrong grant type, context or a reused code (400)', async () => {
    const secret = await exchange({ client_secret: 'wrong' });
    expect(secret.status).toBe(401);
    expect(secret.body).toHaveProperty('message');
    expect(secret.body.access_token).toBeUndefined();
    expect((await exchange({ grant_type: 'client_credentials' })).status).toBe(400);
    expect((await exchange({ context: 'stores/other' })).status).toBe(400);
    expect((await exchange({ code: '' })).status).toBe(400);
    expect((await exchange({ code: 'once' })).status).toBe(200);
    expect((await exchange({ code: 'once' })).status).toBe(400);
  });

  it('mints a signed_payload_jwt that jose verifies with the client secret', async () => {
    const res = await s.call('POST', '/__sandbox/signed-payload', {});
    expect(res.status).toBe(200);
    const secret = new TextEncoder().encode('sandbox-app-secret');
    const { payload, protectedHeader } = await jwtVerify(res.body.signed_payload_jwt, secret, {
      audience: 'sandbox-app-client',
      issuer: 'bc',
      algorithms: ['HS256'],
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('stores/sandbox');
    expect(payload).toMatchObject({ user: { id: expect.any(Number), email: expect.any(String) }, owner: { id: expect.any(Number) }, url: '/' });

    const hs512 = await s.call('POST', '/__sandbox/signed-payload', { alg: 'HS512', sub: 'stores/abc' });
    const v512 = await jwtVerify(hs512.body.signed_payload_jwt, secret, { algorithms: ['HS512'] });
    expect(v512.payload.sub).toBe('stores/abc');

    const expired = await s.call('POST', '/__sandbox/signed-payload', { expSecondsFromNow: -60 });
    await expect(jwtVerify(expired.body.signed_payload_jwt, secret)).rejects.toThrow(/exp/);
    const otherKey = await s.call('POST', '/__sandbox/signed-payload', { secret: 'another-secret' });
    await expect(jwtVerify(otherKey.body.signed_payload_jwt, secret)).rejects.toThrow();
    expect((await s.call('POST', '/__sandbox/signed-payload', { alg: 'RS256' })).status).toBe(400);
  });
});

describe('OpenAPI document', () => {
  let s: Store;
  beforeAll(async () => {
    s = await startStore();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists every route of the simulator', async () => {
    const res = await s.get('/__sandbox/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.0\./);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: Array<[string, string]> = [
      ['/stores/sandbox/v3/catalog/products', 'get'],
      ['/stores/sandbox/v3/catalog/products', 'post'],
      ['/stores/sandbox/v3/catalog/products', 'put'],
      ['/stores/sandbox/v3/catalog/products/{id}', 'get'],
      ['/stores/sandbox/v3/catalog/products/{id}', 'put'],
      ['/stores/sandbox/v3/catalog/products/{id}/variants', 'get'],
      ['/stores/sandbox/v3/catalog/products/{productId}/variants/{variantId}', 'put'],
      ['/stores/sandbox/v3/catalog/variants', 'get'],
      ['/stores/sandbox/v3/catalog/variants', 'put'],
      ['/stores/sandbox/v3/inventory/items', 'get'],
      ['/stores/sandbox/v3/inventory/adjustments/absolute', 'put'],
      ['/stores/sandbox/v3/inventory/adjustments/relative', 'post'],
      ['/stores/sandbox/v2/orders', 'get'],
      ['/stores/sandbox/v2/orders/count', 'get'],
      ['/stores/sandbox/v2/orders/{id}', 'get'],
      ['/stores/sandbox/v2/orders/{id}', 'put'],
      ['/stores/sandbox/v2/orders/{id}/products', 'get'],
      ['/stores/sandbox/v2/orders/{id}/shipping_addresses', 'get'],
      ['/oauth2/token', 'post'],
      ['/__sandbox/limits', 'get'],
      ['/__sandbox/limits', 'post'],
      ['/__sandbox/signed-payload', 'post'],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    // And nothing is documented that the origin does not serve.
    expect(s.origin.app.hasRoute({ method: 'DELETE', url: '/stores/sandbox/v3/catalog/products' })).toBe(false);
    for (const [path, methods] of Object.entries(paths)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      for (const method of Object.keys(methods)) {
        expect(s.origin.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path}`).toBe(true);
      }
    }
  });
});
