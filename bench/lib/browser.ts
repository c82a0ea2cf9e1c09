/**
 * Clients that read the gateway's answers the way a browser does: every
 * request says `Accept-Encoding: gzip, deflate, br` (what Chromium and
 * Firefox send over http; RFC 9110 §12.5.3), so a benchmark measures the
 * compression users get (hardening.ts compresses answers of 1 KiB or more),
 * and an event stream opened as a page's EventSource or graphql-sse client
 * opens it. fetch decodes a compressed answer itself; `decodedBody` does it
 * for a raw `http.request` response.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { GatewayProcess, GqlResult } from './crossdock.js';

/** What a browser sends over plain http. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br';

/** Headers of a page's GraphQL POST: JSON in and out, the API key, the browser's encodings. */
export function browserHeaders(key: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'accept-encoding': BROWSER_ACCEPT_ENCODING, 'x-api-key': key };
}

/** Headers of a graphql-sse stream request (distinct connections mode): `Accept: text/event-stream`, the browser's encodings. */
export function browserStreamHeaders(key: string, body: string): Record<string, string | number> {
  return { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': BROWSER_ACCEPT_ENCODING, 'x-api-key': key, 'content-length': Buffer.byteLength(body) };
}

/**
 * The response body decoded by its Content-Encoding (gzip, deflate or br), as
 * a browser decodes it. graphql-sse labels its event streams
 * `Content-Encoding: none` (not a registered coding; it asks proxies not to
 * compress), which browsers read as the body as sent: so does this.
 */
export function decodedBody(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === 'none' || encoding === '') return res;
  const decoder = encoding === 'br' ? createBrotliDecompress() : encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;
  if (!decoder) throw new Error(`unexpected Content-Encoding ${encoding}`);
  res.once('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

export interface BrowserClient {
  gql<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<GqlResult<T> & { encoding: string | null }>;
  /** Like gql, but throws on a non-200 answer or any error. */
  gqlData<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
}

/** POST /graphql to `gw` with a browser's headers; `encoding` is the answer's Content-Encoding (null: none). */
export function browserClient(gw: Pick<GatewayProcess, 'url' | 'key'>, label = gw.url): BrowserClient {
  const gql = async <T>(query: string, variables?: Record<string, unknown>, timeoutMs = 30_000) => {
    const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: browserHeaders(gw.key), body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: { data?: T; errors?: GqlResult<T>['errors'] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 300)}` }] };
    }
    return { status: res.status, data: body.data ?? undefined, errors: body.errors, encoding: res.headers.get('content-encoding') };
  };
  return {
    gql,
    async gqlData<T>(query: string, variables?: Record<string, unknown>, timeoutMs?: number) {
      const r = await gql<T>(query, variables, timeoutMs);
      if (r.status !== 200 || r.errors?.length || r.data === undefined) throw new Error(`${label}: GraphQL HTTP ${r.status}: ${JSON.stringify(r.errors ?? r.data).slice(0, 500)}`);
      return r.data;
    },
  };
}
