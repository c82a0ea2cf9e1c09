/**
 * Request accounting for a simulated origin: `GET /__sandbox/stats` answers
 * with this, so tests and benchmarks count upstream calls from the vendor's
 * side rather than trusting the gateway's own metrics.
 */
export interface StatsSnapshot {
  /** Every API request received (admin routes under /__sandbox excluded). */
  requests: number;
  /** Requests by `METHOD /route/template`, e.g. `GET /api/v1/products/:ids/multi`. */
  endpoints: Record<string, number>;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** 429s sent by the simulated rate limiter (not by injected faults). */
  throttled: number;
  /** Injected faults by kind (status-NNN, hang, reset, acceptThenHang). */
  faults: Record<string, number>;
  /** Requests that wrote state (POST/PUT/DELETE answered 2xx). */
  writes: number;
  since: string;
}

export interface Stats {
  countRequest(endpoint: string): void;
  countStatus(status: number, method: string): void;
  countThrottled(): void;
  countFault(kind: string): void;
  snapshot(): StatsSnapshot;
  reset(): void;
}

export function createStats(): Stats {
  let s = empty();
  function empty(): StatsSnapshot {
    return { requests: 0, endpoints: {}, statuses: {}, throttled: 0, faults: {}, writes: 0, since: new Date().toISOString() };
  }
  return {
    countRequest(endpoint) {
      s.requests++;
      s.endpoints[endpoint] = (s.endpoints[endpoint] ?? 0) + 1;
    },
    countStatus(status, method) {
      s.statuses[String(status)] = (s.statuses[String(status)] ?? 0) + 1;
      if (status >= 200 && status < 300 && method !== 'GET' && method !== 'HEAD') s.writes++;
    },
    countThrottled() {
      s.throttled++;
    },
    countFault(kind) {
      s.faults[kind] = (s.faults[kind] ?? 0) + 1;
    },
    snapshot() {
      return structuredClone(s);
    },
    reset() {
      s = empty();
    },
  };
}
