/**
 * A circuit breaker per upstream. After `failureThreshold` consecutive
 * failures (5xx, timeouts, connection errors: the vendor is down, not the
 * request wrong) it opens and calls fail fast; after `cooldownMs` one probe
 * is let through (half-open); its success closes the breaker, its failure
 * opens it again.
 *
 * Every call holds a permit, and every permit is settled exactly once:
 * `success`, `failure`, or `release` when the call proved nothing either way
 * (a 429, a 401, the caller giving up, no pacing slot, a token refresh that
 * threw). A released probe frees the half-open slot for the next call, so a
 * probe can never stay "in flight" after its call ended; the shared client
 * releases whatever it still holds in one `finally`.
 */
export type BreakerState =
  | { kind: 'closed'; failures: number }
  | { kind: 'open'; openedAt: number; lastError: string }
  | { kind: 'halfOpen'; probeInFlight: boolean };

export type BreakerKind = BreakerState['kind'];

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. @default 5 */
  failureThreshold: number;
  /** How long it stays open before a probe. @default 15000 */
  cooldownMs: number;
  onChange?: (state: BreakerState) => void;
  /** The clock the cooldown is measured on (tests step it so a slow machine cannot end a cooldown mid-call). @default Date.now */
  now?: () => number;
}

/** Leave to send one call. Settle it once; later calls to any of these do nothing. */
export interface BreakerPermit {
  /** This call is the half-open probe: its outcome decides whether the breaker closes. */
  readonly probe: boolean;
  /** The upstream behaved like a healthy one: a probe closes the breaker; otherwise the failure count restarts. */
  success(): void;
  /** The upstream failed (5xx, timeout, connection): counts toward opening; a probe reopens. */
  failure(reason: string): void;
  /** The call said nothing about the upstream's health; a probe gives its slot back. */
  release(): void;
}

export interface Breaker {
  /**
   * A permit for one call, or undefined when calls must fail fast (open, or
   * half-open with the probe already out). The half-open probe's permit is
   * the only one whose outcome moves the breaker out of half-open.
   */
  acquire(): BreakerPermit | undefined;
  state(): BreakerState;
  kind(): BreakerKind;
  /** ms until a probe is allowed (0 when closed or half-open). */
  retryInMs(): number;
}

export function createBreaker(options: BreakerOptions): Breaker {
  const now = options.now ?? Date.now;
  let state: BreakerState = { kind: 'closed', failures: 0 };
  /** Bumped on every change of kind: a permit speaks only for the state it was issued in. */
  let epoch = 0;
  const set = (next: BreakerState) => {
    const changed = next.kind !== state.kind;
    state = next;
    if (changed) {
      epoch++;
      options.onChange?.(state);
    }
  };
  const open = (reason: string) => set({ kind: 'open', openedAt: now(), lastError: reason });

  function permit(probe: boolean): BreakerPermit {
    const issuedIn = epoch;
    let settled = false;
    const settle = (apply: () => void) => {
      if (settled) return;
      settled = true;
      // A call that began before the breaker changed state (say, a slow read issued while
      // closed that ends after it opened) no longer speaks for the upstream's current state.
      if (epoch === issuedIn) apply();
    };
    return {
      probe,
      success: () =>
        settle(() => {
          if (probe) set({ kind: 'closed', failures: 0 });
          else if (state.kind === 'closed' && state.failures > 0) state = { kind: 'closed', failures: 0 };
        }),
      failure: (reason) =>
        settle(() => {
          if (probe) return open(reason);
          if (state.kind !== 'closed') return;
          const failures = state.failures + 1;
          if (failures >= options.failureThreshold) open(reason);
          else state = { kind: 'closed', failures };
        }),
      release: () =>
        settle(() => {
          if (probe && state.kind === 'halfOpen') state = { kind: 'halfOpen', probeInFlight: false };
        }),
    };
  }

  return {
    acquire() {
      switch (state.kind) {
        case 'closed':
          return permit(false);
        case 'open':
          if (now() - state.openedAt < options.cooldownMs) return undefined;
          set({ kind: 'halfOpen', probeInFlight: true });
          return permit(true);
        case 'halfOpen':
          if (state.probeInFlight) return undefined;
          state = { kind: 'halfOpen', probeInFlight: true };
          return permit(true);
        default: {
          const never: never = state;
          throw new Error(`unknown breaker state ${JSON.stringify(never)}`);
        }
      }
    },
    state: () => state,
    kind: () => state.kind,
    retryInMs() {
      return state.kind === 'open' ? Math.max(0, options.cooldownMs - (now() - state.openedAt)) : 0;
    },
  };
}
