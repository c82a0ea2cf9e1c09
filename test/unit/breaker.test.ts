/**
 * The circuit breaker's states and permits, pure (the clock faked): open
 * after consecutive failures, one probe after the cooldown, and every permit
 * settled once — a released probe frees the half-open slot.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreaker, type BreakerState } from '../../src/upstreams/breaker.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

function breaker(threshold = 3, cooldownMs = 1_000) {
  const changes: BreakerState['kind'][] = [];
  const b = createBreaker({ failureThreshold: threshold, cooldownMs, onChange: (s) => changes.push(s.kind) });
  return { b, changes };
}

/** Opens it with `threshold` failures. */
function trip(b: ReturnType<typeof breaker>['b'], threshold = 3): void {
  for (let i = 0; i < threshold; i++) b.acquire()!.failure('503');
}

describe('breaker', () => {
  it('opens after consecutive failures only; a success restarts the count', () => {
    const { b, changes } = breaker();
    b.acquire()!.failure('503');
    b.acquire()!.failure('503');
    b.acquire()!.success();
    expect(b.state()).toEqual({ kind: 'closed', failures: 0 });
    trip(b);
    expect(b.kind()).toBe('open');
    expect(changes).toEqual(['open']);
    expect(b.acquire()).toBeUndefined();
    expect(b.retryInMs()).toBe(1_000);
  });

  it('lets exactly one probe through after the cooldown; its success closes the breaker', () => {
    const { b, changes } = breaker();
    trip(b);
    vi.advanceTimersByTime(999);
    expect(b.acquire()).toBeUndefined();
    vi.advanceTimersByTime(1);
    const probe = b.acquire()!;
    expect(probe.probe).toBe(true);
    expect(b.state()).toEqual({ kind: 'halfOpen', probeInFlight: true });
    expect(b.acquire()).toBeUndefined();
    probe.success();
    expect(b.state()).toEqual({ kind: 'closed', failures: 0 });
    expect(changes).toEqual(['open', 'halfOpen', 'closed']);
  });

  it("reopens on the probe's failure, with a fresh cooldown", () => {
    const { b } = breaker();
    trip(b);
    vi.advanceTimersByTime(1_000);
    b.acquire()!.failure('timeout');
    expect(b.state()).toMatchObject({ kind: 'open', lastError: 'timeout', openedAt: 1_001_000 });
    expect(b.retryInMs()).toBe(1_000);
  });

  it('a released probe frees the slot: still half-open, and the next call probes', () => {
    const { b } = breaker();
    trip(b);
    vi.advanceTimersByTime(1_000);
    const first = b.acquire()!;
    first.release();
    expect(b.state()).toEqual({ kind: 'halfOpen', probeInFlight: false });
    const second = b.acquire()!;
    expect(second.probe).toBe(true);
    // The first permit is settled: settling it again changes nothing.
    first.failure('late');
    first.success();
    expect(b.state()).toEqual({ kind: 'halfOpen', probeInFlight: true });
    second.success();
    expect(b.kind()).toBe('closed');
  });

  it('settles each permit once', () => {
    const { b } = breaker(2);
    const p = b.acquire()!;
    p.failure('503');
    p.failure('503');
    expect(b.state()).toEqual({ kind: 'closed', failures: 1 });
  });

  it('ignores a permit issued before the breaker changed state', () => {
    const { b } = breaker();
    const slow = b.acquire()!;
    const slower = b.acquire()!;
    trip(b);
    // A read issued while closed succeeds after the breaker opened: only a probe closes it.
    slow.success();
    expect(b.kind()).toBe('open');
    vi.advanceTimersByTime(1_000);
    const probe = b.acquire()!;
    // A failure issued while closed, landing while half-open, does not reopen it: the probe decides.
    slower.failure('503');
    expect(b.state()).toEqual({ kind: 'halfOpen', probeInFlight: true });
    probe.success();
    expect(b.state()).toEqual({ kind: 'closed', failures: 0 });
  });

  it('a released permit while closed changes nothing', () => {
    const { b } = breaker();
    b.acquire()!.failure('503');
    b.acquire()!.release();
    expect(b.state()).toEqual({ kind: 'closed', failures: 1 });
  });
});
