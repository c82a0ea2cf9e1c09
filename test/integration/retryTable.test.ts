/**
 * DESIGN.md's retry table, row by row, through the real upstream client
 * against the sandbox over HTTP (faults set with failNext), with attempts
 * counted by the sandbox.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPacer } from '../../src/limits/pacer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { createBreaker, type Breaker } from '../../src/upstreams/breaker.js';
import { finditPartsVendor } from '../../src/connectors/finditparts/client.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamVendor } from '../../src/upstreams/http.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { resetSandbox, sandboxStats, setFaults, startSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ parts: 100, finditparts: { ratePerSecond: 1000, burst: 1000, perMinute: 100_000 } });
});
afterAll(async () => sandbox?.close());
afterEach(async () => resetSandbox(sandbox.finditparts.url));

function client(opts: { vendor?: UpstreamVendor; breaker?: Breaker; headersMs?: number } = {}): UpstreamClient {
  return createUpstreamClient({
    name: 'finditparts',
    baseUrl: sandbox.finditparts.apiBase,
    vendor: opts.vendor ?? finditPartsVendor({ apiKey: 'sandbox-api-key' }),
    pacer: createPacer({ name: 'fip', budgets: [{ points: 1000, durationMs: 1000 }] }),
    breaker: opts.breaker ?? createBreaker({ failureThreshold: 100, cooldownMs: 1000 }),
    metrics: createMetrics(),
    timeouts: { connectMs: 1000, headersMs: opts.headersMs ?? 2000, bodyMs: 2000 },
    deadlines: { interactive: 20_000, bulk: 20_000 },
    retryDelayScale: 0.01,
  });
}
const get = (c: UpstreamClient, path = ['products', '1']) => c.request({ method: 'GET', path, endpoint: 'test', lane: 'interactive' });
const attempts = async () => (await sandboxStats(sandbox.finditparts.url)).requests;
const failNext = (status: number, count: number) => setFaults(sandbox.finditparts.url, { failNext: { status, count } });

describe('retry table', () => {
  it('429: backs off (honouring Retry-After) and retries at most 3 times', async () => {
    await failNext(429, 2);
    const started = Date.now();
    const res = await get(client());
    expect(res.status).toBe(200);
    expect(await attempts()).toBe(3);
    // The fault answers Retry-After: 1; the client waited for it each time.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);

    await resetSandbox(sandbox.finditparts.url);
    await failNext(429, 10);
    const err = await get(client()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('rateLimited');
    expect(await attempts()).toBe(4);
  }, 20_000);

  it('503 / 5xx: linear backoff, at most 5 retries, each counted by the breaker', async () => {
    await failNext(503, 5);
    const breaker = createBreaker({ failureThreshold: 100, cooldownMs: 1000 });
    expect((await get(client({ breaker }))).status).toBe(200);
    expect(await attempts()).toBe(6);
    expect(breaker.state()).toEqual({ kind: 'closed', failures: 0 });

    await resetSandbox(sandbox.finditparts.url);
    await failNext(500, 6);
    const err = (await get(client()).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('unavailable');
    expect(err.status).toBe(500);
    expect(await attempts()).toBe(6);
  });

  it('504: retried once, then counted toward the breaker', async () => {
    await failNext(504, 1);
    expect((await get(client())).status).toBe(200);
    expect(await attempts()).toBe(2);

    await resetSandbox(sandbox.finditparts.url);
    await failNext(504, 2);
    const breaker = createBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    const err = (await get(client({ breaker })).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('unavailable');
    expect(await attempts()).toBe(2);
    expect(breaker.state().kind).toBe('open');
  });

  it('timeout: retried once, then counted toward the breaker', async () => {
    await setFaults(sandbox.finditparts.url, { hangRate: 1 });
    const breaker = createBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    const err = (await get(client({ breaker, headersMs: 200 })).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('timeout');
    expect(await attempts()).toBe(2);
    expect(breaker.state().kind).toBe('open');
  });

  it('401: refreshes the credentials and retries once; twice refused stops and alerts', async () => {
    let key = 'wrong-key';
    let refreshed = 0;
    const vendor: UpstreamVendor = {
      ...finditPartsVendor({}),
      authHeaders: () => ({ 'x-api-key': key }),
      refreshAuth: async () => {
        refreshed++;
        key = 'sandbox-api-key';
      },
    };
    expect((await get(client({ vendor }))).status).toBe(200);
    expect(refreshed).toBe(1);
    expect(await attempts()).toBe(2);

    await resetSandbox(sandbox.finditparts.url);
    const stuck: UpstreamVendor = { ...vendor, authHeaders: () => ({ 'x-api-key': 'still-wrong' }) };
    const err = (await get(client({ vendor: stuck })).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('unauthorized');
    expect(await attempts()).toBe(2);
  });

  it('404: not found is an answer, not an error, and is not retried', async () => {
    const res = await get(client(), ['products', '99999']);
    expect(res.status).toBe(404);
    expect(await attempts()).toBe(1);
  });

  it("other 4xx: fails with the upstream's message, no retry", async () => {
    const ids = Array.from({ length: 51 }, (_, i) => String(i + 1)).join(',');
    const err = (await get(client(), ['products', ids, 'multi']).catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('rejected');
    expect(err.status).toBe(400);
    expect(err.message).toContain('50');
    expect(await attempts()).toBe(1);
  });

  it('a non-idempotent write is never resent blind after a 5xx', async () => {
    await failNext(500, 1);
    const err = (await client()
      .request({ method: 'POST', path: ['partners', 'place_order'], body: { po_number: 'x' }, endpoint: 'order', lane: 'bulk' })
      .catch((e: unknown) => e)) as UpstreamError;
    expect(err.kind).toBe('unavailable');
    expect(await attempts()).toBe(1);
  });
});
