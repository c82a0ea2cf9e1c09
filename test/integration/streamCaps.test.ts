/**
 * Streams are capped (issue 10, finding 17), over real HTTP and WebSocket:
 *
 * - per client, at most MAX_STREAMS_PER_CLIENT concurrent streams, counted
 *   across SSE and WebSocket (an SSE event stream or reservation, a
 *   WebSocket connection, and each operation on a shared connection); one
 *   more is refused with a typed error (`RATE_LIMITED`, `limit: "streams"`),
 *   another client is unaffected, and a closed stream frees its slot;
 * - WebSocket sockets that have not authenticated yet (no connection_init
 *   accepted) are capped at WS_MAX_UNAUTHENTICATED (429 at the upgrade) and
 *   closed after WS_CONNECTION_INIT_TIMEOUT_MS (4408);
 * - an SSE answer carries the same security and CORS headers as any other
 *   answer (it is written to the socket after reply.hijack()).
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';

const KEY_A = 'cdk_streams_client_a_00000001';
const KEY_B = 'cdk_streams_client_b_00000002';
const KEY_C = 'cdk_streams_client_c_00000003';
const KEY_D = 'cdk_streams_client_d_00000004';
/** Starts dry-run syncs, so that a running syncJobs subscription has something to say. */
const KEY_OPS = 'cdk_streams_operator_0000005';
const KEY_E = 'cdk_streams_client_e_00000006';
const CAP = 3;
const SUB = 'subscription { syncJobs { id status } }';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    CROSSDOCK_API_KEYS: `a:viewer:${KEY_A},b:viewer:${KEY_B},c:viewer:${KEY_C},d:viewer:${KEY_D},ops:operator:${KEY_OPS},e:viewer:${KEY_E}`,
    MAX_STREAMS_PER_CLIENT: String(CAP),
    WS_MAX_UNAUTHENTICATED: '2',
    WS_CONNECTION_INIT_TIMEOUT_MS: '300',
    CORS_ORIGINS: 'https://shop.example',
  });
});
afterAll(async () => {
  for (const s of openStreams) s.close();
  await gw?.close();
});

interface OpenStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body, for an answer that is not a stream. */
  body: string;
  close(): void;
}
const openStreams: OpenStream[] = [];

/** Starts an SSE request and resolves on its response head; an event stream stays open until close(). */
function sse(key: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<OpenStream> {
  const url = new URL(`${gw.url}/graphql/stream`);
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': key, ...options.headers },
        agent: false,
      },
      (res) => {
        const stream: OpenStream = { status: res.statusCode ?? 0, headers: res.headers, body: '', close: () => req?.destroy() };
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          openStreams.push(stream);
          resolve(stream);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ...stream, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(10_000, () => req?.destroy(new Error('no answer')));
    req.on('error', (err) => reject(err));
    req.end(options.body === undefined ? JSON.stringify({ query: SUB }) : typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  });
}

const streamsRefusal = { code: 'RATE_LIMITED', limit: 'streams', max: CAP };
const errorOf = (s: OpenStream) => (JSON.parse(s.body) as { errors: Array<{ extensions: Record<string, unknown> }> }).errors[0]?.extensions;

/** Retries `attempt` until it holds (a closed socket frees its slot once the server sees the close). */
async function eventually<T>(what: string, attempt: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A WebSocket client; `headerKey` sends the key in the upgrade request instead of connection_init. */
function wsClient(key: string, headerKey = false): WsClient {
  class WithKey extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { 'x-api-key': key } });
    }
  }
  return createWsClient({
    url: `${gw.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: headerKey ? WithKey : WebSocket,
    connectionParams: headerKey ? {} : { apiKey: key },
    retryAttempts: 0,
    lazy: false,
  });
}

let jobs = 0;
/**
 * Subscribes to syncJobs; resolves with the errors of a refused subscription, or once a running one
 * receives an event. (A running subscription is silent until a job changes, so dry-run jobs are started
 * until it speaks: its acceptance is seen, never guessed from a silence.)
 */
async function wsSubscribe(client: WsClient): Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }>; dispose: () => void }> {
  let settled = false;
  let dispose = () => undefined as void;
  const outcome = new Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>((resolve) => {
    dispose = client.subscribe(
      { query: SUB },
      {
        next: () => {
          settled = true;
          resolve({});
        },
        error: (err) => {
          settled = true;
          resolve({ errors: Array.isArray(err) ? (err as never) : [{ extensions: { message: String(err) } }] });
        },
        complete: () => undefined,
      },
    );
  });
  const deadline = Date.now() + 15_000;
  while (!settled && Date.now() < deadline) {
    jobs += 1;
    await gw.gql(`mutation($in: StartSyncInput!) { startSync(input: $in) { job { id } } }`, { in: { kind: 'PRICE', dryRun: true, scope: { limit: jobs } } }, { 'x-api-key': KEY_OPS });
    await Promise.race([outcome, new Promise((r) => setTimeout(r, 200))]);
  }
  if (!settled) throw new Error('the subscription neither ran nor was refused');
  return { ...(await outcome), dispose };
}

describe('concurrent streams per client', () => {
  it('SSE: the streams past MAX_STREAMS_PER_CLIENT are refused with RATE_LIMITED (limit "streams"); another client is unaffected', async () => {
    const held = await Promise.all(Array.from({ length: CAP }, () => sse(KEY_A)));
    for (const s of held) expect(s.status).toBe(200);
    const over = await sse(KEY_A);
    expect(over.status).toBe(429);
    expect(errorOf(over)).toMatchObject(streamsRefusal);
    const other = await sse(KEY_B);
    expect(other.status).toBe(200);
    other.close();
    // A closed stream frees its slot.
    held[0]!.close();
    const again = await eventually('a slot to free', () => sse(KEY_A), (s) => s.status === 200);
    again.close();
    for (const s of held) s.close();
  });

  it('counted across transports: SSE streams and a WebSocket connection and its subscriptions share the cap', async () => {
    const sseHeld = await Promise.all([sse(KEY_C), sse(KEY_C)]);
    for (const s of sseHeld) expect(s.status).toBe(200);
    // The socket is the third stream: its first subscription is one too many.
    const client = wsClient(KEY_C);
    try {
      const refused = await wsSubscribe(client);
      expect(refused.errors?.[0]?.extensions).toMatchObject(streamsRefusal);
      // With the SSE streams closed, two subscriptions run on the socket, and a third is refused.
      for (const s of sseHeld) s.close();
      const first = await eventually('SSE slots to free', () => wsSubscribe(client), (r) => r.errors === undefined);
      const second = await wsSubscribe(client);
      expect(second.errors).toBeUndefined();
      const third = await wsSubscribe(client);
      expect(third.errors?.[0]?.extensions).toMatchObject(streamsRefusal);
      first.dispose();
      second.dispose();
    } finally {
      await client.dispose();
    }
  });

  it('SSE single-connection reservations count too', async () => {
    const reserved: OpenStream[] = [];
    for (let i = 0; i < CAP; i++) reserved.push(await sse(KEY_D, { method: 'PUT', body: '', headers: { accept: '*/*' } }));
    for (const r of reserved) expect(r.status).toBe(201);
    const over = await sse(KEY_D, { method: 'PUT', body: '', headers: { accept: '*/*' } });
    expect(over.status).toBe(429);
    expect(errorOf(over)).toMatchObject(streamsRefusal);
  });

  it('and so does every operation run on a single connection', async () => {
    const reservation = await sse(KEY_E, { method: 'PUT', body: '', headers: { accept: '*/*' } });
    expect(reservation.status).toBe(201);
    const token = reservation.body;
    const stream = await sse(KEY_E, { method: 'GET', body: '', headers: { 'x-graphql-event-stream-token': token } });
    expect(stream.status).toBe(200);
    try {
      const run = (operationId: string) =>
        sse(KEY_E, { body: { query: SUB, extensions: { operationId } }, headers: { accept: '*/*', 'x-graphql-event-stream-token': token } });
      // The connection holds one slot; two operations fill the cap, and a third is refused.
      expect((await run('op-1')).status).toBe(202);
      expect((await run('op-2')).status).toBe(202);
      const over = await run('op-3');
      expect(over.status).toBe(429);
      expect(errorOf(over)).toMatchObject(streamsRefusal);
    } finally {
      stream.close();
    }
  });
});

describe('WebSocket sockets that have not authenticated', () => {
  /** A raw socket that never sends connection_init: resolves with the upgrade's HTTP status (101 when accepted). */
  function rawSocket(): Promise<{ status: number; ws: WebSocket; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.once('open', () => resolve({ status: 101, ws, closed }));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0, ws, closed });
        res.resume();
      });
      ws.once('error', (err) => reject(err));
    });
  }

  it('are capped (429 at the upgrade), closed after the connection-init timeout (4408), and then make room', async () => {
    const first = await rawSocket();
    const second = await rawSocket();
    expect([first.status, second.status]).toEqual([101, 101]);
    const third = await rawSocket();
    expect(third.status).toBe(429);
    // A client whose upgrade request carries its key has authenticated: the cap does not hold it back.
    const client = wsClient(KEY_B, true);
    try {
      const sub = await wsSubscribe(client);
      expect(sub.errors).toBeUndefined();
      sub.dispose();
    } finally {
      await client.dispose();
    }
    // The server closes both for not initialising in time…
    expect(await first.closed).toBe(4408);
    expect(await second.closed).toBe(4408);
    // …which makes room for the next.
    const fourth = await eventually('room for a socket', () => rawSocket(), (s) => s.status === 101);
    fourth.ws.close();
  });
});

describe('SSE answers carry the same security headers as any other answer', () => {
  it('helmet’s headers, CORS for an allowed origin, and the request id', async () => {
    const origin = { origin: 'https://shop.example' };
    const plain = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY_B, ...origin },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(plain.status).toBe(200);
    const stream = await sse(KEY_B, { headers: { ...origin, 'x-request-id': 'sse-headers-1' } });
    expect(stream.status).toBe(200);
    try {
      for (const name of [
        'content-security-policy',
        'x-content-type-options',
        'x-frame-options',
        'referrer-policy',
        'strict-transport-security',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'access-control-allow-origin',
        'access-control-expose-headers',
        'vary',
      ]) {
        expect(stream.headers[name], name).toBe(plain.headers.get(name));
      }
      expect(stream.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(stream.headers['x-request-id']).toBe('sse-headers-1');
    } finally {
      stream.close();
    }
  });
});
