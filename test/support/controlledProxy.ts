/**
 * A forwarding HTTP proxy a test steers: it sends every request on to
 * `target` at once, then lets the test rewrite the vendor's answer
 * (`rewrite`) or hold it back until the test releases it (`hold`). A held
 * answer is what a slow vendor looks like to the gateway: the upstream read
 * happened when the request arrived, the gateway learns its result later.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A held answer: `arrived` resolves once the vendor has answered; `release()` sends the answer on. */
export interface HeldAnswer {
  request: ProxiedRequest;
  /** The vendor's answer, once it came. */
  arrived: Promise<ProxiedAnswer>;
  release(): void;
}

export interface ControlledProxy {
  url: string;
  /** Every request forwarded, in order of arrival. */
  requests: ProxiedRequest[];
  /** Changes an answer before the gateway sees it. */
  rewrite?: (req: ProxiedRequest, answer: ProxiedAnswer) => ProxiedAnswer;
  /**
   * Holds back the answer to the next request `match` accepts (once), until
   * the returned handle is released. `maxHoldMs` releases it anyway, so a
   * test that fails never leaves a request hanging.
   */
  holdNext(match: (req: ProxiedRequest) => boolean, maxHoldMs?: number): HeldAnswer;
  close(): Promise<void>;
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

export async function startControlledProxy(target: string): Promise<ControlledProxy> {
  const holds: Array<{ match: (req: ProxiedRequest) => boolean; take: (req: ProxiedRequest, answer: Promise<ProxiedAnswer>) => Promise<void> }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const releases = new Set<() => void>();

  const proxy: ControlledProxy = {
    url: '',
    requests: [],
    holdNext(match, maxHoldMs = 10_000) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      releases.add(release);
      let arrivedResolve!: (a: ProxiedAnswer) => void;
      let arrivedReject!: (err: unknown) => void;
      const arrived = new Promise<ProxiedAnswer>((resolve, reject) => {
        arrivedResolve = resolve;
        arrivedReject = reject;
      });
      arrived.catch(() => undefined);
      const handle: HeldAnswer = { request: undefined as unknown as ProxiedRequest, arrived, release: () => release() };
      holds.push({
        match,
        async take(req, answer) {
          handle.request = req;
          answer.then(arrivedResolve, arrivedReject);
          const timer = setTimeout(release, maxHoldMs);
          timers.add(timer);
          await released;
          clearTimeout(timer);
          timers.delete(timer);
        },
      });
      return handle;
    },
    close: async () => undefined,
  };

  async function forward(req: ProxiedRequest): Promise<ProxiedAnswer> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
    const upstream = await fetch(`${target}${req.path}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!HOP.has(k)) out[k] = v;
    });
    return { status: upstream.status, headers: out, body: await upstream.text() };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const request: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        proxy.requests.push(request);
        const answered = forward(request);
        const i = holds.findIndex((h) => h.match(request));
        if (i >= 0) await holds.splice(i, 1)[0]!.take(request, answered);
        let answer = await answered;
        if (proxy.rewrite) answer = proxy.rewrite(request, answer);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      for (const r of releases) r();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
