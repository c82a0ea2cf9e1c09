/**
 * A tiny HTTP proxy for tests: forwards every request to `target`, records
 * each exchange (so a test can see what the gateway sent and what it got,
 * e.g. the access token a code exchange returned), and lets a test answer
 * some requests itself (`override`), e.g. a vendor that echoes secrets back
 * in an error.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedExchange {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface ProxyRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ProxyAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  /** Answers a request instead of the target when it returns something. */
  override?: (req: ProxyRequest) => ProxyAnswer | undefined;
  close(): Promise<void>;
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const proxy: RecordingProxy = {
    url: '',
    exchanges: [],
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const request: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
        let answer = proxy.override?.(request);
        if (!answer) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
          const upstream = await fetch(`${target}${request.path}`, {
            method: request.method,
            headers,
            body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
          });
          const out: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (!HOP.has(k)) out[k] = v;
          });
          answer = { status: upstream.status, headers: out, body: await upstream.text() };
        }
        proxy.exchanges.push({ method: request.method, path: request.path, headers: req.headers, requestBody: body, status: answer.status, responseBody: answer.body });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body);
      })().catch((err: unknown) => {
        res.writeHead(502).end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
