/**
 * A file a vendor prepared, read line by line as it downloads (JSON Lines:
 * Shopify's bulk operation result, upstreams.md "Bulk operations"), in
 * constant memory whatever its size: the body is never read whole, and a line
 * longer than `maxLineBytes` is given as too long (and skipped to its end)
 * rather than buffered.
 *
 * Not through the upstream's API client on purpose: the file lives at a
 * pre-signed URL on the vendor's storage, which is not its API (no quota, no
 * breaker of its own), and must never be sent the API's credentials.
 */
import { request } from 'undici';
import type { Metrics } from '../observability/metrics.js';
import { UpstreamError } from './upstreamError.js';

export interface LineDownloadOptions {
  /** Metric label and error prefix, e.g. `shopify-bulk`. */
  name: string;
  metrics?: Metrics;
  /** Lines before this one (1-based) are read past, not given. @default 1 */
  fromLine?: number;
  /** A longer line is given as `tooLong` instead of its text. @default 1048576 (1 MiB) */
  maxLineBytes?: number;
  /** Connect and headers deadline. @default 30000 */
  headersTimeoutMs?: number;
  /** Longest silence between two chunks of the body. @default 60000 */
  bodyTimeoutMs?: number;
  signal?: AbortSignal;
}

export type DownloadedLine = { n: number; text: string; tooLong?: false } | { n: number; text: ''; tooLong: true };

const NEWLINE = 0x0a;

/** The lines of the file at `url`, numbered from 1; empty lines are numbered and skipped. */
export async function* downloadLines(url: string, options: LineDownloadOptions): AsyncGenerator<DownloadedLine> {
  const from = options.fromLine ?? 1;
  const maxLine = options.maxLineBytes ?? 1024 * 1024;
  let res;
  try {
    res = await request(url, {
      method: 'GET',
      signal: options.signal,
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    options.metrics?.upstreamRequests.inc({ upstream: options.name, endpoint: 'download', status: 'error' });
    throw new UpstreamError('unavailable', options.name, `download failed (${(err as { code?: string }).code ?? 'connect'})`, { outcomeUnknown: false });
  }
  options.metrics?.upstreamRequests.inc({ upstream: options.name, endpoint: 'download', status: String(res.statusCode) });
  if (res.statusCode !== 200) {
    res.body.destroy();
    // A pre-signed URL that expired answers 403 (or 404): the file is gone, a new export is needed.
    const kind = res.statusCode >= 500 ? 'unavailable' : 'rejected';
    throw new UpstreamError(kind, options.name, `download answered HTTP ${res.statusCode}`, { status: res.statusCode });
  }

  let n = 0;
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const finish = function* (): Generator<DownloadedLine> {
    n++;
    if (skipping) {
      skipping = false;
      if (n >= from) yield { n, text: '', tooLong: true };
    } else if (size > 0 && n >= from) {
      const text = Buffer.concat(parts, size).toString('utf8');
      if (text.trim() !== '') yield { n, text };
    }
    parts = [];
    size = 0;
  };
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        const end = nl === -1 ? chunk.length : nl;
        if (!skipping && end > start) {
          // Lines before `fromLine` are only counted: nothing of them is kept.
          if (n + 1 >= from) {
            if (size + (end - start) > maxLine) {
              skipping = true;
              parts = [];
              size = 0;
            } else {
              parts.push(chunk.subarray(start, end));
              size += end - start;
            }
          }
        }
        if (nl === -1) break;
        yield* finish();
        start = nl + 1;
      }
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new UpstreamError('unavailable', options.name, `download cut short after line ${n} (${(err as { code?: string }).code ?? 'reset'})`, { outcomeUnknown: false });
  }
  if (size > 0 || skipping) yield* finish();
}
