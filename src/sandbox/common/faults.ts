/**
 * Fault injection for a simulated origin. Faults are set at start and changed
 * at run time through `POST /__sandbox/faults`; they apply to API requests
 * only (never to `/__sandbox/*`), optionally narrowed by method and path.
 */
import { z } from 'zod';
import { mulberry32 } from './random.js';

const rate = z.number().min(0).max(1);

export const faultSpecSchema = z
  .object({
    /** Fixed delay added before every matching answer, in ms. */
    latencyMs: z.number().int().min(0).max(120_000).default(0),
    /** Extra random delay in [0, latencyJitterMs) ms. */
    latencyJitterMs: z.number().int().min(0).max(120_000).default(0),
    /** Probability of answering with each status instead of the real answer. */
    errorRates: z
      .object({ '429': rate.optional(), '500': rate.optional(), '503': rate.optional(), '504': rate.optional() })
      .strict()
      .default({}),
    /** Probability that the request never gets an answer (the socket stays open). */
    hangRate: rate.default(0),
    /** Probability that the connection is reset without an answer. */
    resetRate: rate.default(0),
    /** Order placement: record the order, then never answer. */
    acceptThenHang: z.boolean().default(false),
    /** Deterministic: the next `count` matching requests answer `status`. */
    failNext: z
      .object({ status: z.number().int().min(400).max(599), count: z.number().int().min(1).max(100_000) })
      .strict()
      .optional(),
    /** Which requests the faults apply to (all API requests when absent). */
    match: z
      .object({
        methods: z.array(z.string().toUpperCase()).optional(),
        /** A regular expression tested against the request path. */
        path: z.string().max(500).optional(),
      })
      .strict()
      .optional(),
    /** Seed for the fault dice, so a run is reproducible. */
    seed: z.number().int().default(1),
  })
  .strict();

export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultSpec = z.output<typeof faultSpecSchema>;

/** What the fault layer decided for one request. */
export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'status'; status: number; delayMs: number }
  | { kind: 'hang'; delayMs: number }
  | { kind: 'reset'; delayMs: number }
  | { kind: 'acceptThenHang'; delayMs: number };

export interface FaultController {
  readonly spec: FaultSpec;
  set(input: FaultSpecInput): FaultSpec;
  clear(): void;
  decide(method: string, path: string, opts?: { isOrderPlacement?: boolean }): FaultDecision;
}

export function createFaultController(initial: FaultSpecInput = {}): FaultController {
  let spec = faultSpecSchema.parse(initial);
  let pathRe = compile(spec);
  let dice = mulberry32(spec.seed);
  let failNextLeft = spec.failNext?.count ?? 0;

  function compile(s: FaultSpec): RegExp | undefined {
    return s.match?.path ? new RegExp(s.match.path) : undefined;
  }

  function matches(method: string, path: string): boolean {
    if (spec.match?.methods && !spec.match.methods.includes(method.toUpperCase())) return false;
    if (pathRe && !pathRe.test(path)) return false;
    return true;
  }

  return {
    get spec() {
      return spec;
    },
    set(input) {
      const next = faultSpecSchema.parse(input);
      if (next.match?.path) new RegExp(next.match.path); // throws on a bad pattern before anything changes
      spec = next;
      pathRe = compile(spec);
      dice = mulberry32(spec.seed);
      failNextLeft = spec.failNext?.count ?? 0;
      return spec;
    },
    clear() {
      this.set({});
    },
    decide(method, path, opts = {}) {
      if (!matches(method, path)) return { kind: 'none', delayMs: 0 };
      const delayMs = spec.latencyMs + (spec.latencyJitterMs > 0 ? Math.floor(dice() * spec.latencyJitterMs) : 0);
      if (spec.failNext && failNextLeft > 0) {
        failNextLeft--;
        return { kind: 'status', status: spec.failNext.status, delayMs };
      }
      if (spec.acceptThenHang && opts.isOrderPlacement) return { kind: 'acceptThenHang', delayMs };
      if (spec.resetRate > 0 && dice() < spec.resetRate) return { kind: 'reset', delayMs };
      if (spec.hangRate > 0 && dice() < spec.hangRate) return { kind: 'hang', delayMs };
      for (const status of ['429', '500', '503', '504'] as const) {
        const p = spec.errorRates[status];
        if (p !== undefined && p > 0 && dice() < p) return { kind: 'status', status: Number(status), delayMs };
      }
      return { kind: 'none', delayMs };
    },
  };
}
