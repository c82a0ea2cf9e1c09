/**
 * Load generation with autocannon, in this process (the servers under load
 * are child processes, so they never share this event loop).
 */
import autocannon from 'autocannon';

export interface LoadTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Completed requests per second over the measured window. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  durationS: number;
}

export async function load(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    body: target.body,
    headers: target.headers,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
  };
}

/** A warm-up of `warmupSeconds` (discarded), then the measured run. */
export async function warmThenLoad(target: LoadTarget, options: { connections: number; seconds: number; warmupSeconds: number }): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await load(target, { connections: options.connections, seconds: options.warmupSeconds });
  return load(target, options);
}
