/**
 * The sandbox's webhook sender (upstreams.md): events POSTed to the
 * registered URL as `{object:"whatsapp_business_account", entry:[…]}`,
 * signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body, app secret)>`.
 * A URL is used only once it passed the verification handshake (`GET
 * ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` answered 200 with
 * the challenge). A delivery that is not answered 2xx is retried (200 ms
 * doubling, 6 tries), as the vendor retries its webhooks. Events sent with
 * the same order key (a message's statuses) go one after another: the next
 * waits until the one before was taken or given up, so a busy host's
 * concurrent POSTs cannot overtake each other. Options make the deliveries
 * misbehave as the vendor may (upstreams.md: statuses "may skip `delivered`
 * and arrive out of order"): each status twice, or a message's statuses in
 * shuffled order.
 */
import { createHmac, randomInt } from 'node:crypto';

export interface WebhookTarget {
  url: string;
  verified: boolean;
  /** Send every event twice. */
  duplicate: boolean;
  /** Deliver a message's statuses in random order. */
  shuffle: boolean;
}

export interface WebhookCounters {
  delivered: number;
  failed: number;
  retried: number;
  pending: number;
  verifications: number;
}

export interface WebhookSender {
  target(): WebhookTarget | null;
  /** Registers `url` after the handshake; resolves with whether it verified. */
  register(url: string, flags?: { duplicate?: boolean; shuffle?: boolean }): Promise<{ verified: boolean; status: number | null }>;
  /**
   * Queues one envelope for delivery (dropped when no URL is registered).
   * Envelopes with the same `orderKey` are delivered in the order sent.
   */
  send(envelope: unknown, orderKey?: string): void;
  counters(): WebhookCounters;
  /** Resolves once nothing is pending (bounded by `timeoutMs`). */
  idle(timeoutMs: number): Promise<boolean>;
  resetCounters(): void;
  close(): void;
}

export function createWebhookSender(options: { appSecret: string; verifyToken: string; initialUrl?: string }): WebhookSender {
  let target: WebhookTarget | null = options.initialUrl ? { url: options.initialUrl, verified: false, duplicate: false, shuffle: false } : null;
  const counters: WebhookCounters = { delivered: 0, failed: 0, retried: 0, pending: 0, verifications: 0 };
  const timers = new Set<NodeJS.Timeout>();
  /** The last delivery queued for each order key; removed once it settles, so the map is bounded by what is pending. */
  const chains = new Map<string, Promise<void>>();
  let closed = false;

  async function verify(url: string): Promise<{ verified: boolean; status: number | null }> {
    counters.verifications++;
    const challenge = String(randomInt(1, 2 ** 31));
    const u = new URL(url);
    u.searchParams.set('hub.mode', 'subscribe');
    u.searchParams.set('hub.verify_token', options.verifyToken);
    u.searchParams.set('hub.challenge', challenge);
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(5_000) });
      const body = await res.text();
      return { verified: res.status === 200 && body === challenge, status: res.status };
    } catch {
      return { verified: false, status: null };
    }
  }

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  /** Settles once the body was taken or given up (after its retries). */
  function deliver(body: string, attempt: number, done: () => void): void {
    const t = target;
    if (!t || closed) {
      counters.pending--;
      counters.failed++;
      done();
      return;
    }
    void (async () => {
      let ok = false;
      try {
        if (!t.verified) t.verified = (await verify(t.url)).verified;
        if (t.verified) {
          const signature = createHmac('sha256', options.appSecret).update(body).digest('hex');
          const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` }, body, signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer().catch(() => undefined);
          ok = res.status >= 200 && res.status < 300;
        }
      } catch {
        ok = false;
      }
      if (ok) {
        counters.pending--;
        counters.delivered++;
        done();
      } else if (attempt < 6 && !closed) {
        counters.retried++;
        later(200 * 2 ** (attempt - 1), () => deliver(body, attempt + 1, done));
      } else {
        counters.pending--;
        counters.failed++;
        done();
      }
    })();
  }

  /** Delivers now, or after the last delivery queued under `orderKey` settles. */
  function enqueue(body: string, orderKey: string | undefined): void {
    counters.pending++;
    if (orderKey === undefined) {
      deliver(body, 1, () => undefined);
      return;
    }
    const before = chains.get(orderKey) ?? Promise.resolve();
    const settled = before.then(() => new Promise<void>((resolve) => deliver(body, 1, resolve)));
    chains.set(orderKey, settled);
    void settled.then(() => {
      if (chains.get(orderKey) === settled) chains.delete(orderKey);
    });
  }

  return {
    target: () => (target ? { ...target } : null),
    async register(url, flags = {}) {
      const outcome = await verify(url);
      if (outcome.verified) target = { url, verified: true, duplicate: flags.duplicate ?? false, shuffle: flags.shuffle ?? false };
      return outcome;
    },
    send(envelope, orderKey) {
      if (!target || closed) return;
      const body = JSON.stringify(envelope);
      for (let i = 0; i < (target.duplicate ? 2 : 1); i++) enqueue(body, orderKey);
    },
    counters: () => ({ ...counters }),
    async idle(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (counters.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return counters.pending === 0;
    },
    resetCounters() {
      counters.delivered = 0;
      counters.failed = 0;
      counters.retried = 0;
      counters.verifications = 0;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // A chain waiting on a cleared retry never settles; nothing is delivered after close anyway.
      chains.clear();
    },
  };
}
