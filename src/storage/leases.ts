/**
 * Leases: "this instance works on X until <time>". A running sync job and an
 * order being sent each hold one, so exactly one instance works on them at a
 * time; the holder renews it while it works, and when the holder dies the
 * lease runs out and another instance takes the work over (from the job's
 * checkpoint; for an order, with the po_number lookup first). In-process
 * here; src/storage/redisLeases.ts holds them in Redis (SET NX PX).
 */
import { randomUUID } from 'node:crypto';

export interface Lease {
  readonly name: string;
  /** Extends the lease by its ttl; false when it was lost (expired and taken, or released). */
  renew(): Promise<boolean>;
  /** Gives the lease up (only if still ours). Never throws. */
  release(): Promise<void>;
}

export interface Leases {
  /** The lease, or null when another holder has it. May reject when the lease store is unreachable. */
  acquire(name: string, ttlMs: number): Promise<Lease | null>;
}

/** Leases held in this process: enough for one instance (the embedded default). */
export function createLocalLeases(now: () => number = Date.now): Leases {
  const held = new Map<string, { token: string; until: number }>();
  return {
    async acquire(name, ttlMs) {
      const current = held.get(name);
      if (current && current.until > now()) return null;
      const token = randomUUID();
      held.set(name, { token, until: now() + ttlMs });
      const mine = () => held.get(name)?.token === token;
      return {
        name,
        async renew() {
          if (!mine()) return false;
          held.set(name, { token, until: now() + ttlMs });
          return true;
        },
        async release() {
          if (mine()) held.delete(name);
        },
      };
    },
  };
}

export interface HeldLease {
  /** Aborted when the lease is lost (or cannot be renewed for longer than its ttl). */
  signal: AbortSignal;
  /** Stops renewing and releases the lease. */
  end(): Promise<void>;
}

/**
 * Keeps a lease renewed every third of its ttl until `end()`. When a renewal
 * says the lease was lost — or renewals fail (store unreachable) for most of
 * the ttl, so another instance may take it over soon — `signal` aborts: the
 * holder must stop before anyone else starts.
 */
export function holdLease(lease: Lease, ttlMs: number, onLost?: (why: string) => void): HeldLease {
  const controller = new AbortController();
  let lastRenewed = Date.now();
  let renewing = false;
  const lose = (why: string) => {
    if (controller.signal.aborted) return;
    onLost?.(why);
    controller.abort(new Error(`lease ${lease.name} lost: ${why}`));
  };
  const timer = setInterval(() => {
    if (renewing || controller.signal.aborted) return;
    renewing = true;
    lease
      .renew()
      .then(
        (ok) => {
          if (ok) lastRenewed = Date.now();
          else lose('taken over or expired');
        },
        () => {
          if (Date.now() - lastRenewed > ttlMs * 0.8) lose('could not be renewed');
        },
      )
      .finally(() => {
        renewing = false;
      });
  }, Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    signal: controller.signal,
    async end() {
      clearInterval(timer);
      await lease.release();
    },
  };
}
