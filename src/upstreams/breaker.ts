/**
 * A circuit breaker per upstream. After `failureThreshold` consecutive
 * failures (5xx, timeouts, connection errors: the vendor is down, not the
 * request wrong) it opens and calls fail fast; after `cooldownMs` one probe
 * is let through (half-open); its success closes the breaker, its failure
 * opens it again.
 */
export type BreakerState =
  | { kind: 'closed'; failures: number }
  | { kind: 'open'; openedAt: number; lastError: string }
  | { kind: 'halfOpen'; probeInFlight: boolean };

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. @default 5 */
  failureThreshold: number;
  /** How long it stays open before a probe. @default 15000 */
  cooldownMs: number;
  onChange?: (state: BreakerState) => void;
}

export interface Breaker {
  /** May a call go out now? Takes the half-open probe slot when it returns true. */
  allow(): boolean;
  success(): void;
  failure(reason: string): void;
  state(): BreakerState;
  /** ms until a probe is allowed (0 when closed or half-open). */
  retryInMs(): number;
}

export function createBreaker(options: BreakerOptions): Breaker {
  let state: BreakerState = { kind: 'closed', failures: 0 };
  const set = (next: BreakerState) => {
    const changed = next.kind !== state.kind;
    state = next;
    if (changed) options.onChange?.(state);
  };
  return {
    allow() {
      switch (state.kind) {
        case 'closed':
          return true;
        case 'open':
          if (Date.now() - state.openedAt < options.cooldownMs) return false;
          set({ kind: 'halfOpen', probeInFlight: true });
          return true;
        case 'halfOpen':
          if (state.probeInFlight) return false;
          state = { kind: 'halfOpen', probeInFlight: true };
          return true;
        default: {
          const never: never = state;
          throw new Error(`unknown breaker state ${JSON.stringify(never)}`);
        }
      }
    },
    success() {
      if (state.kind !== 'closed' || state.failures > 0) set({ kind: 'closed', failures: 0 });
    },
    failure(reason) {
      if (state.kind === 'halfOpen') return set({ kind: 'open', openedAt: Date.now(), lastError: reason });
      if (state.kind === 'open') return;
      const failures = state.failures + 1;
      if (failures >= options.failureThreshold) set({ kind: 'open', openedAt: Date.now(), lastError: reason });
      else state = { kind: 'closed', failures };
    },
    state: () => state,
    retryInMs() {
      return state.kind === 'open' ? Math.max(0, options.cooldownMs - (Date.now() - state.openedAt)) : 0;
    },
  };
}
