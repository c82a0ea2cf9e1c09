/**
 * The shared client's two additions for vendors like WhatsApp
 * (src/upstreams/http.ts): a request may name a pacing key, paced by the
 * client's keyed pacer beside the upstream's budget — a key that is not free
 * in time fails the call unsent (`rateLimited`, `retryInMs`), and a refused
 * connection (nothing sent) does not start the key's interval; and an error
 * answer's vendor code (UpstreamVendor.errorCode) reaches the UpstreamError.
 * Against a scripted loopback origin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyedPacer, type KeyedPacer } from '../../src/limits/keyedPacer.js';
import { createPacer } from '../../src/limits/pacer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createBreaker } from '../../src/upstreams/breaker.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamVendor } from '../../src/upstreams/http.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { startScriptedOrigin, type ScriptedOrigin } from '../support/scriptedOrigin.js';

const vendor: UpstreamVendor = {
  authHeaders: () => ({}),
  quotaReport: () => ({}),
  errorMessage: (body) => (body as { error?: { message?: string } } | undefined)?.error?.message,
  errorCode: (body) => {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    return typeof code === 'number' ? String(code) : undefined;
  },
};

let origin: ScriptedOrigin;
let keyed: KeyedPacer;
let c: UpstreamClient;
const make = (baseUrl: string) =>
  createUpstreamClient({
    name: 'wa',
    baseUrl,
    vendor,
    pacer: createPacer({ name: 'wa', budgets: [{ points: 1000, durationMs: 1000 }] }),
    keyedPacer: keyed,
    breaker: createBreaker({ failureThreshold: 100, cooldownMs: 60_000 }),
    metrics: createMetrics(),
    timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
    deadlines: { interactive: 3_000, bulk: 3_000 },
    retryDelayScale: 0.001,
  });
beforeEach(async () => {
  origin = await startScriptedOrigin();
  keyed = createKeyedPacer({ name: 'wa', intervalMs: 10_000 });
  c = make(origin.url);
});
afterEach(async () => {
  await c?.close();
  await origin?.close();
});

const post = (client: UpstreamClient, to: string) =>
  client.request({ method: 'POST', path: ['messages'], body: { to }, endpoint: 'messages', lane: 'bulk', idempotent: false, pacingKey: { key: to, maxWaitMs: 200 } });

describe('pacing keys on the shared client', () => {
  it('sends a second call for the same key only after its interval: refused unsent, with when it is free', async () => {
    expect((await post(c, '+1555')).status).toBe(200);
    const err = await post(c, '+1555').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('rateLimited');
    expect((err as UpstreamError).outcomeUnknown).toBe(false);
    expect((err as UpstreamError).retryInMs).toBeGreaterThan(9_000);
    // Another key goes; the origin saw two calls, not three.
    expect((await post(c, '+1666')).status).toBe(200);
    expect(origin.requests()).toBe(2);
  });

  it('a refused connection sends nothing, so the key stays free', async () => {
    const dead = make('http://127.0.0.1:9/none');
    try {
      const err = await post(dead, '+1777').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(keyed.waitMs('+1777')).toBe(0);
    } finally {
      await dead.close();
    }
  });

  it('retries of one call (a 401, a 429 answered) go at once: the key is held for the whole call, not per attempt', async () => {
    origin.script(
      { status: 401, body: JSON.stringify({ error: { message: 'expired', code: 190 } }) },
      { status: 429, body: JSON.stringify({ error: { message: 'slow down', code: 4 } }) },
      { status: 200, body: JSON.stringify({ messages: [{ id: 'wamid.1' }] }) },
    );
    const res = await post(c, '+1999');
    expect(res.status).toBe(200);
    expect(origin.requests()).toBe(3);
    // The interval starts from the call's answer.
    expect(keyed.waitMs('+1999')).toBeGreaterThan(9_000);
  });

  it('an error answer carries the vendor code the vendor reads from its body', async () => {
    origin.script({ status: 400, body: JSON.stringify({ error: { message: '(#131047) Re-engagement message', code: 131047 } }) });
    const err = await post(c, '+1888').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', status: 400, vendorCode: '131047' });
    expect((err as Error).message).toContain('Re-engagement');
  });
});
