/**
 * Load generation with autocannon, in this process (the servers under load
 * are child processes, so they never share this event loop).
 */
import autocannon from 'autocannon';

export interface LoadTarget {
  url: string;
  /** The body every request carries, unless `nextBody` is given. */
  body: string;
  headers: Record<string, string>;
  /**
   * A fresh body for every request (autocannon's `requests[].setupRequest`), e.g.
   * distinct variables so a whole-response cache misses as it does for real traffic.
   */
  nextBody?: () => string;
}

export interface LoadResult {
  /** Completed requests per second over the measured window. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Requests sent, answered or not: those still in flight when the window closed are sent but not counted in `requests`. */
  sent: number;
  non2xx: number;
  errors: number;
  durationS: number;
  /** Bytes read per answer, headers included, as they came over the wire (compressed when the server compressed). */
  bytesPerAnswer: number;
}

export async function load(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const next = target.nextBody;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    body: target.body,
    headers: target.headers,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    // One request template, rebuilt before every send with the next body.
    ...(next ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: next() }) }] } : {}),
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    // autocannon's aggregate carries `requests.sent`; its type definitions do not declare it.
    sent: (result.requests as { sent?: number }).sent ?? result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
    bytesPerAnswer: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
  };
}

/** A warm-up of `warmupSeconds` (discarded), then the measured run. */
export async function warmThenLoad(target: LoadTarget, options: { connections: number; seconds: number; warmupSeconds: number }): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await load(target, { connections: options.connections, seconds: options.warmupSeconds });
  return load(target, options);
}
