/**
 * The store's API quota (upstreams.md, "Rate limits"): a fixed window of
 * `windowMs` with `quota` requests shared by every client of the store. Every
 * API answer carries the four `X-Rate-Limit-*` headers; over quota the answer
 * is 429 with the same headers (Requests-Left 0). A 429 without them is
 * platform load, which the fault layer injects (see app.ts).
 *
 * `GET /__sandbox/limits` shows the window, `POST /__sandbox/limits
 * {quota?, windowMs?}` changes it and starts a fresh window.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

export interface WindowState {
  quota: number;
  windowMs: number;
  used: number;
  left: number;
  /** Milliseconds until the current window ends (the full window when none is running). */
  resetMs: number;
}

export interface TakeResult extends WindowState {
  allowed: boolean;
}

export class FixedWindowLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    public quota: number,
    public windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private roll(now: number): void {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
  }

  private state(now: number): WindowState {
    const running = now - this.windowStart < this.windowMs;
    return {
      quota: this.quota,
      windowMs: this.windowMs,
      used: running ? this.used : 0,
      left: running ? Math.max(0, this.quota - this.used) : this.quota,
      resetMs: running ? Math.max(1, Math.ceil(this.windowStart + this.windowMs - now)) : this.windowMs,
    };
  }

  /** Counts one request against the window (the window starts with the first request after the last one ended). */
  take(): TakeResult {
    const now = this.now();
    this.roll(now);
    if (this.used >= this.quota) return { ...this.state(now), allowed: false };
    this.used++;
    return { ...this.state(now), allowed: true };
  }

  /** The window as it stands, without counting a request. */
  peek(): WindowState {
    return this.state(this.now());
  }

  configure(next: { quota?: number; windowMs?: number }): void {
    if (next.quota !== undefined) this.quota = next.quota;
    if (next.windowMs !== undefined) this.windowMs = next.windowMs;
    this.restart();
  }

  /** Forgets the running window: the next request starts a fresh one. */
  restart(): void {
    this.windowStart = Number.NEGATIVE_INFINITY;
    this.used = 0;
  }
}

/** upstreams.md: every response carries these four headers. */
export function setRateLimitHeaders(reply: FastifyReply, s: WindowState): void {
  reply.header('X-Rate-Limit-Time-Window-Ms', String(s.windowMs));
  reply.header('X-Rate-Limit-Time-Reset-Ms', String(s.resetMs));
  reply.header('X-Rate-Limit-Requests-Quota', String(s.quota));
  reply.header('X-Rate-Limit-Requests-Left', String(s.left));
}

const limitsSchema = z
  .object({
    quota: z.number().int().min(1).max(1_000_000).optional(),
    windowMs: z.number().int().min(10).max(3_600_000).optional(),
  })
  .strict();

export function registerLimitRoutes(app: FastifyInstance, limiter: FixedWindowLimiter): void {
  app.get('/__sandbox/limits', async () => limiter.peek());
  app.post('/__sandbox/limits', async (request, reply) => {
    const parsed = limitsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid limits', detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    }
    limiter.configure(parsed.data);
    return limiter.peek();
  });
}
