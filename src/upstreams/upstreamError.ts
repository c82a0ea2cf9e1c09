/**
 * What went wrong talking to a vendor, in terms a resolver can act on. The
 * message never carries the upstream URL or a credential; resolvers turn it
 * into a gateway error code (UPSTREAM_UNAVAILABLE, UPSTREAM_RATE_LIMITED,
 * UPSTREAM_ERROR).
 */
export type UpstreamErrorKind =
  /** Down, failing or circuit open: serve stale if there is anything. */
  | 'unavailable'
  /** No quota before the deadline, or the vendor kept answering 429. */
  | 'rateLimited'
  /** A 4xx other than 401/404/429: the request itself was wrong. */
  | 'rejected'
  /** Credentials refused twice. */
  | 'unauthorized'
  /** A timeout after which nothing more was tried. */
  | 'timeout'
  /** The answer's body was larger than the gateway reads (UPSTREAM_MAX_BODY_BYTES); not retried. */
  | 'tooLarge';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly status?: number;
  readonly retryInMs: number;
  /** The request may have been processed (timeout or reset after sending). */
  readonly outcomeUnknown: boolean;
  /** The vendor's own error code from its answer, when its connector reads one (UpstreamVendor.errorCode). */
  readonly vendorCode?: string;
  /** Refused before sending by the gateway's own pacing: its budget, or a request's pacing key. */
  readonly paced?: 'budget' | 'key';

  constructor(
    readonly kind: UpstreamErrorKind,
    readonly upstream: string,
    message: string,
    extra: { status?: number; retryInMs?: number; outcomeUnknown?: boolean; vendorCode?: string; paced?: 'budget' | 'key' } = {},
  ) {
    super(`${upstream}: ${message}`);
    this.status = extra.status;
    if (extra.vendorCode !== undefined) this.vendorCode = extra.vendorCode;
    if (extra.paced !== undefined) this.paced = extra.paced;
    this.retryInMs = extra.retryInMs ?? 0;
    this.outcomeUnknown = extra.outcomeUnknown ?? false;
  }
}
