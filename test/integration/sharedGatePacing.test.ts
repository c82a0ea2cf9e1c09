/**
 * The pacer on the scale-out path (REDIS_URL): budgets in RateLimiterRedis,
 * the vendor-header gate in a shared Redis hash, against a real redis-server
 * on an ephemeral port. What one instance learned from the vendor gates the
 * others; a request that took a shared budget slot and then finds that gate
 * closed gives the slot back, so no instance spends the shared quota on a
 * request it never sent.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PacingDeadlineError, createPacer, type Pacer } from '../../src/limits/pacer.js';
import { createRedisLimiterFactory } from '../../src/limits/redisLimiter.js';
import { createSharedGate } from '../../src/limits/sharedGate.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { startRedisServer, type RedisServer } from '../support/redisServer.js';

let server: RedisServer;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedisServer();
  redis = await createRedisConnection({ url: server.url, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await redis?.close();
  await server?.destroy();
});

/** One gateway instance's pacer for the supplier, on the shared Redis budget and gate. */
function instance(prefix: string, instanceId: string, limiters: Map<string, RateLimiterAbstract>): Pacer {
  const factory = createRedisLimiterFactory({ redis, prefix, fallbackShare: 0.5, timeoutMs: 2_000 });
  return createPacer({
    name: 'finditparts',
    // 60 s: the window cannot roll over while the test runs.
    budgets: [{ points: 1000, durationMs: 60_000 }],
    createLimiter: (o) => {
      const limiter = factory(o);
      limiters.set(o.keyPrefix, limiter);
      return limiter;
    },
    sharedGate: createSharedGate({ redis, prefix, upstream: 'finditparts', instanceId, cacheMs: 0 }),
  });
}

it('gives a shared budget slot back when the shared vendor gate closes while it was taken', async () => {
  const prefix = `gate-${Date.now()}:`;
  const limiters = new Map<string, RateLimiterAbstract>();
  const a = instance(prefix, 'a', limiters);
  const b = instance(prefix, 'b', new Map());
  const consumed = async () => (await limiters.get('pace:finditparts:all:0')!.get('q'))?.consumedPoints ?? 0;

  // Instance b's answer says 2 requests are left in the vendor's window for the next minute.
  const seen = await b.acquire('interactive', Date.now() + 2_000);
  seen.done({ left: 2, resetMs: 60_000 });
  // The write is fire-and-forget: wait (bounded) until the shared hash has it.
  const reader = createSharedGate({ redis, prefix, upstream: 'finditparts', instanceId: 'reader', cacheMs: 0 });
  const until = Date.now() + 5_000;
  while ((await reader.read())?.left !== 2) {
    if (Date.now() > until) throw new Error('the shared gate never recorded left=2');
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await consumed()).toBe(1);

  // Three reads on instance a at once: all see 2 left and take a shared slot; two are
  // admitted, the third finds the gate closed and gives its slot back.
  const results = await Promise.allSettled([0, 1, 2].map(() => a.acquire('interactive', Date.now() + 500)));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
  const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(refused?.reason).toBeInstanceOf(PacingDeadlineError);

  // The shared budget holds b's request and a's two, not a fourth for a request never sent.
  expect(await consumed()).toBe(3);
  expect(a.snapshot().inFlight).toBe(2);
});

/** Waits (bounded) until `check` holds for the gate's hash; writes are fire-and-forget. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it("keeps one instance's long Retry-After when another instance writes a shorter window or its in-flight count", async () => {
  const prefix = `gate-ttl-${Date.now()}:`;
  const key = `${prefix}gate:finditparts`;
  const a = createSharedGate({ redis, prefix, upstream: 'finditparts', instanceId: 'a', cacheMs: 0 });
  const b = createSharedGate({ redis, prefix, upstream: 'finditparts', instanceId: 'b', cacheMs: 0 });
  const now = Date.now();
  // Instance a was told to stop for two minutes (a 429 with Retry-After: 120).
  a.write({ blockedUntil: now + 120_000 });
  await eventually(async () => (await redis.client.pTTL(key)) > 100_000, "a's block to be stored");
  // Instance b then learns of a 30-s window and reports its requests in flight: neither may cut a's block short.
  b.write({ left: 10, resetAt: now + 30_000 });
  await eventually(async () => (await b.read())?.left === 10, "b's window to be stored");
  b.inFlight(3);
  await eventually(async () => (await b.read()) !== null && (await redis.client.hGet(key, 'if:b')) !== null, "b's in-flight count to be stored");
  expect(await redis.client.pTTL(key)).toBeGreaterThan(100_000);
  expect((await a.read())?.blockedUntil).toBe(Math.round(now + 120_000));
});
