/**
 * A scripted HTTP origin on an ephemeral loopback port, for tests of the
 * shared upstream client (src/upstreams/http.ts) that need an exact sequence
 * of answers: each request takes the next step of the script (a status, a
 * hang, an endless body), and `200 {"errno":0}` once the script is spent.
 * nock cannot stand in here: the client sends through an undici Pool, which
 * opens its own sockets.
 */
import { createServer, type ServerResponse } from 'node:http';

export type ScriptStep =
  /** Answer this status with this body (JSON `{"errno":0}` by default). */
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Never answer; the socket stays open until the origin closes. */
  | { hang: true }
  /** 200 with a chunked body that never ends: `chunkBytes` every millisecond. */
  | { endless: { chunkBytes: number } };

export interface ScriptedOrigin {
  /** Base URL, e.g. http://127.0.0.1:1234/api/v1 */
  url: string;
  /** Requests received so far. */
  requests(): number;
  /** Appends steps to the script. */
  script(...steps: ScriptStep[]): void;
  /** Resolves when the origin has received `n` requests in all (bounded by the test's timeout). */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startScriptedOrigin(): Promise<ScriptedOrigin> {
  const steps: ScriptStep[] = [];
  let count = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    count++;
    req.resume();
    open.add(res);
    res.on('close', () => open.delete(res));
    for (const w of waiters.filter((w) => count >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const step = steps.shift() ?? { status: 200 };
    if ('hang' in step) return;
    if ('endless' in step) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(step.endless.chunkBytes, 0x20);
      const timer = setInterval(() => {
        if (res.destroyed || res.writableEnded) return;
        res.write(chunk);
      }, 1);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
      return;
    }
    const body = step.body ?? '{"errno":0}';
    res.writeHead(step.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...step.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    requests: () => count,
    script: (...more) => void steps.push(...more),
    received(n) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
