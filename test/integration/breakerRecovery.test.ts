/**
 * Fault test: the supplier fails until the breaker opens, then answers 429 to
 * the half-open probe (every attempt the retry table makes), then recovers.
 * Reads work again without a restart, and `/ready` says `degraded`, naming
 * the breaker's state, for as long as the breaker is not closed — open, and
 * half-open after the rate-limited probe. The real gateway and its embedded
 * sandbox over HTTP; faults through the sandbox's `/__sandbox/faults`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sandboxStats, setFaults } from '../support/sandbox.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const COOLDOWN_MS = 500;
let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({ RETRY_DELAY_SCALE: '0.01', BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) }, { parts: 200 });
});
afterAll(async () => gw?.close());

interface Readiness {
  status: string;
  checks: { breakers: Record<string, string> };
}
const ready = async (): Promise<Readiness> => {
  const res = await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': gw.key } });
  expect(res.status).toBe(200);
  return (await res.json()) as Readiness;
};
const breakerOf = async (name: string) => {
  const res = await gw.gql(`{ upstreams { name breaker } }`);
  return (res.body.data?.upstreams as Array<{ name: string; breaker: string }>).find((u) => u.name === name)?.breaker;
};
/** An uncached part each time, so every read goes to the supplier. */
const part = (id: string) => gw.gql(`{ part(id: "${id}") { supplierId } }`);

it('a probe answered 429 leaves the breaker half-open and reported; the next read after recovery closes it', async () => {
  expect((await ready()).status).toBe('healthy');

  // The supplier fails: two failures (5xx retries count) open the breaker.
  await setFaults(gw.fipUrl, { errorRates: { '503': 1 } });
  const failed = await part('101');
  expect(failed.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  expect(await breakerOf('finditparts')).toBe('OPEN');
  expect(await ready()).toMatchObject({ status: 'degraded', checks: { breakers: { finditparts: 'open', bigcommerce: 'closed' } } });

  // Past the cooldown the next read is the probe; the supplier answers it 429, to each of
  // the 1 + 3 attempts DESIGN.md's retry table makes (Retry-After: 1 s each time).
  await setFaults(gw.fipUrl, { failNext: { status: 429, count: 4 } });
  await new Promise((r) => setTimeout(r, COOLDOWN_MS + 100));
  const limited = await part('102');
  expect(limited.body.data).toEqual({ part: null });
  expect(limited.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');

  // A 429 says nothing about the supplier's health: still half-open, and not reported as healthy.
  expect(await breakerOf('finditparts')).toBe('HALF_OPEN');
  expect(await ready()).toMatchObject({ status: 'degraded', checks: { breakers: { finditparts: 'halfOpen' } } });

  // The supplier recovers: the next read probes, succeeds and closes the breaker — no restart.
  await setFaults(gw.fipUrl, {});
  const before = await sandboxStats(gw.fipUrl);
  const recovered = await part('103');
  // This read once answered UPSTREAM_UNAVAILABLE in a clean-clone run beside the Chromium test and never again in
  // 40 runs: should it fail, the message says what the supplier answered for it and where the breaker stands.
  const after = await sandboxStats(gw.fipUrl);
  const seen = {
    errors: recovered.body.errors,
    breaker: await breakerOf('finditparts'),
    // This read's requests; the answers and faults are the test's totals so far (the sandbox counts no per-request log).
    supplierRequestsForThisRead: after.requests - before.requests,
    supplierStatusesSoFar: after.statuses,
    injectedFaultsSoFar: after.faults,
  };
  expect(recovered.body.errors, JSON.stringify(seen)).toBeUndefined();
  expect(recovered.body.data).toEqual({ part: { supplierId: '103' } });
  expect(await breakerOf('finditparts')).toBe('CLOSED');
  expect(await ready()).toMatchObject({ status: 'healthy', checks: { breakers: { finditparts: 'closed', bigcommerce: 'closed' } } });

  // And reads keep working.
  const again = await part('104');
  expect(again.body.data).toEqual({ part: { supplierId: '104' } });
});
