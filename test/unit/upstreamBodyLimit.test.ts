/**
 * Upstream answers are read up to a size limit (UPSTREAM_MAX_BODY_BYTES):
 * a vendor that declares, or streams, more than that fails the call with a
 * typed upstream error at once — not a process holding an unbounded buffer,
 * nor a call that hangs until its deadline. Such an answer is not retried
 * (the same request would get the same answer) and says nothing about the
 * vendor's health, so the breaker does not count it.
 *
 * The shared client (src/upstreams/http.ts) against a scripted loopback origin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPacer } from '../../src/limits/pacer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createBreaker, type Breaker } from '../../src/upstreams/breaker.js';
import { finditPartsVendor } from '../../src/connectors/finditparts/client.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/upstreams/http.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { startScriptedOrigin, type ScriptedOrigin } from '../support/scriptedOrigin.js';

const LIMIT = 16 * 1024;
let origin: ScriptedOrigin;
let breaker: Breaker;
let c: UpstreamClient;
beforeEach(async () => {
  origin = await startScriptedOrigin();
  breaker = createBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
  c = createUpstreamClient({
    name: 'finditparts',
    baseUrl: origin.url,
    vendor: finditPartsVendor({ apiKey: 'api-test' }),
    pacer: createPacer({ name: 'finditparts', budgets: [{ points: 1000, durationMs: 1000 }] }),
    breaker,
    metrics: createMetrics(),
    timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
    deadlines: { interactive: 3_000, bulk: 3_000 },
    retryDelayScale: 0.001,
    maxBodyBytes: LIMIT,
  });
});
afterEach(async () => {
  await c?.close();
  await origin?.close();
});

const get = () => c.request({ method: 'GET', path: ['products', '1'], endpoint: 'test', lane: 'interactive' });
/** A JSON body of exactly `bytes` bytes. */
const jsonOf = (bytes: number) => `{"errno":0,"pad":"${'x'.repeat(bytes - 20)}"}`;

describe('upstream body limit', () => {
  it('reads an answer up to the limit', async () => {
    expect(jsonOf(LIMIT)).toHaveLength(LIMIT);
    origin.script({ status: 200, body: jsonOf(LIMIT) });
    const res = await get();
    expect(res.status).toBe(200);
    expect((res.body as { errno: number }).errno).toBe(0);
  });

  it('fails an answer whose body is over the limit with a typed error, once, without counting it against the breaker', async () => {
    origin.script({ status: 200, body: jsonOf(LIMIT + 1) });
    const err = await get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('tooLarge');
    expect((err as UpstreamError).message).toContain(String(LIMIT));
    expect(origin.requests()).toBe(1);
    expect(breaker.state()).toEqual({ kind: 'closed', failures: 0 });
    // The connection it poisoned is gone; the next call works.
    expect((await get()).status).toBe(200);
  });

  it('fails an endless chunked body as soon as it passes the limit, not at the deadline', async () => {
    origin.script({ endless: { chunkBytes: 1024 } });
    const err = await get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('tooLarge');
    expect(origin.requests()).toBe(1);
    expect(breaker.kind()).toBe('closed');
  });
});
