/**
 * The shared upstream HTTP client: every connector sends through this, never
 * through `fetch` (DESIGN.md, principle 1). One undici pool per upstream with
 * keep-alive and connect/headers/body timeouts; vendor auth per request; the
 * pacing lanes; DESIGN.md's retry table; a circuit breaker; metrics.
 */
import type { LookupFunction } from 'node:net';
import { Agent, Pool, errors as undiciErrors } from 'undici';
import type { KeyedPacer, KeyedTicket } from '../limits/keyedPacer.js';
import type { Lane, Pacer, QuotaReport } from '../limits/pacer.js';
import { PacingDeadlineError, sleep } from '../limits/pacer.js';
import type { Metrics } from '../observability/metrics.js';
import type { Breaker, BreakerPermit } from './breaker.js';
import { UpstreamError } from './upstreamError.js';
import { retryDecision, type AttemptOutcome } from './retryPolicy.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface UpstreamRequest {
  method: HttpMethod;
  /** Path segments below the upstream's base path; each is percent-encoded here (ignored with `url`). */
  path: readonly string[];
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent form-encoded (`application/x-www-form-urlencoded`) instead of `body`, e.g. an OAuth2 token request (RFC 6749 §4.3.2). */
  form?: Record<string, string>;
  /** Metric label for the endpoint, e.g. `products.multi`. */
  endpoint: string;
  lane: Lane;
  /**
   * Safe to send again when the outcome is unknown (a timeout or reset after
   * sending). Defaults to true for GET and PUT, false otherwise: order
   * creation must never be resent blind (DESIGN.md, retry policy).
   */
  idempotent?: boolean;
  /** Overall deadline for this call, retries and pacing waits included. */
  timeoutMs?: number;
  /**
   * The points this request is expected to take from the upstream's cost bucket (GraphQL
   * upstreams paced on query cost; UpstreamSpec.costBucket). Ignored without one. @default 1
   */
  cost?: number;
  signal?: AbortSignal;
  /**
   * An absolute URL instead of `path` and `query`, for a client built with
   * `anyOrigin` (a CDN's many hosts); the caller has vetted it.
   */
  url?: string;
  /** Headers beyond auth and content type (e.g. `accept`, or `host` when connecting through another address). */
  headers?: Record<string, string>;
  /** `bytes`: the body as a Buffer, unparsed (images). @default 'json' (JSON when it parses, else text) */
  responseType?: 'json' | 'bytes';
  /**
   * Paces this call by a key as well as by the upstream's budget (the client's
   * `keyedPacer`: e.g. WhatsApp's one message per recipient every few
   * seconds). A key not free within `maxWaitMs` (default: the deadline) fails
   * the call unsent, `rateLimited` with `retryInMs` saying when it is free.
   */
  pacingKey?: { key: string; maxWaitMs?: number };
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface UpstreamVendor {
  /** Headers proving who we are, built fresh for every attempt (a new JWT each time). */
  authHeaders(): Record<string, string> | Promise<Record<string, string>>;
  /**
   * Called once on a 401 before the single retry (token refresh), with the
   * auth headers the refused attempt sent: a connector whose token was
   * already replaced meanwhile (by another request's refresh) need not
   * refresh again.
   */
  refreshAuth?(refused: Readonly<Record<string, string>>): Promise<void>;
  /**
   * What the vendor's answer says about its quota: its headers, or for a GraphQL upstream that
   * reports cost in the body (Shopify's `extensions.cost`), the parsed body.
   */
  quotaReport(status: number, headers: Record<string, string>, body?: unknown): QuotaReport;
  /** The vendor's error message from an error body, for a client-facing error. */
  errorMessage(body: unknown): string | undefined;
  /**
   * The vendor's own error code from an error body (e.g. WhatsApp's 131047),
   * for a connector that must tell its errors apart by it: UpstreamError's
   * `vendorCode`. @default none
   */
  errorCode?(body: unknown): string | undefined;
}

export interface UpstreamClientOptions {
  name: string;
  baseUrl: string;
  vendor: UpstreamVendor;
  pacer: Pacer;
  breaker: Breaker;
  metrics: Metrics;
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  /**
   * Largest answer body read, in bytes; past it the connection is dropped and
   * the call fails with a `tooLarge` UpstreamError. @default 8388608 (8 MiB)
   */
  maxBodyBytes?: number;
  /** Default deadline per lane. */
  deadlines: Record<Lane, number>;
  /** Multiplier on the retry table's delays. @default 1 */
  retryDelayScale?: number;
  /** Concurrent connections to the upstream. @default 16 */
  connections?: number;
  /** Pacing by key, for requests that name a `pacingKey`. @default none (the key is ignored) */
  keyedPacer?: KeyedPacer;
  onAlert?: (message: string) => void;
  /**
   * Requests may name any origin (`UpstreamRequest.url`): one undici Agent
   * with a pool per origin instead of one Pool for `baseUrl`. @default false
   */
  anyOrigin?: boolean;
  /** DNS lookup for every connection (e.g. one that refuses private addresses); @default the system's */
  lookup?: LookupFunction;
}

export interface UpstreamClientStats {
  requests: number;
  errors: number;
  /** Recent attempt latencies in ms, newest last (at most 512). */
  recentLatenciesMs: number[];
}

export interface UpstreamClient {
  readonly name: string;
  readonly baseUrl: string;
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  stats(): UpstreamClientStats;
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** undici's ResponseExceededMaxSizeError: the body passed the pool's `maxResponseSize`. */
const TOO_LARGE_CODE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

class DeclaredTooLargeError extends Error {
  override name = 'DeclaredTooLargeError';
}
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const poolOptions = {
    connections: options.connections ?? 16,
    connectTimeout: options.timeouts.connectMs,
    headersTimeout: options.timeouts.headersMs,
    bodyTimeout: options.timeouts.bodyMs,
    keepAliveTimeout: 30_000,
    // undici counts the body's bytes as they arrive and drops the socket past this, so an
    // endless or huge answer (chunked, or a lying Content-Length) never fills the heap.
    maxResponseSize: maxBodyBytes,
    ...(options.lookup ? { connect: { lookup: options.lookup } } : {}),
  };
  const pool = options.anyOrigin ? new Agent(poolOptions) : new Pool(base.origin, poolOptions);
  const scale = options.retryDelayScale ?? 1;
  const { metrics, name } = options;
  const recent: number[] = [];
  const counts = { requests: 0, errors: 0 };
  function record(ms: number, failed: boolean): void {
    counts.requests++;
    if (failed) counts.errors++;
    recent.push(ms);
    if (recent.length > 512) recent.shift();
  }

  function buildPath(req: UpstreamRequest): string {
    if (req.url !== undefined) {
      if (!options.anyOrigin) throw new UpstreamError('rejected', name, 'an absolute URL needs an anyOrigin client', { status: 400 });
      const u = new URL(req.url);
      return `${u.pathname}${u.search}`;
    }
    const segments = req.path.map((segment) => {
      // Dot segments and empties would let a crafted id walk the upstream's path.
      if (segment === '' || segment === '.' || segment === '..') {
        throw new UpstreamError('rejected', name, `invalid path segment`, { status: 400 });
      }
      return encodeURIComponent(segment);
    });
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    return `${basePath}/${segments.join('/')}${qs ? `?${qs}` : ''}`;
  }

  async function attempt(req: UpstreamRequest, path: string, deadline: number, sent: { auth: Record<string, string> }): Promise<AttemptOutcome> {
    sent.auth = await options.vendor.authHeaders();
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers, ...sent.auth };
    let body: string | undefined;
    if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const signals = [AbortSignal.timeout(Math.max(1, deadline - Date.now()))];
    if (req.signal) signals.push(req.signal);
    const started = performance.now();
    const observeLatency = (failed = false) => {
      const elapsed = performance.now() - started;
      record(elapsed, failed);
      metrics.upstreamLatency.observe({ upstream: name, endpoint: req.endpoint }, elapsed / 1000);
    };
    try {
      const origin = req.url !== undefined ? new URL(req.url).origin : base.origin;
      const res = await pool.request({ origin, method: req.method, path, headers, body, signal: AbortSignal.any(signals) });
      // An answer that says up front it is too large is not downloaded at all.
      const declared = res.headers['content-length'];
      if (typeof declared === 'string' && Number(declared) > maxBodyBytes) {
        res.body.destroy();
        throw new DeclaredTooLargeError();
      }
      const bytes = req.responseType === 'bytes' ? Buffer.from(await res.body.arrayBuffer()) : undefined;
      const text = bytes ? '' : await res.body.text();
      observeLatency(res.statusCode >= 500 || res.statusCode === 429);
      const resHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') resHeaders[k] = v;
      metrics.upstreamRequests.inc({ upstream: name, endpoint: req.endpoint, status: String(res.statusCode) });
      let parsed: unknown = bytes;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { kind: 'answer', response: { status: res.statusCode, headers: resHeaders, body: parsed } };
    } catch (err) {
      observeLatency(true);
      metrics.upstreamRequests.inc({ upstream: name, endpoint: req.endpoint, status: 'error' });
      if (req.signal?.aborted) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (err instanceof DeclaredTooLargeError || code === TOO_LARGE_CODE) {
        return { kind: 'tooLarge', message: `answer larger than ${maxBodyBytes} bytes (UPSTREAM_MAX_BODY_BYTES)` };
      }
      if (TIMEOUT_CODES.has(code) || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) {
        return { kind: 'timeout', message: 'timed out' };
      }
      if (REFUSED_CODES.has(code) || err instanceof undiciErrors.ConnectTimeoutError) {
        return { kind: 'refused', message: `connection failed (${code || 'connect'})` };
      }
      return { kind: 'reset', message: `connection lost (${code || 'socket'})` };
    }
  }

  async function request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const path = buildPath(req);
    const deadline = Date.now() + (req.timeoutMs ?? options.deadlines[req.lane]);
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT');
    const retries = { rateLimited: 0, unavailable: 0, timeout: 0, unauthorized: 0 };
    const { breaker } = options;
    // Held across retries that say nothing about the upstream's health (429, 401, a first
    // timeout or 504): when this call is the half-open probe, its retry is still the probe.
    let permit: BreakerPermit | undefined;
    /** The auth headers the latest attempt sent (for refreshAuth after a 401). */
    const sent = { auth: {} as Record<string, string> };
    // The pacing key is held for the whole call, its retries included: a retry answers a refusal (a
    // 401, a 429), not a second call to the key. Its interval starts when the call ends, if anything
    // reached the vendor.
    const keyed = await acquireKey(req, deadline);
    let reached = false;
    try {
      for (;;) {
        permit ??= breaker.acquire();
        if (!permit) {
          throw new UpstreamError('unavailable', name, 'circuit open: upstream failing', { retryInMs: breaker.retryInMs() });
        }
        let ticket;
        try {
          ticket = await options.pacer.acquire(req.lane, deadline, req.signal, req.cost);
        } catch (err) {
          // Not sending is a non-event for the breaker: the permit is released below.
          if (err instanceof PacingDeadlineError) throw new UpstreamError('rateLimited', name, 'upstream quota exhausted for now', { retryInMs: err.waitMs, paced: 'budget' });
          throw err;
        }
        const outcome = await attempt(req, path, deadline, sent).catch((err: unknown) => {
          ticket.done();
          reached = true;
          throw err;
        });
        const report = outcome.kind === 'answer' ? options.vendor.quotaReport(outcome.response.status, outcome.response.headers, outcome.response.body) : undefined;
        ticket.done(report);
        // Nothing reached the vendor on a refused connection.
        if (outcome.kind !== 'refused') reached = true;
        if (report?.left !== undefined) metrics.quotaRemaining.set({ upstream: name }, report.left);

        const decision = retryDecision(outcome, { idempotent, retries, scale, report });
        if (decision.breaker === 'failure') {
          permit.failure(decision.reason);
          permit = undefined;
        } else if (decision.breaker === 'success') {
          permit.success();
          permit = undefined;
        }
        metrics.breakerState.set({ upstream: name }, breakerGauge(breaker));

        switch (decision.action) {
          case 'return':
            if (outcome.kind !== 'answer') throw new Error('return without an answer');
            return outcome.response;
          case 'retry': {
            retries[decision.counter]++;
            metrics.upstreamRetries.inc({ upstream: name, reason: decision.reason });
            if (decision.refreshAuth && options.vendor.refreshAuth) {
              try {
                await options.vendor.refreshAuth(sent.auth);
              } catch {
                // The credentials were refused and could not be renewed: a typed upstream error
                // (the refresher's own message may carry a store detail; it is not passed on).
                options.onAlert?.(`${name}: credentials rejected (401) and the token refresh failed`);
                throw new UpstreamError('unauthorized', name, 'credentials refused (401) and the token refresh failed');
              }
            }
            if (Date.now() + decision.delayMs > deadline) {
              throw errorFor(decision.giveUp, outcome, decision.delayMs);
            }
            if (decision.delayMs > 0) await sleep(decision.delayMs, req.signal);
            continue;
          }
          case 'fail':
            if (decision.giveUp === 'unauthorized') options.onAlert?.(`${name}: credentials rejected twice (401); check the configured secret`);
            throw errorFor(decision.giveUp, outcome, 0);
          default: {
            const never: never = decision;
            throw new Error(`unknown retry decision ${JSON.stringify(never)}`);
          }
        }
      }
    } finally {
      if (reached) keyed?.done();
      else keyed?.cancel();
      // The one place a permit still held is settled, whatever ended the call (a 429 or 401
      // given up on, a refresh that threw, the caller's abort, no pacing slot): a half-open
      // probe that proved nothing frees its slot, so the next call probes.
      if (permit) {
        permit.release();
        metrics.breakerState.set({ upstream: name }, breakerGauge(breaker));
      }
    }
  }

  /** The key's slot, when the request names one and this client paces by key; refused unsent past its wait. */
  async function acquireKey(req: UpstreamRequest, deadline: number): Promise<KeyedTicket | undefined> {
    if (!req.pacingKey || !options.keyedPacer) return undefined;
    const until = Math.min(deadline, Date.now() + (req.pacingKey.maxWaitMs ?? Number.POSITIVE_INFINITY));
    try {
      return await options.keyedPacer.acquire(req.pacingKey.key, until, req.signal);
    } catch (err) {
      if (err instanceof PacingDeadlineError) throw new UpstreamError('rateLimited', name, 'addressed too recently; not sent', { retryInMs: err.waitMs, paced: 'key' });
      throw err;
    }
  }

  function errorFor(kind: UpstreamError['kind'], outcome: AttemptOutcome, retryInMs: number): UpstreamError {
    if (outcome.kind === 'answer') {
      const vendorMessage = options.vendor.errorMessage(outcome.response.body);
      const vendorCode = options.vendor.errorCode?.(outcome.response.body);
      return new UpstreamError(kind, name, vendorMessage ?? `HTTP ${outcome.response.status}`, {
        status: outcome.response.status,
        retryInMs,
        ...(vendorCode !== undefined ? { vendorCode } : {}),
      });
    }
    return new UpstreamError(kind, name, outcome.message, { retryInMs, outcomeUnknown: outcome.kind !== 'refused' });
  }

  return {
    name,
    baseUrl: options.baseUrl,
    request,
    stats: () => ({ ...counts, recentLatenciesMs: [...recent] }),
    close: () => pool.close(),
  };
}

function breakerGauge(breaker: Breaker): number {
  const kind = breaker.kind();
  return kind === 'closed' ? 0 : kind === 'halfOpen' ? 1 : 2;
}
