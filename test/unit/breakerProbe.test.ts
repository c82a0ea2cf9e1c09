/**
 * The half-open probe always settles. Once the breaker's cooldown has passed,
 * one call is let through as the probe; whatever happens to that call — an
 * answer that says nothing about the vendor's health (429, 401, a first
 * timeout or 504 that the retry table retries), a token refresh that throws,
 * the caller giving up, no pacing slot in time — the breaker must come out of
 * it closed, open, or half-open with the probe slot free. A probe left "in
 * flight" makes every later call fail fast until a restart.
 *
 * The unit is the shared client's request loop (src/upstreams/http.ts) with
 * a real breaker and pacer, against a scripted loopback origin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPacer, type Budget } from '../../src/limits/pacer.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createBreaker, type Breaker } from '../../src/upstreams/breaker.js';
import { finditPartsVendor } from '../../src/connectors/finditparts/client.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamVendor } from '../../src/upstreams/http.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import { startScriptedOrigin, type ScriptedOrigin } from '../support/scriptedOrigin.js';

const COOLDOWN_MS = 50;
let origin: ScriptedOrigin;
let breaker: Breaker;
/** The breaker's clock: stepped past the cooldown by hand, so a retry of the call that opened it can never land after the cooldown on a slow machine and become the probe. */
let clock = 0;
beforeEach(async () => {
  origin = await startScriptedOrigin();
  clock = 1_000_000;
  breaker = createBreaker({ failureThreshold: 1, cooldownMs: COOLDOWN_MS, now: () => clock });
});
afterEach(async () => origin?.close());

function client(opts: { vendor?: UpstreamVendor; budgets?: Budget[]; headersMs?: number } = {}): UpstreamClient {
  return createUpstreamClient({
    name: 'finditparts',
    baseUrl: origin.url,
    vendor: opts.vendor ?? finditPartsVendor({ apiKey: 'api-test' }),
    pacer: createPacer({ name: 'finditparts', budgets: opts.budgets ?? [{ points: 1000, durationMs: 1000 }] }),
    breaker,
    metrics: createMetrics(),
    timeouts: { connectMs: 1000, headersMs: opts.headersMs ?? 2000, bodyMs: 2000 },
    deadlines: { interactive: 3_000, bulk: 3_000 },
    retryDelayScale: 0.001,
  });
}
const get = (c: UpstreamClient, signal?: AbortSignal) => c.request({ method: 'GET', path: ['products', '1'], endpoint: 'test', lane: 'interactive', signal });

/** Opens the breaker with one 5xx (threshold 1), then waits out the cooldown: the next call is the probe. */
async function openAndCoolDown(c: UpstreamClient): Promise<void> {
  origin.script({ status: 500 });
  await expect(get(c)).rejects.toMatchObject({ kind: 'unavailable' });
  expect(breaker.state().kind).toBe('open');
  clock += COOLDOWN_MS + 1;
}

/** After a probe that proved nothing: half-open with the slot free, and the next call probes and closes it. */
async function expectProbeSlotFreeThenRecovers(c: UpstreamClient): Promise<void> {
  expect(breaker.state()).toEqual({ kind: 'halfOpen', probeInFlight: false });
  const before = origin.requests();
  const res = await get(c);
  expect(res.status).toBe(200);
  expect(origin.requests()).toBe(before + 1);
  expect(breaker.state().kind).toBe('closed');
}

describe('the half-open probe settles', () => {
  it('429 to every attempt of the probe: rate limited, slot given back, the next call closes the breaker', async () => {
    const c = client();
    await openAndCoolDown(c);
    // upstreams.md: a 429 is the vendor refusing for quota, not failing; the retry table retries it 3 times.
    origin.script({ status: 429 }, { status: 429 }, { status: 429 }, { status: 429 });
    const err = await get(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('rateLimited');
    // The probe's retries went to the vendor (they are the probe), not failed fast on its own breaker.
    expect(origin.requests()).toBe(1 + 4);
    await expectProbeSlotFreeThenRecovers(c);
  });

  it('401 and the token refresh throws: the probe is given back, the next call closes the breaker', async () => {
    const vendor: UpstreamVendor = {
      ...finditPartsVendor({ apiKey: 'api-test' }),
      refreshAuth: async () => {
        throw new Error('token store unreachable');
      },
    };
    const c = client({ vendor });
    await openAndCoolDown(c);
    origin.script({ status: 401, body: '{"errno":401,"message":"invalid token"}' });
    const err = await get(c).catch((e: unknown) => e);
    await expectProbeSlotFreeThenRecovers(c);
    // A typed upstream error (UPSTREAM_UNAVAILABLE in the graph), not the refresher's own exception.
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('unauthorized');
  });

  it('a first timeout: the retry is still the probe, and its success closes the breaker', async () => {
    const c = client({ headersMs: 150 });
    await openAndCoolDown(c);
    origin.script({ hang: true }, { status: 200 });
    const res = await get(c);
    expect(res.status).toBe(200);
    expect(breaker.state().kind).toBe('closed');
  });

  it('a timeout, then a timeout again: the probe failed, the breaker opens again', async () => {
    const c = client({ headersMs: 150 });
    await openAndCoolDown(c);
    origin.script({ hang: true }, { hang: true });
    const err = await get(c).catch((e: unknown) => e);
    expect((err as UpstreamError).kind).toBe('timeout');
    expect(origin.requests()).toBe(1 + 2);
    expect(breaker.state().kind).toBe('open');
  });

  it('a first 504: the retry is still the probe, and its success closes the breaker', async () => {
    const c = client();
    await openAndCoolDown(c);
    origin.script({ status: 504 }, { status: 200 });
    const res = await get(c);
    expect(res.status).toBe(200);
    expect(breaker.state().kind).toBe('closed');
  });

  it('the caller aborts mid-attempt: the probe is given back, the next call closes the breaker', async () => {
    const c = client();
    await openAndCoolDown(c);
    origin.script({ hang: true });
    const caller = new AbortController();
    const probe = get(c, caller.signal);
    await origin.received(2);
    caller.abort(new Error('client went away'));
    await expect(probe).rejects.toThrow('client went away');
    await expectProbeSlotFreeThenRecovers(c);
  });

  it('no pacing slot before the deadline: nothing was sent, so nothing was learned — still half-open, not closed', async () => {
    // One request per minute: the call that opens the breaker spends it.
    const c = client({ budgets: [{ points: 1, durationMs: 60_000 }] });
    await openAndCoolDown(c);
    const err = await get(c).catch((e: unknown) => e);
    expect((err as UpstreamError).kind).toBe('rateLimited');
    expect(origin.requests()).toBe(1);
    expect(breaker.state()).toEqual({ kind: 'halfOpen', probeInFlight: false });
  });
});
